"""manage.py seed_demo: synthetic demo users, members, claims and requests, idempotent.

The tests do not count paid and rejected claims: the claim rule is not what is under
test here, and the seed goes through it.
"""

import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from rest_framework.authtoken.models import Token

from priorauth import errors, roles, selectors, services
from priorauth.models import (
    OPEN_REQUEST_STATUSES,
    Appeal,
    AppealDecision,
    AppealOutcome,
    AppealStatus,
    Claim,
    ClaimStatus,
    Decision,
    DecisionOutcome,
    Member,
    Override,
    OverrideRequest,
    Prescription,
    RequestStatus,
    Urgency,
)
from priorauth.selectors import QueueFilters
from tests.support.questions import ADDITIONAL_INDUCTION, INITIATING

MEMBERS = 20
MIN_MEMBERS = 12
EXPECTED_ROLES = {
    "pharmacist": roles.CLINICAL_PHARMACIST,
    "pharmacist2": roles.CLINICAL_PHARMACIST,
    "physician": roles.PHYSICIAN_REVIEWER,
    "policyadmin": roles.POLICY_ADMIN,
    "intake": roles.INTAKE,
    "claims": roles.CLAIMS_SYSTEM,
    "auditor": roles.AUDITOR,
}
STAFF = {"policyadmin", "auditor"}


def seed(members: int = MEMBERS) -> str:
    out = io.StringIO()
    call_command("seed_demo", "--members", str(members), "--force", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "members": Member.objects.count(),
        "claims": Claim.objects.count(),
        "requests": OverrideRequest.objects.count(),
        "decisions": Decision.objects.count(),
        "overrides": Override.objects.count(),
        "users": get_user_model().objects.count(),
        "tokens": Token.objects.count(),
    }


@pytest.fixture
def seeded(kesimpta) -> str:
    return seed()


def test_one_user_per_role_in_its_group_with_a_token(seeded):
    user_model = get_user_model()
    for username, role in EXPECTED_ROLES.items():
        user = user_model.objects.get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert user.is_staff == (username in STAFF)
        assert user.check_password("priorauth-demo")
        token = Token.objects.get(user=user)
        assert token.key in seeded
        assert username in seeded


def test_password_comes_from_demo_password(kesimpta, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "first-secret")
    out = seed()
    assert "first-secret" in out
    pharmacist = get_user_model().objects.get(username="pharmacist")
    assert pharmacist.check_password("first-secret")
    hash_before = pharmacist.password

    # Unchanged: the hash is left alone (sessions stay valid).
    seed()
    pharmacist.refresh_from_db()
    assert pharmacist.password == hash_before

    # Changed: the printed password is true again.
    monkeypatch.setenv("DEMO_PASSWORD", "second-secret")
    out = seed()
    assert "second-secret" in out
    pharmacist.refresh_from_db()
    assert pharmacist.check_password("second-secret")


def test_running_twice_changes_no_counts(seeded):
    before = counts()
    tokens = dict(Token.objects.values_list("user__username", "key"))
    assert before["members"] == MEMBERS

    out = seed()

    assert "demo data already present" in out
    assert counts() == before
    assert dict(Token.objects.values_list("user__username", "key")) == tokens


def snapshot() -> tuple[list, list, list, list]:
    members = Member.objects.order_by("member_id").values_list(
        "member_id", "first_name", "last_name", "date_of_birth", "plan_name"
    )
    claims = Claim.objects.order_by("pk").values_list(
        "member__member_id", "date_of_service", "channel", "quantity", "days_supply"
    )
    requests = OverrideRequest.objects.order_by("pk").values_list(
        "member__member_id", "status", "urgency", "attested_criterion__number", "clinical_notes"
    )
    appeals = Appeal.objects.order_by("pk").values_list(
        "member__member_id", "status", "urgency", "reason", "decision__outcome"
    )
    return list(members), list(claims), list(requests), list(appeals)


def test_the_same_data_every_run(kesimpta):
    seed(MIN_MEMBERS)
    first = snapshot()
    for model in (
        Claim,
        Override,
        AppealDecision,
        Appeal,
        Decision,
        OverrideRequest,
        Prescription,
        Member,
    ):
        model.objects.all().delete()

    seed(MIN_MEMBERS)

    assert snapshot() == first


