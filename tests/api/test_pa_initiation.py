"""PA initiation (docs/domain.md §9.4): closed when no PA is needed, open with the
questions otherwise; it writes nothing but the PHI access log."""

from datetime import date, timedelta

import pytest

from priorauth.models import Claim, OverrideRequest, PHIAccess
from tests.support.cast import token_client
from tests.support.steps import KESIMPTA_NDC, at_noon, create_member, submit_claim, submit_request

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 2)
URL = "/api/v1/pa-initiations/"


@pytest.fixture
def member(kesimpta, as_intake):
    with at_noon(TODAY):
        assert create_member(as_intake, "M1").status_code == 201


def _initiate(client, **fields):
    body = {
        "member_id": "M1",
        "ndc": "00078-1007-68",
        "quantity": "4",
        "days_supply": 28,
        "channel": "retail",
    }
    body.update(fields)
    with at_noon(TODAY):
        return client.post(URL, body, format="json")


def test_more_than_the_limit_is_open_with_the_criteria_and_their_questions(member, as_intake):
    response = _initiate(as_intake)
    assert response.status_code == 200
    answer = response.json()
    assert (answer["status"], answer["reason"]) == ("open", "")
    assert answer["policy_code"] == "cigna-ms-kesimpta-dqm"
    assert answer["message"].startswith("Plan limit exceeded: 1 pen per 28 days at retail.")
    [criterion] = answer["criteria"]
    assert criterion["number"] == 1
    assert criterion["text"].startswith("If the patient is initiating treatment")
    assert criterion["questions"] == [
        {
            "id": "reason",
            "text": "Why does the patient need more than the plan limit?",
            "type": "choice",
            "required": True,
            "choices": ["initiating treatment", "additional induction dosing", "other"],
        }
    ]


def test_a_claim_that_would_pay_today_is_closed_within_limit(member, as_intake):
    answer = _initiate(as_intake, quantity="1").json()
    assert (answer["status"], answer["reason"]) == ("closed", "within_limit")
    assert answer["criteria"] == []
    assert "no prior authorization is needed" in answer["message"]


def test_a_claim_that_would_pay_under_an_override_in_force_is_closed(member, as_intake):
    with at_noon(TODAY):
        approved = submit_request(
            as_intake, member_id="M1", answers={"reason": "initiating treatment"}
        ).json()
    answer = _initiate(as_intake).json()
    assert (answer["status"], answer["reason"]) == ("closed", "within_limit")
    assert approved["override"]["authorization_number"] in answer["message"]


def test_a_second_pen_too_early_is_open(member, as_intake, claims_system):
    with at_noon(TODAY - timedelta(days=10)):
        assert submit_claim(token_client(claims_system), member_id="M1").json()["status"] == "paid"
    answer = _initiate(as_intake, quantity="1").json()
    assert answer["status"] == "open"
    assert "Allowed now: 0 pens" in answer["message"]


def test_an_ndc_no_policy_manages_is_closed_not_managed(member, as_intake):
    answer = _initiate(as_intake, ndc="12345678901").json()
    assert (answer["status"], answer["reason"]) == ("closed", "not_managed")
    assert answer["policy_code"] is None


def test_an_unknown_or_uncovered_member_is_refused(kesimpta, as_intake):
    assert _initiate(as_intake, member_id="NOPE").json() == {
        "member_id": ["No member with ID NOPE."]
    }
    with at_noon(TODAY):
        create_member(as_intake, "M2", coverage_start="2027-01-01")
    response = _initiate(as_intake, member_id="M2")
    assert response.status_code == 400
    assert "not covered" in response.json()["member_id"][0]


def test_bad_input_gets_field_messages(member, as_intake):
    response = _initiate(as_intake, quantity="0", channel="mail")
    assert response.status_code == 400
    assert set(response.json()) == {"quantity", "channel"}


def test_it_writes_nothing_but_the_access_log(member, as_intake):
    _initiate(as_intake)
    assert Claim.objects.count() == OverrideRequest.objects.count() == 0
    [entry] = PHIAccess.objects.filter(action="api PA initiation")
    assert (entry.member.member_id, entry.user.username) == ("M1", "intake")


def test_only_intake_initiates(member, as_pharmacist, as_claims):
    assert _initiate(as_pharmacist).status_code == 403
    assert _initiate(as_claims).status_code == 403


def test_the_ndc_in_the_answer_is_not_echoed_but_normalised_for_the_check(member, as_intake):
    assert _initiate(as_intake, ndc=KESIMPTA_NDC).json() == _initiate(as_intake).json()
