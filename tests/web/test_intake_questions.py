"""Intake in two steps: the request, then the chosen criterion's questions (docs/domain.md §9).

The PA initiation decides what follows step 1: a claim that would pay today needs no
request (nothing is written); an open one asks the chosen criterion's questions, and
the answers go to the same service as the API's, with the same words when refused.
"""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from policies.models import Criterion, CriterionGrant, CriterionQuestion
from priorauth import services
from priorauth.models import Decision, Override, OverrideRequest, PHIAccess, Prescription
from tests.support import factories
from tests.support.questions import (
    ADDITIONAL_INDUCTION,
    INITIATING,
    REASON_TEXT,
    without_questions,
)
from tests.support.steps import KESIMPTA_NDC, VALID_NPI, submit_request

pytestmark = pytest.mark.django_db

REQUEST = {
    "member_id": "M1",
    "ndc": "00078-1007-68",
    "quantity": "4",
    "days_supply": "28",
    "channel": "retail",
    "prescriber_npi": VALID_NPI,
    "urgency": "standard",
    "criterion_number": "1",
    "clinical_notes": "New start; loading doses weeks 0, 1, 2 and 4.",
}
SECOND_CRITERION_QUESTION = "Was therapy interrupted for more than 12 weeks?"


@pytest.fixture
def intake_page(client, intake, kesimpta):
    factories.member("M1")
    client.force_login(intake)
    return client


def step_one(client, **changes):
    return client.post("/requests/new/", {**REQUEST, **changes, "step": "request"})


def step_two(client, answers: dict, **changes):
    """The final POST: the request as step 2 carries it in hidden inputs, and the answers."""
    fields = {f"answers-{key}": value for key, value in answers.items()}
    return client.post("/requests/new/", {**REQUEST, **changes, **fields, "step": "answers"})


def nothing_written() -> bool:
    return not (
        OverrideRequest.objects.exists()
        or Prescription.objects.exists()
        or Decision.objects.exists()
        or Override.objects.exists()
    )


def fill_days_ago(days: int) -> None:
    services.claim_adjudicate(
        member_id="M1",
        ndc=KESIMPTA_NDC,
        quantity=1,
        days_supply=28,
        channel="retail",
        date_of_service=timezone.localdate() - timedelta(days=days),
    )


def text_of(response) -> str:
    return response.content.decode().replace("&quot;", '"').replace("&#x27;", "'")


# --- Step 1: is a request needed at all? ---------------------------------------------


def test_a_claim_that_would_pay_today_needs_no_request_and_nothing_is_written(intake_page):
    response = step_one(intake_page, quantity="1")
    page = text_of(response)
    assert response.status_code == 200
    assert "No prior authorization is needed" in page
    assert "The claim would pay today within the plan's limit" in page
    assert nothing_written()
    # The way back: the request again, as it was typed, to change it.
    back = intake_page.post("/requests/new/", {**REQUEST, "quantity": "1", "step": "edit"})
    assert back.status_code == 200
    assert back.context["form"]["quantity"].value() == "1"
    assert 'value="M1"' in back.content.decode()
    assert nothing_written()


def test_the_initiation_reads_the_member_record_and_says_so(intake_page, intake):
    step_one(intake_page, quantity="1")
    entry = PHIAccess.objects.get()
    assert (entry.user, entry.member.member_id, entry.action) == (
        intake,
        "M1",
        "intake PA initiation",
    )


def test_an_ndc_no_policy_manages_is_an_error_beside_the_ndc(intake_page, as_intake):
    api = submit_request(as_intake, **{**REQUEST, "ndc": "12345678901"})
    response = step_one(intake_page, ndc="12345678901")
    assert response.status_code == 400
    assert response.context["form"].errors["ndc"] == api.json()["ndc"]
    assert nothing_written()


def test_an_unknown_member_is_an_error_beside_the_member(intake_page):
    response = step_one(intake_page, member_id="NOBODY")
    assert response.status_code == 400
    assert response.context["form"].errors["member_id"] == ["No member with ID NOBODY."]
    assert nothing_written()


# --- Step 2: the questions of the criterion chosen -----------------------------------


