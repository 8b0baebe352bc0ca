"""Submission with answers (docs/domain.md §9): approved at once when the evidence proves
it, pended with every reason otherwise, never denied — through the HTTP API."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction

from priorauth.models import (
    Decision,
    DecisionOutcome,
    Override,
    OverrideRequest,
    Prescription,
    RequestStatus,
)
from tests.support import factories
from tests.support.steps import at_noon, create_member, submit_claim, submit_request

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 2)
INITIATING = {"reason": "initiating treatment"}


@pytest.fixture
def member(kesimpta, as_intake):
    with at_noon(TODAY):
        assert create_member(as_intake, "M1").status_code == 201
    return "M1"


def _submit(client, **fields):
    with at_noon(TODAY):
        return submit_request(client, member_id="M1", **fields)


def _reasons(answer) -> list[str]:
    return answer["determination"]["reasons"]


def test_initiating_with_no_fills_is_approved_in_the_answer_and_the_claim_then_pays(
    member, as_intake, as_claims
):
    response = _submit(as_intake, answers=INITIATING)
    assert response.status_code == 201
    answer = response.json()
    assert answer["status"] == "approved"
    assert answer["decided_by"] == "system"
    assert answer["determination"]["outcome"] == "approved"
    assert answer["decision"]["automatic"] is True
    override = answer["override"]
    assert override["authorization_number"].startswith("PA")
    assert (override["starts_on"], override["ends_on"]) == ("2026-11-02", "2026-12-01")
    with at_noon(TODAY + timedelta(days=1)):
        claim = submit_claim(as_claims, member_id="M1", quantity="4").json()
    assert claim["status"] == "paid"
    assert claim["override"]["authorization_number"] == override["authorization_number"]


def test_the_automatic_approval_is_the_same_approval_a_pharmacist_makes(member, as_intake):
    answer = _submit(as_intake, answers=INITIATING).json()
    request = OverrideRequest.objects.get(pk=answer["id"])
    decision = Decision.objects.get(request=request)
    assert decision.decided_by.username == "system"
    assert decision.criterion.number == 1
    assert decision.reason.startswith("Approved automatically under criterion 1:")
    assert "No paid fill of the policy's products in the 180 days" in decision.reason
    override = Override.objects.get(request=request)
    allowances = {a.channel: (a.max_quantity, a.per_days) for a in override.allowances.all()}
    assert allowances == {"retail": (4, 28), "home_delivery": (6, 84)}
    reasons = [row.history_change_reason for row in request.history.order_by("history_id")]
    assert reasons == ["received", "approved automatically under criterion 1"]
    assert override.history.get().history_user.username == "system"


def test_a_fill_30_days_before_receipt_pends_with_that_reason(member, as_intake, as_claims):
    with at_noon(TODAY - timedelta(days=30)):
        assert submit_claim(as_claims, member_id="M1").json()["status"] == "paid"
    answer = _submit(as_intake, answers=INITIATING).json()
    assert answer["status"] == "pending"
    assert answer["decided_by"] is None and answer["override"] is None
    assert _reasons(answer) == [
        "Last paid fill 2026-10-03, 30 days before receipt: inside the 180-day look-back, "
        "so this is not a new start."
    ]


def test_a_fill_reversed_since_does_not_count(member, as_intake, as_claims):
    with at_noon(TODAY - timedelta(days=30)):
        claim_id = submit_claim(as_claims, member_id="M1").json()["id"]
        assert as_claims.post(f"/api/v1/claims/{claim_id}/reversal/").status_code == 200
    assert _submit(as_intake, answers=INITIATING).json()["status"] == "approved"


@pytest.mark.parametrize(
    ("answers", "reason"),
    [
        (
            {"reason": "additional induction dosing"},
            '"Why does the patient need more than the plan limit?" answered "additional '
            'induction dosing"; approved automatically only for "initiating treatment".',
        ),
        (
            {"reason": "other"},
            '"Why does the patient need more than the plan limit?" answered "other"; '
            'approved automatically only for "initiating treatment".',
        ),
        (
            {},
            '"Why does the patient need more than the plan limit?" not answered.',
        ),
    ],
)
def test_anything_but_initiating_treatment_goes_to_a_pharmacist(member, as_intake, answers, reason):
    answer = _submit(as_intake, answers=answers).json()
    assert answer["status"] == "pending"
    assert _reasons(answer) == [reason]


def test_other_criterion_pends(member, as_intake):
    answer = _submit(as_intake, criterion_number=None).json()
    assert answer["status"] == "pending"
    assert _reasons(answer) == ['No criterion was attested ("other").']


def test_more_than_the_grant_pends(member, as_intake):
    answer = _submit(as_intake, quantity="8", answers=INITIATING).json()
    assert answer["status"] == "pending"
    assert _reasons(answer) == [
        "Asked for 8 pens for 28 days, more than the criterion allows (4 pens per 28 days at "
        "retail)."
    ]


def test_a_second_request_while_the_first_override_is_in_force_pends(member, as_intake):
    first = _submit(as_intake, answers=INITIATING).json()
    second = _submit(as_intake, answers=INITIATING).json()
    assert second["status"] == "pending"
    number = first["override"]["authorization_number"]
    assert _reasons(second) == [
        f"Override {number} of this policy is already in force until 2026-12-01."
    ]


def test_automatic_approval_can_be_turned_off(member, as_intake, settings):
    settings.PRIORAUTH_AUTO_APPROVE = False
    answer = _submit(as_intake, answers=INITIATING).json()
    assert answer["status"] == "pending"
    assert _reasons(answer) == ["Automatic approval is turned off for this plan."]


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"answers": {"why": "initiating treatment"}},
            {"answers": {"why": ['There is no question "why" here; the questions are: reason.']}},
        ),
        (
            {"answers": {"reason": True}},
            {
                "answers": {
                    "reason": [
                        "True is not one of the answers: initiating treatment; additional "
                        "induction dosing; other."
                    ]
                }
            },
        ),
        (
            {"answers": ["initiating treatment"]},
            {"answers": ['Answers are an object of question id to answer, e.g. {"reason": "…"}.']},
        ),
        (
            {"criterion_number": None, "answers": INITIATING},
            {
                "answers": [
                    "Answers belong to a criterion's questions: name the criterion "
                    "(criterion_number) they answer, or leave the answers out."
                ]
            },
        ),
    ],
)
def test_answers_that_cannot_be_read_are_refused_and_nothing_is_written(
    member, as_intake, body, errors
):
    response = _submit(as_intake, **body)
    assert response.status_code == 400
    assert response.json() == errors
    assert OverrideRequest.objects.count() == Prescription.objects.count() == 0


def test_a_retried_submission_with_its_key_is_approved_once(member, as_intake):
    body = {
        "member_id": "M1",
        "ndc": "00078100768",
        "quantity": "4",
        "days_supply": 28,
        "channel": "retail",
        "prescriber_npi": "1234567893",
        "urgency": "standard",
        "criterion_number": 1,
        "answers": INITIATING,
    }
    url = "/api/v1/override-requests/"
    with at_noon(TODAY):
        first, retry = (
            as_intake.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="pa-1") for _ in range(2)
        )
    assert first.json()["status"] == "approved"
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert OverrideRequest.objects.count() == Override.objects.count() == 1


def test_the_request_keeps_the_answers_and_what_the_system_found(member, as_intake, as_auditor):
    created = _submit(as_intake, answers={"reason": "  Initiating   TREATMENT "}).json()
    assert created["answers"] == INITIATING  # the policy's spelling
    read = as_auditor.get(f"/api/v1/override-requests/{created['id']}/").json()
    assert read["answers"] == INITIATING
    assert read["determination"] == created["determination"]
    subjects = [f["subject"] for f in read["determination"]["findings"]]
    assert subjects == ["question", "evidence", "grant"]


def test_the_database_refuses_an_automatic_denial(member):
    request = factories.kesimpta_request("M1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(
            request=request,
            outcome=DecisionOutcome.DENY,
            reason="machine says no",
            decided_by=factories.reviewer(),
            decided_at=request.received_at,
            automatic=True,
        )


def test_no_answer_to_any_shipped_criterion_is_ever_denied(db, as_intake):
    """Every criterion of every shipped policy, every closed answer: approved or pending."""
    from policies.files import load_policy_file
    from policies.selectors import criteria_of
    from tests.support.paths import POLICY_DATA

    statuses = set()
    count = 0
    for path in sorted(POLICY_DATA.glob("*.yaml")):
        policy = load_policy_file(path).policy
        ndc = policy.products.first().ndcs.first().ndc
        for number, criterion in criteria_of(policy).items():
            for answers in _every_closed_answer(criterion.rules.questions):
                count += 1
                member_id = f"N{count}"
                create_member(as_intake, member_id)
                response = submit_request(
                    as_intake,
                    member_id=member_id,
                    ndc=ndc,
                    criterion_number=number,
                    quantity=str(criterion.grants["retail"].max_quantity),
                    days_supply=criterion.grants["retail"].per_days,
                    answers=answers,
                )
                assert response.status_code == 201, response.json()
                statuses.add(response.json()["status"])
    assert statuses == {RequestStatus.APPROVED, RequestStatus.PENDING}
    assert not Decision.objects.filter(outcome=DecisionOutcome.DENY).exists()


def _every_closed_answer(questions):
    answers = [{}]
    for question in questions:
        options = {"boolean": [True, False, None], "choice": [*question.choices, None]}.get(
            question.type, [None]
        )
        answers = [
            {**partial, **({question.id: value} if value is not None else {})}
            for partial in answers
            for value in options
        ]
    return answers
