"""Races that must have exactly one winner, on PostgreSQL with real concurrent connections."""

import threading

import pytest
from django.db import connection

from priorauth import errors, services
from priorauth.models import AppealDecision, Claim, ClaimStatus, Decision, Override, OverrideStatus
from tests.support import factories
from tests.support.cast import token_client
from tests.support.steps import create_member, decide, submit_claim, submit_request

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(*calls):
    """Run the calls at the same moment, each on its own thread and database connection."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.fixture
def member(kesimpta, as_intake):
    assert create_member(as_intake, "M1").status_code == 201
    return "M1"


@pytest.mark.parametrize("attempt", range(3))
def test_two_simultaneous_claims_cannot_both_fit_under_the_limit(member, claims_system, attempt):
    clients = [token_client(claims_system) for _ in range(4)]
    responses = race(*(lambda c=c: submit_claim(c, member_id=member) for c in clients))
    statuses = sorted(r.json()["status"] for r in responses)
    assert statuses == ["paid", "rejected", "rejected", "rejected"]
    assert Claim.objects.filter(status="paid").count() == 1


def test_two_pharmacists_deciding_at_once_make_exactly_one_decision(
    member, as_intake, pharmacist, pharmacist2
):
    request_id = submit_request(as_intake, member_id=member).json()["id"]
    approve = token_client(pharmacist)
    deny = token_client(pharmacist2)
    responses = race(
        lambda: decide(approve, request_id, decision="approve", criterion_number=1),
        lambda: decide(deny, request_id, decision="deny", reason="Does not meet criterion 1"),
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [200, 409]
    loser = next(r for r in responses if r.status_code == 409)
    assert "already" in loser.json()["decision"][0]
    assert Decision.objects.count() == 1
    assert Override.objects.count() == (1 if Decision.objects.get().outcome == "approve" else 0)


def test_two_requests_for_one_member_approved_at_once_give_one_active_override(
    member, as_intake, pharmacist, pharmacist2
):
    first = submit_request(as_intake, member_id=member).json()["id"]
    second = submit_request(as_intake, member_id=member).json()["id"]
    responses = race(
        lambda: decide(token_client(pharmacist), first, decision="approve", criterion_number=1),
        lambda: decide(token_client(pharmacist2), second, decision="approve", criterion_number=1),
    )
    assert sorted(r.status_code for r in responses) == [200, 409]
    assert Override.objects.filter(status="active").count() == 1


def test_two_pharmacists_on_the_case_page_at_once_one_decides_the_other_is_told(
    member, as_intake, pharmacist, pharmacist2
):
    from django.test import Client

    request_id = submit_request(as_intake, member_id=member).json()["id"]
    first, second = Client(), Client()
    first.force_login(pharmacist)
    second.force_login(pharmacist2)
    responses = race(
        lambda: first.post(
            f"/requests/{request_id}/approve/", {"criterion_number": "1", "confirmed": "1"}
        ),
        lambda: second.post(
            f"/requests/{request_id}/deny/", {"reason": "Not met", "confirmed": "1"}
        ),
    )
    assert sorted(r.status_code for r in responses) == [302, 409]
    loser = next(r for r in responses if r.status_code == 409)
    assert "already" in loser.content.decode()
    assert Decision.objects.count() == 1


@pytest.mark.parametrize("attempt", range(5))
def test_a_revocation_and_a_claim_that_needs_the_override_never_overwrite_each_other(
    kesimpta, claims_system, pharmacist, attempt
):
    """Either the claim uses the override (and the revocation is refused: it is used), or
    the revocation wins (and the claim is rejected). Never a paid claim on a revoked
    override, and never two status changes written over each other."""
    factories.member("M1")
    request = factories.kesimpta_request("M1")
    approved = services.override_request_decide(
        request_id=request.pk, outcome="approve", criterion_number=1, by=pharmacist
    ).override
    client = token_client(claims_system)

    def revoke():
        try:
            services.override_revoke(
                override_id=approved.pk, reason="Prescriber asked", by=pharmacist
            )
        except errors.Conflict as refused:
            return refused
        return "revoked"

    claim_response, revoked = race(
        lambda: submit_claim(client, member_id="M1", quantity="4"), revoke
    )
    claim = Claim.objects.get(pk=claim_response.json()["id"])
    override = Override.objects.get(pk=approved.pk)
    if revoked == "revoked":
        assert override.status == OverrideStatus.REVOKED
        assert claim.status == ClaimStatus.REJECTED and claim.override_id is None
    else:
        assert "used" in revoked.errors["override_id"][0]
        assert override.status == OverrideStatus.USED
        assert claim.status == ClaimStatus.PAID and claim.override_id == approved.pk
    # One change after the approval, whoever won: nothing overwritten, nothing lost.
    assert override.history.count() == 2


@pytest.mark.parametrize("attempt", range(3))
def test_two_requests_the_system_would_approve_at_once_give_one_override(member, intake, attempt):
    """The determination reads "no override in force" and approves under the member lock,
    so the second submission sees the first's override and pends (docs/domain.md §9.3)."""
    clients = [token_client(intake) for _ in range(2)]
    responses = race(
        *(
            lambda c=c: submit_request(
                c, member_id=member, answers={"reason": "initiating treatment"}
            )
            for c in clients
        )
    )
    assert [r.status_code for r in responses] == [201, 201]
    statuses = sorted(r.json()["status"] for r in responses)
    assert statuses == ["approved", "pending"]
    pended = next(r.json() for r in responses if r.json()["status"] == "pending")
    assert pended["determination"]["reasons"][0].startswith("Override PA")
    assert Override.objects.count() == 1


def test_two_reviewers_deciding_one_appeal_at_once_make_exactly_one_decision(
    member, as_intake, pharmacist, pharmacist2, physician
):
    request_id = submit_request(as_intake, member_id=member).json()["id"]
    decide(token_client(pharmacist), request_id, decision="deny", reason="Not initiating.")
    appeal_url = f"/api/v1/override-requests/{request_id}/appeals/"
    body = {"reason": "New chart note.", "urgency": "expedited"}
    appeal_id = as_intake.post(appeal_url, body, format="json").json()["id"]
    decision_url = f"/api/v1/appeals/{appeal_id}/decision/"
    overturn = {"decision": "overturn", "criterion_number": 1}
    uphold = {"decision": "uphold", "reason": "Still not met."}
    responses = race(
        lambda: token_client(pharmacist2).post(decision_url, overturn, format="json"),
        lambda: token_client(physician).post(decision_url, uphold, format="json"),
    )
    assert sorted(r.status_code for r in responses) == [200, 409]
    assert AppealDecision.objects.count() == 1
    overturned = AppealDecision.objects.get().outcome == "overturn"
    assert Override.objects.count() == (1 if overturned else 0)