def test_the_chosen_criterion_s_questions_are_asked_with_its_words(intake_page):
    response = step_one(intake_page)
    page = text_of(response)
    assert response.status_code == 200
    assert "Criterion 1: Initiating treatment or additional induction dosing" in page
    assert "<dd>4 for 28 days, retail</dd>" in page  # the request it asks about
    # The request travels with the answers, to be checked again on the final POST.
    assert '<input type="hidden" name="member_id" value="M1">' in page
    assert (
        f'<input type="hidden" name="clinical_notes" value="{REQUEST["clinical_notes"]}">' in page
    )
    assert "If the patient is initiating treatment or requires additional induction" in page
    assert REASON_TEXT in page
    assert "(required)" in page
    for choice in (INITIATING, ADDITIONAL_INDUCTION, "other"):
        assert f'type="radio" name="answers-reason" value="{choice}"' in page
    assert nothing_written()


@pytest.fixture
def second_criterion(kesimpta):
    """Kesimpta with a second criterion that asks its own yes/no question."""
    criterion = Criterion.objects.create(
        policy=kesimpta,
        number=2,
        label="Restart after an interruption",
        text="If therapy was interrupted, approve a restart.",
        approval_days=30,
    )
    CriterionGrant.objects.create(
        criterion=criterion, channel="retail", max_quantity=4, per_days=28
    )
    CriterionQuestion.objects.create(
        criterion=criterion, key="interrupted", text=SECOND_CRITERION_QUESTION, type="boolean"
    )
    return criterion


def test_only_the_chosen_criterion_s_questions_are_asked(intake_page, second_criterion):
    first = text_of(step_one(intake_page, criterion_number="1"))
    assert REASON_TEXT in first
    assert SECOND_CRITERION_QUESTION not in first

    second = text_of(step_one(intake_page, criterion_number="2"))
    assert SECOND_CRITERION_QUESTION in second
    assert REASON_TEXT not in second
    assert 'name="answers-interrupted" value="yes"' in second
    assert 'name="answers-interrupted" value="no"' in second
    assert nothing_written()


def test_a_yes_answer_is_sent_as_true(intake_page, second_criterion):
    step_two(intake_page, {"interrupted": "yes"}, criterion_number="2")
    request = OverrideRequest.objects.get()
    assert request.answers == {"interrupted": True}


def test_other_is_submitted_at_once_with_no_questions(intake_page):
    response = step_one(intake_page, criterion_number="")
    assert response.status_code == 302
    request = OverrideRequest.objects.get()
    assert request.attested_criterion is None
    assert request.status == "pending"


def test_a_criterion_without_questions_is_submitted_at_once(intake_page, kesimpta):
    without_questions(kesimpta)
    response = step_one(intake_page)
    assert response.status_code == 302
    assert OverrideRequest.objects.get().attested_criterion.number == 1


# --- The final POST ---------------------------------------------------------------------


def test_initiating_treatment_with_no_fills_is_approved_at_once_with_its_number(intake_page):
    response = step_two(intake_page, {"reason": INITIATING})
    request = OverrideRequest.objects.get()
    override = Override.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/requests/{request.pk}/notice/"
    assert request.status == "approved"
    assert (request.decision.automatic, request.decision.decided_by.username) == (True, "system")

    notice = text_of(intake_page.get(response["Location"]))
    assert f"Request {request.pk} was approved automatically by the system" in notice
    assert override.authorization_number in notice
    assert override.starts_on.strftime("%B %-d, %Y") in notice
    assert override.ends_on.strftime("%B %-d, %Y") in notice
    assert "<td>retail</td><td>4 pens</td><td>28 days</td>" in notice.lower()  # what it allows
    assert "approved automatically by the system on" in notice  # when the system decided
    assert 'Decided by</dt><dd class="decider">the system, automatically' in notice


def test_a_recent_fill_pends_with_the_reason_given(intake_page):
    fill_days_ago(30)
    response = step_two(intake_page, {"reason": INITIATING})
    request = OverrideRequest.objects.get()
    assert response["Location"] == "/requests/mine/"
    page = text_of(intake_page.get(response["Location"]))
    due = timezone.localtime(request.due_at)
    assert f"Request {request.pk} received; due by {due:%Y-%m-%d %H:%M}" in page
    filled_on = timezone.localdate() - timedelta(days=30)
    assert f"Last paid fill {filled_on.isoformat()}, 30 days before receipt" in page
    assert request.status == "pending"
    assert not Decision.objects.exists()


def test_additional_induction_dosing_pends_for_a_pharmacist(intake_page):
    response = step_two(intake_page, {"reason": ADDITIONAL_INDUCTION})
    page = text_of(intake_page.get(response["Location"]))
    assert 'answered "additional induction dosing"; approved automatically only for' in page
    assert OverrideRequest.objects.get().status == "pending"


