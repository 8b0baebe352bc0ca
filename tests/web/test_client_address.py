"""Which address is the client's: REMOTE_ADDR, or behind proxies the trusted X-Forwarded-For
entry; a forged entry further left is never believed (ADR 0009)."""

import pytest
from django.test import RequestFactory

from priorauth.security import client_address


def request(remote="10.0.0.254", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.254"),  # no proxy: the header is the client's, ignored
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # 6.6.6.6 was written by the client
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.3", "203.0.113.9"),
        (1, None, "10.0.0.254"),  # the proxy did not add its entry
        (2, "203.0.113.9", "10.0.0.254"),
    ],
)
def test_the_client_address_is_the_entry_the_outermost_trusted_proxy_wrote(
    settings, proxies, forwarded, expected
):
    settings.PRIORAUTH_PROXY_COUNT = proxies
    assert client_address(request(forwarded=forwarded)) == expected


def test_an_entry_that_is_not_an_address_is_never_taken_for_one(settings):
    # The PHI access log stores it as an address (inet on PostgreSQL).
    settings.PRIORAUTH_PROXY_COUNT = 1
    assert client_address(request(forwarded="not-an-address")) == "10.0.0.254"


@pytest.mark.django_db
def test_the_phi_access_log_records_the_client_behind_the_proxy(settings, kesimpta, auditor):
    from priorauth.audit import record_phi_access
    from priorauth.models import PHIAccess
    from tests.support import factories

    settings.PRIORAUTH_PROXY_COUNT = 1
    member = factories.member("M1")
    http = request(forwarded="203.0.113.9")
    http.user = auditor
    record_phi_access(http, member, "test read")
    assert PHIAccess.objects.get().remote_addr == "203.0.113.9"
