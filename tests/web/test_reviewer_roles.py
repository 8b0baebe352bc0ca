"""Who reviews cases (roles.REVIEWERS): a physician reviewer reads what a pharmacist reads,
and decides appeals; approving or denying a request stays a pharmacist's (docs/domain.md §5)."""

from datetime import date, timedelta

import pytest

from priorauth.models import Decision
from tests.support import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_open(kesimpta):
    factories.member("M1")
    return factories.kesimpta_request("M1")


@pytest.fixture
def as_physician(client, physician):
    client.force_login(physician)
    return client


def test_a_physician_lands_on_the_queue_and_reads_the_review_pages(as_physician, request_open):
    assert as_physician.get("/")["Location"] == "/queue/"
    for path in ("/queue/", f"/requests/{request_open.pk}/", "/members/M1/", "/overrides/"):
        assert as_physician.get(path).status_code == 200, path
    nav = as_physician.get("/queue/").content.decode()
    assert 'href="/queue/"' in nav and 'href="/policies/"' in nav


def test_a_physician_does_not_decide_requests_or_revoke_overrides(as_physician, request_open):
    page = as_physician.get(f"/requests/{request_open.pk}/").content.decode()
    assert "only a clinical pharmacist can decide it" in page
    assert "Approve</legend>" not in page
    approve = as_physician.post(f"/requests/{request_open.pk}/approve/", {"criterion_number": "1"})
    assert approve.status_code == 403
    assert as_physician.post(f"/requests/{request_open.pk}/take/").status_code == 403
    assert not Decision.objects.exists()
    override = factories.override("M2", ends_on=date.today() + timedelta(days=10))
    overrides = as_physician.get("/overrides/")
    assert override.authorization_number in overrides.content.decode()
    assert f'action="/overrides/{override.pk}/revoke/"' not in overrides.content.decode()
    revoke = as_physician.post(f"/overrides/{override.pk}/revoke/", {"reason": "Wrong member."})
    assert revoke.status_code == 403
