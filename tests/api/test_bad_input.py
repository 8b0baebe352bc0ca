"""Every bad input of docs/domain.md §7: a 4xx, a field-level message, and nothing written."""

import pytest

from priorauth.models import Claim, Decision, Member, Override, OverrideRequest, Prescription
from tests.support.steps import VALID_NPI, create_member, decide, submit_claim, submit_request

pytestmark = pytest.mark.django_db


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (Member, Claim, OverrideRequest, Prescription, Decision, Override)
    }


@pytest.fixture
def member(kesimpta, as_intake):
    assert create_member(as_intake, "M1").status_code == 201
    return "M1"


def assert_refused(response, field, *fragments, status=400):
    assert response.status_code == status, response.content
    body = response.json()
    assert field in body, body
    message = " ".join(body[field])
    for fragment in fragments:
        assert fragment in message, message


@pytest.mark.parametrize(
    ("fields", "field", "fragments"),
    [
        ({"member_id": "NOBODY"}, "member_id", ["No member with ID NOBODY"]),
        ({"ndc": "0007810076"}, "ndc", ["is not an NDC", "11 digits"]),
        ({"ndc": "00078-1007-6X"}, "ndc", ["is not an NDC"]),
        ({"ndc": "000781007680"}, "ndc", ["is not an NDC"]),
        # Digits of another script are digits to Python's \d, not to an NDC.
        ({"ndc": "0007810076\u0668"}, "ndc", ["is not an NDC"]),
        ({"member_id": "has spaces"}, "member_id", ["1 to 20 letters, digits or hyphens"]),
        ({"quantity": "0"}, "quantity", ["greater than 0"]),
        ({"quantity": "-1"}, "quantity", ["greater than 0"]),
        ({"quantity": "four"}, "quantity", ["greater than 0"]),
        ({"quantity": "1.0005"}, "quantity", ["3 decimal places"]),
        ({"days_supply": 0}, "days_supply", ["from 1 to 365"]),
        ({"days_supply": -28}, "days_supply", ["from 1 to 365"]),
        ({"days_supply": 366}, "days_supply", ["from 1 to 365"]),
        ({"days_supply": "a month"}, "days_supply", ["from 1 to 365"]),
        ({"channel": "mail"}, "channel", ['"mail" is not a channel']),
        ({"date_of_service": "2999-01-01"}, "date_of_service", ["in the future"]),
        ({"date_of_service": "yesterday"}, "date_of_service", ["Date has wrong format"]),
    ],
)
def test_a_bad_claim_is_refused_on_its_field_and_writes_nothing(
    member, as_claims, fields, field, fragments
):
    before = _counts()
    response = submit_claim(as_claims, **{"member_id": member, **fields})
    assert_refused(response, field, *fragments)
    assert _counts() == before


def test_a_claim_missing_its_fields_names_each_of_them(member, as_claims):
    response = as_claims.post("/api/v1/claims/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"member_id", "ndc", "quantity", "days_supply", "channel"}
    assert Claim.objects.count() == 0


def test_a_hyphenated_ndc_is_accepted_and_stored_as_eleven_digits(member, as_claims):
    response = submit_claim(as_claims, member_id=member, ndc="00078-1007-68")
    assert response.status_code == 201, response.json()
    assert response.json()["ndc"] == "00078100768"
    assert response.json()["policy_code"] == "cigna-ms-kesimpta-dqm"


def test_a_claim_for_an_ndc_no_policy_manages_pays_unmanaged(member, as_claims):
    response = submit_claim(as_claims, member_id=member, ndc="12345678901", quantity="90")
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["policy_code"], body["limit"]) == ("paid", None, None)


@pytest.mark.parametrize(
    ("fields", "field", "fragments"),
    [
        ({"member_id": "NOBODY"}, "member_id", ["No member with ID NOBODY"]),
        ({"ndc": "1234"}, "ndc", ["is not an NDC"]),
        ({"ndc": "12345678901"}, "ndc", ["NDC 12345678901 is not managed"]),
        ({"quantity": "0"}, "quantity", ["greater than 0"]),
        ({"days_supply": 400}, "days_supply", ["from 1 to 365"]),
        ({"channel": "drive-through"}, "channel", ["is not a channel"]),
        ({"prescriber_npi": "1234567890"}, "prescriber_npi", ["fails its check digit"]),
        ({"prescriber_npi": "12345"}, "prescriber_npi", ["10 digits"]),
        # str.isdigit() takes a superscript 2, which int() then refuses (it was a 500).
        ({"prescriber_npi": "123456789\u00b2"}, "prescriber_npi", ["10 digits"]),
        ({"urgency": "urgent"}, "urgency", ["is not a valid choice"]),
        ({"criterion_number": 7}, "criterion_number", ["has no criterion 7", "it has 1"]),
    ],
)
def test_a_bad_override_request_is_refused_on_its_field_and_writes_nothing(
    member, as_intake, fields, field, fragments
):
    before = _counts()
    response = submit_request(as_intake, **{"member_id": member, **fields})
    assert_refused(response, field, *fragments)
    assert _counts() == before


