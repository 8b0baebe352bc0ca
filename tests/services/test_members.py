"""Members' coverage dates: changed only through the service, with who and why."""

from datetime import date

import pytest

from priorauth import errors, services
from priorauth.models import Member
from tests.support import factories

pytestmark = pytest.mark.django_db


def test_ending_coverage_is_kept_in_history_with_the_reason(kesimpta, policy_admin):
    factories.member("M1")
    services.member_coverage_change(
        member_id="M1",
        coverage_start=date(2000, 1, 1),
        coverage_end=date(2026, 6, 30),
        reason="enrollment file 2026-06",
        by=policy_admin,
    )
    member = Member.objects.get(member_id="M1")
    assert member.coverage_end == date(2026, 6, 30)
    latest = member.history.latest("history_date")
    assert latest.history_change_reason == "coverage changed: enrollment file 2026-06"
    assert latest.history_user == policy_admin


@pytest.mark.parametrize(
    ("end", "reason", "field"),
    [(date(1999, 12, 31), "enrollment", "coverage_end"), (None, "  ", "reason")],
)
def test_a_coverage_change_that_cannot_stand_changes_nothing(
    kesimpta, policy_admin, end, reason, field
):
    factories.member("M1")
    with pytest.raises(errors.ServiceError) as refused:
        services.member_coverage_change(
            member_id="M1",
            coverage_start=date(2000, 1, 1),
            coverage_end=end,
            reason=reason,
            by=policy_admin,
        )
    assert list(refused.value.errors) == [field]
    assert Member.objects.get(member_id="M1").history.count() == 1


def test_a_coverage_change_for_an_unknown_member_is_refused(kesimpta, policy_admin):
    with pytest.raises(errors.ServiceError, match="No member with ID NOPE"):
        services.member_coverage_change(
            member_id="NOPE",
            coverage_start=date(2000, 1, 1),
            coverage_end=None,
            reason="x",
            by=policy_admin,
        )
