"""Versions over time: prepare a future version; claims and requests use the version in force.

The claim check picks the version in force on the date of service; an override request
is decided against the version in force when it was received (OverrideRequest.policy),
whenever the decision is made. Both are exercised through the HTTP API on the day
before, the day of and the day after a change.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from policies import services, validation
from policies.files import export_policy
from policies.history import policy_history
from policies.models import CriterionGrant, Policy, QuantityLimit
from priorauth.errors import ServiceError
from priorauth.models import OverrideRequest
from tests.support.policy_admin import change_form_data
from tests.support.steps import at_noon, create_member, decide, submit_claim, submit_request

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 2)
CHANGE = TODAY + timedelta(days=10)  # the new version's first day
DAY_BEFORE, DAY_AFTER = CHANGE - timedelta(days=1), CHANGE + timedelta(days=1)


def prepare(kesimpta, effective_from=CHANGE, today=TODAY):
    return services.policy_version_prepare(
        policy_id=kesimpta.pk, effective_from=effective_from, reason="2026 review", today=today
    )


def test_a_new_version_is_a_copy_from_a_future_day_and_the_old_one_ends_the_day_before(
    kesimpta,
):
    result = prepare(kesimpta)
    new, old = result.policy, result.replaced
    assert (old.effective_from, old.effective_to) == (date(2025, 5, 2), DAY_BEFORE)
    assert (new.code, new.effective_from, new.effective_to) == (kesimpta.code, CHANGE, None)
    assert [p.name for p in new.products.all()] == [p.name for p in old.products.all()]
    assert new.products.get().ndcs.get().ndc == "00078100768"
    assert {(lim.channel, lim.max_quantity, lim.per_days) for lim in new.limits.all()} == {
        ("retail", 1, 28),
        ("home_delivery", 3, 84),
    }
    criterion = new.criteria.get()
    assert criterion.text == old.criteria.get().text
    assert criterion.grants.count() == 2
    assert policy_history(new)[0].reason.startswith("new version from 2026-03-12, copied from")
    assert policy_history(old)[0].rows[0].fields[0].new == "2026-03-11"


def test_a_new_version_copies_each_criterions_questions_evidence_and_switch(kesimpta):
    new = prepare(kesimpta).policy
    criterion = new.criteria.get()
    assert criterion.auto_approve is True
    assert [(q.key, q.approve_when) for q in criterion.questions.all()] == [
        ("reason", ["initiating treatment"])
    ]
    # The copy is the same policy in every field the file format has, dates aside.
    copied, source = export_policy(new)["policy"], export_policy(kesimpta)["policy"]
    assert copied["criteria"] == source["criteria"]
    rows = {(r.what, r.action) for r in policy_history(new)[0].rows}
    assert {
        ("Criterion 1 question reason", "added"),
        ("Criterion 1 evidence no_paid_fill_within_days", "added"),
    } <= rows


@pytest.mark.parametrize(
    ("effective_from", "message"),
    [
        (TODAY, "A new version starts in the future: 2026-03-03 at the earliest"),
        (TODAY - timedelta(days=400), "A new version starts in the future"),
    ],
)
def test_a_new_version_must_start_in_the_future(kesimpta, effective_from, message):
    with pytest.raises(ServiceError) as caught:
        prepare(kesimpta, effective_from=effective_from)
    assert caught.value.messages[0].startswith(message)
    assert Policy.objects.count() == 1
    kesimpta.refresh_from_db()
    assert kesimpta.effective_to is None


def test_a_new_version_must_start_within_the_version_it_replaces(kesimpta):
    prepare(kesimpta)
    with pytest.raises(ServiceError, match="must start within the version it replaces"):
        prepare(kesimpta, effective_from=CHANGE + timedelta(days=5))  # the old one ended


def test_a_version_prepared_between_two_versions_takes_over_the_rest_of_the_period(kesimpta):
    later = prepare(kesimpta).policy
    middle = prepare(kesimpta, effective_from=CHANGE - timedelta(days=5)).policy
    periods = [
        (p.effective_from, p.effective_to) for p in Policy.objects.order_by("effective_from")
    ]
    assert periods == [
        (date(2025, 5, 2), CHANGE - timedelta(days=6)),
        (CHANGE - timedelta(days=5), DAY_BEFORE),
        (CHANGE, None),
    ]
    assert {middle.pk, later.pk} < {p.pk for p in Policy.objects.all()}


def test_discarding_a_future_version_gives_the_old_one_its_period_back(kesimpta):
    new = prepare(kesimpta).policy
    services.policy_version_discard(policy_id=new.pk, today=TODAY)
    kesimpta.refresh_from_db()
    assert kesimpta.effective_to is None
    assert Policy.objects.count() == 1
    with pytest.raises(ServiceError, match="Only a version that has not started"):
        services.policy_version_discard(policy_id=kesimpta.pk, today=TODAY)


def test_the_admin_prepares_a_version_on_its_own_page(admin_client_policy, kesimpta):
    url = reverse("admin:policies_policy_new_version", args=[kesimpta.pk])
    with at_noon(TODAY):
        refused = admin_client_policy.post(url, {"effective_from": "2026-03-02", "reason": "x"})
        assert "A new version starts in the future" in refused.content.decode()
        response = admin_client_policy.post(
            url, {"effective_from": CHANGE.isoformat(), "reason": "2026 review"}
        )
    new = Policy.objects.get(effective_from=CHANGE)
    assert response["Location"] == reverse("admin:policies_policy_change", args=[new.pk])
    assert new.history.get().history_user == admin_client_policy.user


def _new_version_with(kesimpta, *, retail_limit: str, retail_grant: str, client) -> Policy:
    """Prepare the version from CHANGE and edit it on the admin page, as a policy admin does."""
    with at_noon(TODAY):
        new = prepare(kesimpta).policy
        data = change_form_data(new, reason="retail limit raised")
        data["limits-0-max_quantity"] = retail_limit
        data["criteria-0-grant_retail_max_quantity"] = retail_grant
        response = client.post(reverse("admin:policies_policy_change", args=[new.pk]), data)
        assert response.status_code == 302
    assert QuantityLimit.objects.get(policy=new, channel="retail").max_quantity == Decimal(
        retail_limit
    )
    return new


def test_the_claim_check_uses_the_new_limit_only_from_its_first_day(
    kesimpta, admin_client_policy, as_intake, as_claims
):
    new = _new_version_with(
        kesimpta, retail_limit="2", retail_grant="4", client=admin_client_policy
    )
    with at_noon(DAY_AFTER + timedelta(days=10)):
        answers = {}
        for member_id, day in (("B", DAY_BEFORE), ("D", CHANGE), ("A", DAY_AFTER)):
            assert create_member(as_intake, member_id).status_code == 201
            response = submit_claim(
                as_claims,
                member_id=member_id,
                quantity="2",
                days_supply=28,
                date_of_service=day.isoformat(),
            )
            assert response.status_code == 201, response.json()
            answers[member_id] = response.json()
    assert answers["B"]["status"] == "rejected"
    assert answers["B"]["limit"]["max_quantity"] == "1"
    for member_id in ("D", "A"):
        assert answers[member_id]["status"] == "paid", answers[member_id]["message"]
        assert answers[member_id]["limit"]["max_quantity"] == "2"
    assert {a["policy_code"] for a in answers.values()} == {new.code}


def test_a_request_is_decided_against_the_version_in_force_when_it_was_received(
    kesimpta, admin_client_policy, as_intake, as_pharmacist
):
    new = _new_version_with(
        kesimpta, retail_limit="1", retail_grant="5", client=admin_client_policy
    )
    request_ids = {}
    for member_id, day in (("B", DAY_BEFORE), ("D", CHANGE), ("A", DAY_AFTER)):
        with at_noon(day):
            assert create_member(as_intake, member_id).status_code == 201
            submitted = submit_request(as_intake, member_id=member_id)
            assert submitted.status_code == 201, submitted.json()
            request_ids[member_id] = submitted.json()["id"]
    versions = {m: OverrideRequest.objects.get(pk=pk).policy for m, pk in request_ids.items()}
    assert versions == {"B": kesimpta, "D": new, "A": new}
    # All three are decided after the change; each gets the grant of its own version.
    with at_noon(DAY_AFTER + timedelta(days=1)):
        granted = {}
        for member_id, request_id in request_ids.items():
            decided = decide(as_pharmacist, request_id, decision="approve", criterion_number=1)
            assert decided.status_code == 200, decided.json()
            allowances = decided.json()["override"]["allowances"]
            granted[member_id] = {a["channel"]: a["max_quantity"] for a in allowances}["retail"]
    assert {m: Decimal(q) for m, q in granted.items()} == {
        "B": Decimal(4),
        "D": Decimal(5),
        "A": Decimal(5),
    }
    assert (
        CriterionGrant.objects.get(criterion__policy=kesimpta, channel="retail").max_quantity == 4
    )


def test_overlapping_versions_are_refused_by_the_model(kesimpta):
    copy = Policy(
        code=kesimpta.code,
        title="x",
        line_of_business="commercial",
        effective_from=date(2026, 1, 1),
    )
    with pytest.raises(ValidationError) as caught:
        copy.full_clean()
    assert caught.value.message_dict["effective_from"] == [
        validation.VERSION_OVERLAP.format(
            code=kesimpta.code,
            other_from=date(2025, 5, 2),
            other_period="from 2025-05-02",
            period="from 2026-01-01",
        )
    ]