def test_a_required_question_left_unanswered_pends_it_is_not_an_error(intake_page):
    response = step_two(intake_page, {})
    assert response.status_code == 302
    request = OverrideRequest.objects.get()
    assert (request.status, request.answers) == ("pending", {})
    assert f'"{REASON_TEXT}" not answered.' in text_of(intake_page.get("/requests/mine/"))


@pytest.fixture
def more_questions(kesimpta):
    criterion = kesimpta.criteria.get(number=1)
    CriterionQuestion.objects.create(
        criterion=criterion, key="first_dose", text="Date of the first dose", type="date"
    )
    CriterionQuestion.objects.create(
        criterion=criterion, key="doses_given", text="Doses given so far", type="number"
    )


@pytest.mark.parametrize(
    ("key", "value"),
    [("reason", "lost pen"), ("first_dose", "2026-13-01"), ("doses_given", "two")],
)
def test_an_answer_that_cannot_be_read_is_a_field_error_in_the_api_s_words(
    intake_page, as_intake, more_questions, key, value
):
    api = submit_request(as_intake, member_id="M1", answers={key: value})
    assert api.status_code == 400
    response = step_two(intake_page, {key: value})
    assert response.status_code == 400
    errors = response.context["answers_form"].errors
    assert errors == {f"answers-{key}": api.json()["answers"][key]}
    assert api.json()["answers"][key][0] in text_of(response)
    assert nothing_written()
    # The questions are shown again, with what was typed, beside the message.
    assert response.context["answers_form"][f"answers-{key}"].value() == value


def test_answers_of_every_type_are_stored_in_their_normal_form(intake_page, more_questions):
    step_two(
        intake_page,
        {"reason": "Initiating Treatment", "first_dose": "2026-01-05", "doses_given": "2.50"},
    )
    assert OverrideRequest.objects.get().answers == {
        "reason": INITIATING,
        "first_dose": "2026-01-05",
        "doses_given": "2.5",
    }


def test_the_carried_request_is_checked_again_on_the_final_post(intake_page):
    response = step_two(intake_page, {"reason": INITIATING}, quantity="0")
    assert response.status_code == 400
    assert response.context["form"].errors["quantity"] == [
        "Quantity must be a number greater than 0."
    ]
    assert "answers_form" not in response.context  # back on step 1, where it can be fixed
    assert nothing_written()


def test_a_refusal_about_the_request_on_the_final_post_goes_back_to_step_one(intake_page):
    # A criterion number another policy has, but Kesimpta not: the service refuses it.
    response = step_two(intake_page, {"reason": INITIATING}, criterion_number="7")
    assert response.status_code == 400
    assert nothing_written()


def test_change_the_request_from_step_two_keeps_what_was_typed(intake_page):
    response = intake_page.post(
        "/requests/new/", {**REQUEST, "answers-reason": INITIATING, "step": "edit"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert not form.is_bound
    assert (form["member_id"].value(), form["clinical_notes"].value()) == (
        "M1",
        REQUEST["clinical_notes"],
    )
    assert nothing_written()


# --- Accessible forms ---------------------------------------------------------------------


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.described_by, self.legends = set(), [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if attrs.get("aria-describedby"):
            self.described_by += attrs["aria-describedby"].split()
        self.legends += tag == "legend"


def parsed(response) -> _Ids:
    ids = _Ids()
    ids.feed(response.content.decode())
    return ids


def test_every_described_by_names_an_element_that_exists(intake_page, more_questions):
    for response in (
        step_one(intake_page),  # the questions, no errors yet
        step_two(intake_page, {"reason": "lost pen", "doses_given": "two"}),
        step_one(intake_page, quantity="0", ndc="1"),
    ):
        found = parsed(response)
        assert found.described_by, "nothing is described: the check would prove nothing"
        assert set(found.described_by) <= found.ids


def test_radios_are_a_group_named_by_a_legend_and_the_error_is_tied_to_it(intake_page):
    response = step_two(intake_page, {"reason": "lost pen"})
    page = response.content.decode()
    assert parsed(response).legends == 1
    fieldset = re.search(r"<fieldset[^>]*>", page).group(0)
    assert 'aria-describedby="id_answers-reason_helptext id_answers-reason_error"' in fieldset
    assert 'id="id_answers-reason_error"' in page
    assert "data-focus-first-error" in page
