"""Overrides: created by approval, honoured by the claim check only while in force."""

from datetime import date, timedelta

import pytest

from priorauth import services
from priorauth.models import Override, OverrideStatus
from tests.support import factories
from tests.support.steps import at_noon, create_member, decide, submit_claim, submit_request

pytestmark = pytest.mark.django_db

DAY_0 = date(2026, 6, 1)


def day(n: int) -> date:
    return DAY_0 + timedelta(days=n)


@pytest.fixture
def member(kesimpta, as_intake):
    with at_noon(DAY_0):
        assert create_member(as_intake, "M1").status_code == 201


def approve(as_intake, as_pharmacist, on: date, **request_fields):
    with at_noon(on):
        request_id = submit_request(as_intake, member_id="M1", **request_fields).json()["id"]
        return decide(as_pharmacist, request_id, decision="approve", criterion_number=1)


def claim(as_claims, on: date, **fields):
    with at_noon(on):
        return submit_claim(as_claims, member_id="M1", date_of_service=on.isoformat(), **fields)


def test_an_approval_creates_a_30_day_override_with_the_criterion_grants(
    member, as_intake, as_pharmacist
):
    response = approve(as_intake, as_pharmacist, day(0))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "approved"
    assert body["decision"]["outcome"] == "approve"
    assert body["decision"]["criterion_number"] == 1
    override = body["override"]
    assert override["authorization_number"].startswith("PA260601-")
    assert (override["starts_on"], override["ends_on"]) == ("2026-06-01", "2026-06-30")
    assert override["one_time"] is True
    assert sorted(
        (a["channel"], a["max_quantity"], a["per_days"]) for a in override["allowances"]
    ) == [
        ("home_delivery", "6.000", 84),
        ("retail", "4.000", 28),
    ]


def test_approving_while_another_override_is_active_is_refused_naming_it(
    member, as_intake, as_pharmacist
):
    first = approve(as_intake, as_pharmacist, day(0)).json()["override"]
    second = approve(as_intake, as_pharmacist, day(3))
    assert second.status_code == 409
    message = second.json()["decision"][0]
    assert first["authorization_number"] in message
    assert "2026-06-30" in message
    assert Override.objects.count() == 1


def test_an_override_stored_active_past_its_end_is_never_honoured(
    member, as_intake, as_pharmacist, as_claims
):
    # No worker ran: the stored status is still "active" on day 40.
    approve(as_intake, as_pharmacist, day(0))
    assert Override.objects.get().status == OverrideStatus.ACTIVE
    response = claim(as_claims, day(40), quantity="4")
    assert response.json()["status"] == "rejected"
    assert response.json()["override"] is None
    assert Override.objects.get().status == OverrideStatus.ACTIVE  # nobody touched it


@pytest.mark.parametrize("expiry_ran", [False, True])
def test_a_claim_dated_within_the_override_but_sent_after_it_ended_uses_it_either_way(
    member, as_intake, as_pharmacist, as_claims, expiry_ran
):
    """The days an override covers are its dates: whether the expiry has labelled it
    `expired` yet never changes the outcome of a claim (docs/domain.md §4)."""
    approve(as_intake, as_pharmacist, day(0))
    if expiry_ran:
        with at_noon(day(35)):
            assert services.overrides_expire() == 1
    with at_noon(day(35)):
        response = submit_claim(
            as_claims, member_id="M1", quantity="4", date_of_service=day(20).isoformat()
        )
    body = response.json()
    assert (body["status"], body["override"] is not None) == ("paid", True), body["message"]
    assert Override.objects.get().status == OverrideStatus.USED


def test_a_stale_active_override_does_not_block_a_new_approval(
    member, as_intake, as_pharmacist, as_claims
):
    old = approve(as_intake, as_pharmacist, day(0)).json()["override"]
    new = approve(as_intake, as_pharmacist, day(45))
    assert new.status_code == 200, new.json()
    assert Override.objects.get(pk=old["id"]).status == OverrideStatus.EXPIRED
    assert (
        claim(as_claims, day(46), quantity="4").json()["override"]["id"]
        == new.json()["override"]["id"]
    )