def test_synthetic_members_with_past_claim_histories(seeded):
    members = Member.objects.all()
    assert {m.member_id for m in members} == {f"DEMO{n:06d}" for n in range(1, MEMBERS + 1)}
    for member in members:
        assert 1950 <= member.date_of_birth.year <= 2000
        assert member.line_of_business == "commercial"
        assert member.plan_name.startswith("Demo")

    today = timezone.localdate()
    claims = Claim.objects.all()
    assert claims.count() > MEMBERS  # months of fills for most members
    assert not claims.filter(date_of_service__gt=today).exists()
    assert claims.filter(date_of_service__lt=today - timedelta(days=120)).exists()
    assert claims.filter(channel="retail").exists()
    assert claims.filter(channel="home_delivery").exists()
    assert claims.filter(status=ClaimStatus.REVERSED).count() == 1
    # Some members have no fills at all: new starts.
    assert members.filter(claims__isnull=True).exists()


def test_the_history_is_filed_on_time_by_covered_members(seeded):
    """Months-old fills were filed when they happened, by members covered then: none is
    rejected as too old (81) or as not covered (65); the only rejects are the limit's."""
    for member in Member.objects.all():
        first_fill = member.claims.order_by("date_of_service").first()
        if first_fill is not None:
            assert member.is_covered_on(first_fill.date_of_service)
    rejected = Claim.objects.filter(status=ClaimStatus.REJECTED)
    assert set(rejected.values_list("reject_code", flat=True)) == {"76"}

    assert f"members:           {MEMBERS}" in seeded
    assert "override requests:" in seeded
    assert "overrides:" in seeded


def test_requests_in_every_status_some_overdue_some_expedited(seeded):
    requests = OverrideRequest.objects.all()
    assert set(requests.values_list("status", flat=True)) == set(RequestStatus.values)
    assert len(RequestStatus.values) <= requests.count() <= MEMBERS

    open_requests = requests.filter(status__in=OPEN_REQUEST_STATUSES)
    now = timezone.now()
    assert any(r.is_overdue(now) for r in open_requests)
    assert open_requests.filter(urgency=Urgency.EXPEDITED).exists()
    assert requests.filter(urgency=Urgency.STANDARD).exists()
    for request in requests:
        # Back-dated consistently: the clock still runs from receipt.
        assert request.due_at == request.received_at + services.due_in(request.urgency)
        assert request.received_at <= now
        assert request.clinical_notes
        if request.status in (RequestStatus.NEEDS_INFO, RequestStatus.WITHDRAWN):
            assert request.status_reason

    # Criterion 1 attested for most, "other" for a few.
    attested = requests.filter(attested_criterion__number=1).count()
    other = requests.filter(attested_criterion__isnull=True).count()
    assert attested > other > 0


def test_decisions_are_consistent(seeded, kesimpta):
    pharmacist = get_user_model().objects.get(username="pharmacist")
    approved = OverrideRequest.objects.filter(status=RequestStatus.APPROVED)
    denied = OverrideRequest.objects.filter(status=RequestStatus.DENIED)
    assert approved.exists()
    assert denied.exists()
    for request in approved:
        assert Override.objects.filter(request=request).count() == 1
        assert request.decision.outcome == DecisionOutcome.APPROVE
        assert request.decision.criterion.number == 1
        # The system's approvals (question sets, when the policy asks them) are its own.
        expected = "system" if request.decision.automatic else pharmacist.username
        assert request.decision.decided_by.username == expected
    overturned = denied.filter(appeals__decision__outcome=AppealOutcome.OVERTURN)
    for request in denied:
        decision = request.decision
        assert decision.outcome == DecisionOutcome.DENY
        assert decision.reason.strip()
        assert kesimpta.otherwise in decision.reason
        assert decision.decided_by == pharmacist
        # An override hangs on a denied request only when its appeal overturned the denial.
        has_override = Override.objects.filter(request=request).exists()
        assert has_override == (request in overturned)
    # Nothing but approvals and overturned appeals has an override.
    assert Override.objects.count() == approved.count() + overturned.count()
    assert Decision.objects.count() == approved.count() + denied.count()
    # One active override per member at most (the database would refuse more anyway).
    members = list(Override.objects.filter(status="active").values_list("member", flat=True))
    assert len(members) == len(set(members))


