"""Override status changes are conditional, and the member lock is one helper."""

from datetime import timedelta

import pytest
from django.utils import timezone

from priorauth import services
from priorauth.models import Override, OverrideStatus
from priorauth.services.locks import lock_member
from priorauth.services.overrides import override_consume
from tests.support import factories

pytestmark = pytest.mark.django_db


def test_a_claim_holding_a_stale_copy_cannot_use_an_override_revoked_meanwhile(kesimpta):
    stale = factories.override("M1", ends_on=timezone.localdate() + timedelta(days=20))
    services.override_revoke(
        override_id=stale.pk, reason="Prescriber asked", by=factories.reviewer()
    )
    history_rows = stale.history.count()

    assert stale.status == OverrideStatus.ACTIVE  # what the claim read before the revocation
    assert override_consume(stale, by=None) is False

    assert Override.objects.get(pk=stale.pk).status == OverrideStatus.REVOKED
    assert stale.history.count() == history_rows


def test_consuming_an_active_override_records_who_and_why(kesimpta, claims_system):
    override = factories.override("M1", ends_on=timezone.localdate() + timedelta(days=20))

    assert override_consume(override, by=claims_system) is True

    latest = override.history.latest("history_date")
    assert (latest.status, latest.history_change_reason, latest.history_user) == (
        OverrideStatus.USED,
        "used by a claim",
        claims_system,
    )


def test_the_expiry_leaves_an_override_revoked_after_it_was_selected_alone(kesimpta):
    ended = factories.override("M1", ends_on=timezone.localdate() - timedelta(days=1))
    Override.objects.filter(pk=ended.pk).update(status=OverrideStatus.REVOKED)

    assert services.overrides_expire() == 0
    assert Override.objects.get(pk=ended.pk).status == OverrideStatus.REVOKED


# transaction=True: the ordinary test wraps everything in a transaction of its own.
@pytest.mark.django_db(transaction=True)
def test_the_member_lock_refuses_to_be_taken_outside_a_transaction(kesimpta):
    factories.member("M1")
    with pytest.raises(RuntimeError, match=r"inside transaction\.atomic"):
        lock_member(member_id="M1")