def test_the_override_api_reports_the_status_as_of_today(member, as_intake, as_pharmacist):
    approve(as_intake, as_pharmacist, day(0))
    with at_noon(day(31)):
        listed = as_pharmacist.get("/api/v1/overrides/?member_id=M1").json()["results"]
    assert [o["status"] for o in listed] == ["expired"]


def test_a_one_time_override_is_used_by_the_claim_that_needs_it(
    member, as_intake, as_pharmacist, as_claims
):
    approve(as_intake, as_pharmacist, day(0))
    paid = claim(as_claims, day(1), quantity="4").json()
    override = Override.objects.get()
    assert paid["override"] == {
        "id": override.pk,
        "authorization_number": override.authorization_number,
    }
    assert override.status == OverrideStatus.USED
    assert list(override.claims.values_list("id", flat=True)) == [paid["id"]]
    assert override.history.first().history_change_reason == "used by a claim"


def test_reversing_after_the_override_ended_leaves_it_expired(
    member, as_intake, as_pharmacist, as_claims
):
    approve(as_intake, as_pharmacist, day(0))
    claim_id = claim(as_claims, day(29), quantity="4").json()["id"]
    with at_noon(day(31)):
        assert as_claims.post(f"/api/v1/claims/{claim_id}/reversal/").status_code == 200
    assert Override.objects.get().status == OverrideStatus.EXPIRED


def test_a_reversal_does_not_restore_an_override_when_a_newer_one_is_active(
    member, as_intake, as_pharmacist, as_claims
):
    first = approve(as_intake, as_pharmacist, day(0)).json()["override"]
    claim_id = claim(as_claims, day(1), quantity="4").json()["id"]
    second = approve(as_intake, as_pharmacist, day(2)).json()["override"]
    with at_noon(day(3)):
        assert as_claims.post(f"/api/v1/claims/{claim_id}/reversal/").status_code == 200
    assert Override.objects.get(pk=first["id"]).status == OverrideStatus.USED
    assert Override.objects.get(pk=second["id"]).status == OverrideStatus.ACTIVE


def test_a_reversal_catches_up_a_newer_override_that_ended_but_is_still_stored_active(
    member, as_intake, as_pharmacist, as_claims
):
    # Issue 9, item 9: the reversal answered 500 (IntegrityError on
    # one_active_override_per_member_policy). A is used by a claim; B, approved after
    # a policy admin shortened one-time approvals to 7 days, ends (day 8) before A
    # (day 29); no expiry has run, so B is still stored active on day 10.
    first = approve(as_intake, as_pharmacist, day(0)).json()["override"]
    claim_id = claim(as_claims, day(1), quantity="4").json()["id"]
    with at_noon(day(1)):
        factories.kesimpta_reloaded(approval_days=7)
    second = approve(as_intake, as_pharmacist, day(2)).json()["override"]
    assert (second["starts_on"], second["ends_on"]) == ("2026-06-03", "2026-06-09")
    assert Override.objects.get(pk=second["id"]).status == OverrideStatus.ACTIVE

    with at_noon(day(10)):
        response = as_claims.post(f"/api/v1/claims/{claim_id}/reversal/")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "reversed"
    caught_up = Override.objects.get(pk=second["id"])
    assert caught_up.status == OverrideStatus.EXPIRED
    assert caught_up.history.first().history_change_reason == (
        "ended (found while restoring another)"
    )
    assert Override.objects.get(pk=first["id"]).status == OverrideStatus.ACTIVE
    with at_noon(day(11)):
        again = claim(as_claims, day(11), quantity="4").json()
    assert again["override"]["id"] == first["id"]


def test_a_rejection_tells_the_pharmacist_what_to_do(member, as_claims):
    claim(as_claims, day(0))
    body = claim(as_claims, day(7)).json()
    assert body["status"] == "rejected"
    assert body["reject_code"] == "76"
    assert body["limit"] == {"channel": "retail", "max_quantity": "1", "per_days": 28}
    assert body["on_hand"] == "0.75"
    assert body["allowed_now"] == "0"
    assert body["earliest_date"] == "2026-06-29"
    for fact in ("1 pen per 28 days at retail", "0.75 pen", "2026-06-01", "2026-06-29", "override"):
        assert fact in body["message"], body["message"]