def test_a_valid_npi_passes_its_check_digit(member, as_intake):
    response = submit_request(as_intake, member_id=member, prescriber_npi=VALID_NPI)
    assert response.status_code == 201, response.json()


@pytest.fixture
def pending_request(member, as_intake):
    response = submit_request(as_intake, member_id=member)
    assert response.status_code == 201
    return response.json()["id"]


@pytest.mark.parametrize(
    ("fields", "field", "fragments"),
    [
        (
            {"decision": "approve", "criterion_number": 2},
            "criterion_number",
            ["has no criterion 2"],
        ),
        ({"decision": "approve"}, "criterion_number", ["Name the criterion"]),
        ({"decision": "deny"}, "reason", ["A denial needs a reason"]),
        ({"decision": "deny", "reason": "   "}, "reason", ["A denial needs a reason"]),
        ({"decision": "maybe"}, "decision", ['"maybe" is not a decision']),
    ],
)
def test_a_bad_decision_is_refused_on_its_field_and_writes_nothing(
    pending_request, as_pharmacist, fields, field, fragments
):
    before = _counts()
    response = decide(as_pharmacist, pending_request, **fields)
    assert_refused(response, field, *fragments)
    assert _counts() == before
    assert OverrideRequest.objects.get(pk=pending_request).status == "pending"


def test_deciding_an_unknown_request_is_404(kesimpta, as_pharmacist):
    response = decide(as_pharmacist, 999, decision="approve", criterion_number=1)
    assert_refused(response, "request_id", "No override request with ID 999", status=404)


def test_a_second_decision_is_refused_with_409_and_changes_nothing(pending_request, as_pharmacist):
    first = decide(as_pharmacist, pending_request, decision="approve", criterion_number=1)
    assert first.status_code == 200
    before = _counts()
    second = decide(as_pharmacist, pending_request, decision="deny", reason="changed my mind")
    assert_refused(second, "decision", "already approved by pharmacist", status=409)
    assert _counts() == before
    assert OverrideRequest.objects.get(pk=pending_request).status == "approved"


def test_a_duplicate_member_id_is_refused(member, as_intake):
    before = _counts()
    response = create_member(as_intake, member, first_name="Other")
    assert_refused(response, "member_id", "already exists")
    assert _counts() == before


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"member_id": "has spaces"}, "member_id"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"line_of_business": "cash"}, "line_of_business"),
        ({"first_name": ""}, "first_name"),
    ],
)
def test_a_bad_member_is_refused_on_its_field(kesimpta, as_intake, fields, field):
    response = create_member(as_intake, **{"member_id": "M9", **fields})
    assert response.status_code == 400
    assert field in response.json()
    assert Member.objects.count() == 0


def test_reversing_twice_is_409_and_reversing_an_unknown_claim_is_404(member, as_claims):
    claim_id = submit_claim(as_claims, member_id=member).json()["id"]
    assert as_claims.post(f"/api/v1/claims/{claim_id}/reversal/").status_code == 200
    again = as_claims.post(f"/api/v1/claims/{claim_id}/reversal/")
    assert_refused(again, "claim_id", "already reversed", status=409)
    unknown = as_claims.post("/api/v1/claims/424242/reversal/")
    assert_refused(unknown, "claim_id", "No claim with ID 424242", status=404)
    assert Claim.objects.get(pk=claim_id).status == "reversed"


def test_a_rejected_claim_cannot_be_reversed(member, as_claims):
    rejected = submit_claim(as_claims, member_id=member, quantity="4").json()
    assert rejected["status"] == "rejected"
    response = as_claims.post(f"/api/v1/claims/{rejected['id']}/reversal/")
    assert_refused(response, "claim_id", "only a paid claim can be reversed", status=409)