def test_without_the_policy_it_asks_for_load_policy(db):
    with pytest.raises(CommandError, match="load_policy"):
        seed()
    assert not Member.objects.exists()
    assert not get_user_model().objects.exists()


def test_too_few_members_is_refused(kesimpta):
    with pytest.raises(CommandError, match="--members"):
        call_command("seed_demo", "--members", "3", "--force", stdout=io.StringIO())


def test_a_failure_leaves_nothing_half_seeded(kesimpta, monkeypatch):
    def fail(**kwargs):
        raise errors.Conflict({"claim_id": "simulated failure"})

    monkeypatch.setattr(services, "claim_reverse", fail)
    with pytest.raises(CommandError, match="nothing was written"):
        seed()
    assert counts() == dict.fromkeys(counts(), 0)


def test_it_refuses_to_run_with_debug_off_unless_forced(kesimpta, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only with DEBUG on"):
        call_command("seed_demo", stdout=io.StringIO())
    assert not Member.objects.exists()


def test_question_set_requests_are_determined_by_the_system_at_receipt(kesimpta):
    out = seed()
    assert "; 1 approved automatically" in out
    [automatic] = OverrideRequest.objects.filter(decision__automatic=True)
    assert automatic.decision.decided_by.username == "system"
    assert automatic.answers == {"reason": INITIATING}
    assert not automatic.member.claims.exists()  # a new start
    assert automatic.override.status == "active"  # in force, for a pharmacist to look over
    # Received just now and decided at once: not back-dated like the rest.
    assert automatic.decision.decided_at - automatic.received_at < timedelta(seconds=5)

    answered = [
        r for r in OverrideRequest.objects.filter(status=RequestStatus.PENDING) if r.answers
    ]
    reasons = {
        r.answers["reason"]: [f["text"] for f in r.determination["findings"] if not f["supports"]]
        for r in answered
    }
    assert set(reasons) == {INITIATING, ADDITIONAL_INDUCTION}
    assert [text[:15] for text in reasons[INITIATING]] == ["Last paid fill "]
    assert any("approved automatically only for" in text for text in reasons[ADDITIONAL_INDUCTION])
    # A pharmacist sees both in the queue; the approval under "determined automatically".
    pharmacist = get_user_model().objects.get(username="pharmacist")
    queue = {
        e["id"]
        for e in selectors.work_queue(user=pharmacist, filters=QueueFilters())
        if e["kind"] == "request"
    }
    assert {r.pk for r in answered} <= queue
    automatic_only = selectors.work_queue(user=pharmacist, filters=QueueFilters(automatic=True))
    assert [e["id"] for e in automatic_only] == [automatic.pk]


def test_appeals_in_every_status_filed_by_intake_decided_by_someone_else(seeded):
    appeals = Appeal.objects.select_related("request__decision__decided_by", "submitted_by")
    assert set(appeals.values_list("status", flat=True)) == set(AppealStatus.values)
    outcomes = {a.decision.outcome for a in appeals.filter(status=AppealStatus.DECIDED)}
    assert outcomes == {AppealOutcome.OVERTURN, AppealOutcome.UPHOLD}
    for appeal in appeals:
        assert appeal.request.status == RequestStatus.DENIED
        assert appeal.submitted_by.username == "intake"
        assert appeal.reason.strip()
        denier = appeal.request.decision.decided_by
        # Never the denier: the workflow's history and the decision name someone else.
        workers = set(
            appeal.history.exclude(history_user=None).values_list("history_user", flat=True)
        )
        assert denier.pk not in workers
        decision = getattr(appeal, "decision", None)
        if decision is None:
            continue
        assert decision.decided_by != denier
        if decision.outcome == AppealOutcome.UPHOLD:
            assert (decision.decided_by.username, decision.decided_role) == (
                "physician",
                roles.PHYSICIAN_REVIEWER,
            )
        else:
            assert appeal.request.override.status == "active"
    assert "appeals:" in seeded and "decided: overturned 1, upheld 1" in seeded


def test_with_the_fewest_members_the_first_appeals_are_still_there(kesimpta):
    seed(MIN_MEMBERS)
    statuses = set(Appeal.objects.values_list("status", flat=True))
    assert AppealStatus.PENDING in statuses and AppealStatus.DECIDED in statuses
    assert set(OverrideRequest.objects.values_list("status", flat=True)) == set(
        RequestStatus.values
    )
