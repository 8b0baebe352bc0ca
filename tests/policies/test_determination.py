"""Tests for the real-time determination in ``policies.rules.determination`` (DESIGN §9).

The determination approves an override request or pends it for a pharmacist; it never
denies. Requests are received on 2026-03-02 ("day of receipt"); a fill "30 days ago" is
dated 2026-01-31. Unless a test says otherwise the request is Kesimpta's criterion 1 at
retail: 4 pens for 28 days against a grant of 4 pens per 28 days.

Unit tests first (answers, then each finding), then the Kesimpta example end to end,
then property tests over generated criteria, answers, fills and requests.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from policies.rules import Limit
from policies.rules.determination import (
    APPROVED,
    MAX_TEXT_ANSWER,
    PENDED,
    QUESTION_TYPES,
    CriterionRules,
    Determination,
    EvidenceClause,
    Finding,
    Question,
    Requested,
    check_answers,
    determine,
    look_back_days,
)
from tests.support.hostile import ODD_VALUES

RECEIVED = date(2026, 3, 2)

INITIATING = "initiating treatment"
INDUCTION = "additional induction dosing"
OTHER = "other"
REASONS = (INITIATING, INDUCTION, OTHER)

RETAIL_GRANT = Limit(Decimal("4"), 28)
HOME_DELIVERY_GRANT = Limit(Decimal("6"), 84)


# --- Building criteria, answers, fills and requests -------------------------------------


def days_before_receipt(days: int) -> date:
    return RECEIVED - timedelta(days=days)


def reason_question(*, required: bool = True, approve_when=(INITIATING,)) -> Question:
    """Kesimpta's question: why more than the plan limit."""
    return Question(
        id="reason",
        text="Why does the patient need more than the plan limit?",
        type="choice",
        choices=REASONS,
        required=required,
        approve_when=tuple(approve_when),
    )


def yes_no_question(qid: str = "diagnosed", *, required=False, approve_when=()) -> Question:
    return Question(
        id=qid,
        text="Is the diagnosis relapsing multiple sclerosis?",
        type="boolean",
        required=required,
        approve_when=tuple(approve_when),
    )


def open_question(qid: str, kind: str, *, required: bool = False) -> Question:
    """A question with no approve_when: any answer supports approval."""
    return Question(id=qid, text=f"The {qid}?", type=kind, required=required)


def new_start(days: int) -> EvidenceClause:
    """No paid fill in the `days` days before receipt."""
    return EvidenceClause("no_paid_fill_within_days", days)


def on_treatment(days: int) -> EvidenceClause:
    """At least one paid fill in the `days` days before receipt."""
    return EvidenceClause("paid_fill_within_days", days)


def criterion(*questions: Question, evidence=(), auto_approve=True, number=1) -> CriterionRules:
    return CriterionRules(
        number=number,
        auto_approve=auto_approve,
        questions=tuple(questions),
        evidence=tuple(evidence),
    )


KESIMPTA_CRITERION_1 = criterion(reason_question(), evidence=[new_start(180)])


def pens(
    quantity, days_supply: int = 28, *, grant: Limit | None = RETAIL_GRANT, channel="retail"
) -> Requested:
    """A request for `quantity` pens, with the criterion's grant at `channel` (None: none)."""
    return Requested(Decimal(str(quantity)), days_supply, channel, "pen", grant)


def home_delivery_pens(quantity, days_supply: int = 84) -> Requested:
    return pens(quantity, days_supply, grant=HOME_DELIVERY_GRANT, channel="home delivery")


def decide(
    rules: CriterionRules | None = KESIMPTA_CRITERION_1,
    answers: dict | None = None,
    *,
    fills: tuple[date, ...] = (),
    requested: Requested | None = None,
    override_in_force: str | None = None,
    enabled: bool = True,
) -> Determination:
    return determine(
        criterion=rules,
        answers={"reason": INITIATING} if answers is None else answers,
        fill_dates=fills,
        received_on=RECEIVED,
        requested=requested or pens(4),
        override_in_force=override_in_force,
        enabled=enabled,
    )


def about(result: Determination, subject: str, key: str = "") -> Finding:
    """The one finding about `subject` (and `key`)."""
    (found,) = [f for f in result.findings if f.subject == subject and f.key == key]
    return found


def answer_of(question: Question, raw: object) -> object:
    """The normal form of one answer, which must be readable."""
    clean, problems = check_answers([question], {question.id: raw})
    assert problems == {}
    return clean[question.id]


def problem_with(question: Question, raw: object) -> str:
    """The problem with one answer, which must not be readable."""
    clean, problems = check_answers([question], {question.id: raw})
    assert clean == {}
    return problems[question.id]


# --- check_answers: reading raw JSON answers ---------------------------------------------


@pytest.mark.parametrize("raw", [True, False])
def test_a_boolean_is_answered_true_or_false(raw):
    assert answer_of(yes_no_question(), raw) is raw


@pytest.mark.parametrize("raw", [1, 0, "yes", "true", "no", 1.0, [True]])
def test_a_boolean_is_not_answered_with_a_number_or_a_word(raw):
    assert problem_with(yes_no_question(), raw) == f"Answer true or false, not {raw!r}."


@pytest.mark.parametrize(
    "raw",
    [INITIATING, "Initiating Treatment", "  initiating   treatment ", "INITIATING\tTREATMENT"],
)
def test_a_choice_matches_whatever_the_case_and_spacing_and_keeps_the_policys_spelling(raw):
    assert answer_of(reason_question(), raw) == INITIATING


def test_a_choice_spelt_oddly_in_the_policy_is_still_its_own_answer():
    oddly = Question(
        "reason", "Why?", "choice", choices=("Initiating  Treatment", " other"), required=True
    )
    assert answer_of(oddly, "Initiating  Treatment") == "Initiating  Treatment"
    assert answer_of(oddly, "initiating treatment") == "Initiating  Treatment"
    assert answer_of(oddly, "other") == " other"


@pytest.mark.parametrize("raw", ["maybe", "initiating", True, 1, ["other"]])
def test_an_answer_not_among_the_choices_is_refused_with_the_choices_listed(raw):
    assert problem_with(reason_question(), raw) == (
        f"{raw!r} is not one of the answers: "
        "initiating treatment; additional induction dosing; other."
    )


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        (2, "2"),
        (-3, "-3"),
        (2.5, "2.5"),
        (0.1, "0.1"),
        ("2.50", "2.5"),
        (" 7 ", "7"),
        ("1E+2", "100"),
        ("100", "100"),
        (Decimal("2.50"), "2.5"),
        (Decimal("0.000"), "0"),
    ],
)
def test_a_number_is_read_from_an_int_float_string_or_decimal_as_a_decimal_string(raw, normal):
    assert answer_of(open_question("weight", "number"), raw) == normal


@pytest.mark.parametrize(
    "raw",
    [
        math.nan,
        math.inf,
        -math.inf,
        "NaN",
        "Infinity",
        "sNaN",
        True,
        False,
        "abc",
        "2 pens",
        [2],
        {"value": 2},
    ],
)
def test_what_is_not_a_finite_number_is_refused(raw):
    assert problem_with(open_question("weight", "number"), raw) == f"Answer a number, not {raw!r}."


@pytest.mark.parametrize(
    "digits", ["9" * 60, "1.0000000000000000000000000000001", "-123456789012345678901234567890.5"]
)
def test_a_number_is_kept_to_its_last_digit(digits):
    # A decimal context rounds to 28 digits by default; an answer is stored as given.
    assert answer_of(open_question("weight", "number"), digits) == digits


@pytest.mark.parametrize(
    "raw",
    [
        "1e999999",  # a million digits written out
        "1e-999999",
        "1e999999999",  # past the default context's exponent: must not raise Overflow
        "-1e999999999",
        "9" * (MAX_TEXT_ANSWER + 1),
        10**MAX_TEXT_ANSWER,
    ],
)
def test_a_number_too_long_to_write_out_is_refused_like_a_long_text(raw):
    assert problem_with(open_question("weight", "number"), raw) == (
        f"Keep the answer to {MAX_TEXT_ANSWER} characters."
    )


def test_a_number_as_long_as_a_text_answer_may_be_is_kept():
    longest = "9" * MAX_TEXT_ANSWER
    assert answer_of(open_question("weight", "number"), longest) == longest


@pytest.mark.parametrize(
    ("raw", "normal"), [("2026-01-05", "2026-01-05"), (" 2025-12-31 ", "2025-12-31")]
)
def test_a_date_is_answered_as_yyyy_mm_dd(raw, normal):
    assert answer_of(open_question("started", "date"), raw) == normal


@pytest.mark.parametrize(
    "raw", ["05/01/2026", "2026-1-5", "2026-02-30", "2026-01-05T10:00", "yesterday", 20260105]
)
def test_a_date_in_any_other_spelling_is_refused(raw):
    assert problem_with(open_question("started", "date"), raw) == (
        f"Answer a date as YYYY-MM-DD, not {raw!r}."
    )


def test_a_text_answer_is_kept_without_its_surrounding_space():
    assert answer_of(open_question("note", "text"), "  weeks 0, 1, 2\n") == "weeks 0, 1, 2"


def test_a_text_answer_may_be_as_long_as_the_limit_and_no_longer():
    note = open_question("note", "text")
    assert answer_of(note, "x" * MAX_TEXT_ANSWER) == "x" * MAX_TEXT_ANSWER
    assert problem_with(note, "x" * (MAX_TEXT_ANSWER + 1)) == (
        f"Keep the answer to {MAX_TEXT_ANSWER} characters."
    )


@pytest.mark.parametrize("raw", [5, True, ["words"]])
def test_a_text_answer_is_words(raw):
    assert problem_with(open_question("note", "text"), raw) == f"Answer in words, not {raw!r}."


def test_an_unknown_question_is_refused_naming_the_questions_there_are():
    questions = [reason_question(), yes_no_question()]
    clean, problems = check_answers(questions, {"reason": OTHER, "reson": INITIATING})
    assert problems == {
        "reson": 'There is no question "reson" here; the questions are: reason, diagnosed.'
    }
    assert clean == {"reason": OTHER}


def test_an_answer_to_a_criterion_without_questions_says_there_are_none():
    _, problems = check_answers([], {"reason": OTHER})
    assert problems == {"reason": 'There is no question "reason" here; the questions are: none.'}


@pytest.mark.parametrize("raw", [["initiating treatment"], "initiating treatment", 3, True])
def test_answers_that_are_not_an_object_are_refused_as_a_whole(raw):
    assert check_answers([reason_question()], raw) == (
        {},
        {"": 'Answers are an object of question id to answer, e.g. {"reason": "…"}.'},
    )


@pytest.mark.parametrize("raw", [None, {}])
def test_no_answers_at_all_is_no_answer_and_no_problem(raw):
    assert check_answers([reason_question()], raw) == ({}, {})


@pytest.mark.parametrize("blank", [None, "", "   ", "\n"])
def test_a_null_or_empty_answer_is_not_answered_rather_than_wrong(blank):
    questions = [reason_question(), open_question("weight", "number")]
    assert check_answers(questions, {"reason": blank, "weight": blank}) == ({}, {})


def test_every_problem_is_reported_at_once_by_question():
    questions = [reason_question(), yes_no_question(), open_question("started", "date")]
    _, problems = check_answers(questions, {"reason": "maybe", "diagnosed": "yes", "started": 1})
    assert set(problems) == {"reason", "diagnosed", "started"}


# --- determine: the switch, the criterion ------------------------------------------------


def test_everything_the_criterion_asks_for_is_approved():
    result = decide()
    assert result.outcome == APPROVED
    assert result.approved
    assert all(f.supports for f in result.findings)


def test_with_automatic_approval_turned_off_everything_pends():
    result = decide(enabled=False)
    assert result.outcome == PENDED
    assert result.reasons == ["Automatic approval is turned off for this plan."]
    assert about(result, "setting").supports is False


def test_no_criterion_attested_pends_and_says_so():
    result = decide(None, {})
    assert result.outcome == PENDED
    assert result.reasons == ['No criterion was attested ("other").']
    assert [f.subject for f in result.findings] == ["criterion"]


def test_a_criterion_without_auto_approve_is_always_decided_by_a_pharmacist():
    result = decide(criterion(reason_question(), number=2, auto_approve=False))
    assert result.outcome == PENDED
    assert result.reasons == ["Criterion 2 is always decided by a pharmacist."]
    # The other checks are still made, for the pharmacist to read.
    assert about(result, "question", "reason").supports is True
    assert about(result, "grant").supports is True


# --- determine: questions ----------------------------------------------------------------


def test_a_required_question_not_answered_pends():
    rules = criterion(reason_question(approve_when=()), yes_no_question(required=True))
    result = decide(rules, {"reason": OTHER})
    assert result.outcome == PENDED
    assert result.reasons == ['"Is the diagnosis relapsing multiple sclerosis?" not answered.']


def test_a_question_with_approve_when_not_answered_pends_even_if_optional():
    result = decide(criterion(reason_question(required=False)), {})
    assert result.outcome == PENDED
    assert result.reasons == ['"Why does the patient need more than the plan limit?" not answered.']


def test_an_optional_open_question_not_answered_does_not_stand_in_the_way():
    rules = criterion(reason_question(), open_question("note", "text"))
    result = decide(rules, {"reason": INITIATING})
    assert result.outcome == APPROVED
    assert about(result, "question", "note").text == '"The note?" not answered.'


def test_an_answer_among_approve_when_supports_approval():
    finding = about(decide(), "question", "reason")
    assert finding.supports is True
    assert (
        finding.text
        == '"Why does the patient need more than the plan limit?" answered "' + INITIATING + '".'
    )


def test_an_answer_outside_approve_when_pends_naming_the_answers_that_would_approve():
    result = decide(answers={"reason": OTHER})
    assert result.outcome == PENDED
    assert result.reasons == [
        '"Why does the patient need more than the plan limit?" answered "other"; '
        'approved automatically only for "initiating treatment".'
    ]


def test_several_answers_that_would_approve_are_all_named():
    rules = criterion(reason_question(approve_when=(INITIATING, INDUCTION)))
    result = decide(rules, {"reason": OTHER})
    assert result.reasons == [
        '"Why does the patient need more than the plan limit?" answered "other"; '
        'approved automatically only for "initiating treatment" or "additional induction dosing".'
    ]
    assert decide(rules, {"reason": INDUCTION}).outcome == APPROVED


def test_a_yes_no_question_approves_only_with_the_answer_it_names_in_words():
    rules = criterion(yes_no_question(approve_when=(True,)))
    assert decide(rules, {"diagnosed": True}).outcome == APPROVED
    result = decide(rules, {"diagnosed": False})
    assert result.outcome == PENDED
    assert result.reasons == [
        '"Is the diagnosis relapsing multiple sclerosis?" answered "no"; '
        'approved automatically only for "yes".'
    ]


@pytest.mark.parametrize(
    ("kind", "answer"), [("number", "2.5"), ("date", "2026-01-05"), ("text", "weeks 0, 1, 2")]
)
def test_a_question_without_approve_when_supports_approval_whatever_the_answer(kind, answer):
    rules = criterion(open_question("detail", kind, required=True))
    result = decide(rules, {"detail": answer})
    assert result.outcome == APPROVED
    assert about(result, "question", "detail").text == f'"The detail?" answered "{answer}".'


# --- determine: evidence -----------------------------------------------------------------


def test_a_new_start_with_no_fill_at_all_holds():
    finding = about(decide(), "evidence", "no_paid_fill_within_days")
    assert finding.supports is True
    assert finding.text == "No paid fill of the policy's products in the 180 days before receipt."


def test_a_fill_30_days_ago_is_not_a_new_start():
    result = decide(fills=(days_before_receipt(30),))
    assert result.outcome == PENDED
    assert result.reasons == [
        "Last paid fill 2026-01-31, 30 days before receipt: inside the 180-day look-back, "
        "so this is not a new start."
    ]


def test_the_fill_named_is_the_latest_of_those_inside_the_look_back():
    fills = (days_before_receipt(90), days_before_receipt(12), days_before_receipt(400))
    text = about(decide(fills=fills), "evidence", "no_paid_fill_within_days").text
    assert text.startswith(f"Last paid fill {days_before_receipt(12).isoformat()}, 12 days before")


def test_a_fill_on_the_day_of_receipt_counts():
    result = decide(fills=(RECEIVED,))
    assert result.outcome == PENDED
    assert result.reasons[0].startswith("Last paid fill 2026-03-02, on the day of receipt:")


def test_a_fill_one_day_before_receipt_is_one_day():
    text = decide(fills=(days_before_receipt(1),)).reasons[0]
    assert text.startswith("Last paid fill 2026-03-01, 1 day before receipt:")


def test_a_fill_exactly_the_look_back_before_receipt_counts_and_one_day_earlier_does_not():
    assert decide(fills=(days_before_receipt(180),)).outcome == PENDED
    assert decide(fills=(days_before_receipt(181),)).outcome == APPROVED


def test_a_fill_dated_after_receipt_is_not_before_receipt():
    assert decide(fills=(RECEIVED + timedelta(days=1),)).outcome == APPROVED


def test_an_established_patient_with_a_fill_inside_the_look_back_holds():
    rules = criterion(evidence=[on_treatment(90)])
    result = decide(rules, {}, fills=(days_before_receipt(30),))
    assert result.outcome == APPROVED
    assert about(result, "evidence", "paid_fill_within_days").text == (
        "Last paid fill 2026-01-31, 30 days before receipt: inside the 90-day look-back."
    )


def test_an_established_patient_without_a_fill_inside_the_look_back_pends():
    result = decide(criterion(evidence=[on_treatment(90)]), {}, fills=(days_before_receipt(91),))
    assert result.outcome == PENDED
    assert result.reasons == [
        "No paid fill of the policy's products in the 90 days before receipt."
    ]


def test_paid_fill_within_days_counts_the_day_of_receipt_and_the_last_day_of_the_look_back():
    rules = criterion(evidence=[on_treatment(90)])
    assert decide(rules, {}, fills=(RECEIVED,)).outcome == APPROVED
    assert decide(rules, {}, fills=(days_before_receipt(90),)).outcome == APPROVED
    assert decide(rules, {}, fills=(RECEIVED + timedelta(days=1),)).outcome == PENDED


def test_an_evidence_clause_the_code_does_not_know_pends():
    rules = criterion(evidence=[EvidenceClause("no_claims_within_days", 30)])
    result = decide(rules, {})
    assert result.outcome == PENDED
    assert result.reasons == ["Unknown evidence 'no_claims_within_days'."]


def test_every_evidence_clause_must_hold():
    rules = criterion(evidence=[new_start(30), on_treatment(365)])
    assert decide(rules, {}, fills=(days_before_receipt(100),)).outcome == APPROVED
    assert decide(rules, {}, fills=()).outcome == PENDED
    assert decide(rules, {}, fills=(days_before_receipt(10),)).outcome == PENDED


# --- determine: the grant and other overrides ---------------------------------------------


def test_exactly_the_grant_is_approved():
    finding = about(decide(requested=pens(4, 28)), "grant")
    assert finding.supports is True
    assert finding.text == "Asked for 4 pens for 28 days; the criterion allows 4 pens per 28 days."


def test_less_than_the_grant_at_no_higher_rate_is_approved():
    assert decide(requested=pens(2, 14)).outcome == APPROVED
    assert decide(requested=pens(1, 28)).outcome == APPROVED


def test_no_grant_for_the_channel_pends():
    result = decide(requested=pens(6, 84, grant=None))
    assert result.outcome == PENDED
    assert result.reasons == ["Criterion 1 grants nothing at retail."]


def test_more_than_the_grant_pends():
    result = decide(requested=pens(5, 28))
    assert result.outcome == PENDED
    assert result.reasons == [
        "Asked for 5 pens for 28 days, more than the criterion allows (4 pens per 28 days at "
        "retail)."
    ]


def test_more_than_the_grant_at_once_pends_even_at_its_rate():
    # 8 pens for 56 days is the grant's rate, but twice what it allows at one time.
    result = decide(requested=pens(8, 56))
    assert result.outcome == PENDED
    assert result.reasons == [
        "Asked for 8 pens for 56 days, more than the criterion allows (4 pens per 28 days at "
        "retail)."
    ]


def test_the_grant_at_a_higher_rate_pends():
    # 4 pens in 14 days is twice the grant's rate, though no more pens than it allows.
    result = decide(requested=pens(4, 14))
    assert result.outcome == PENDED
    assert result.reasons == [
        "Asked for 4 pens for 14 days, more than the criterion allows (4 pens per 28 days at "
        "retail)."
    ]


def test_the_grant_for_home_delivery_is_its_own():
    assert decide(requested=home_delivery_pens(6)).outcome == APPROVED
    result = decide(requested=home_delivery_pens("6.5"))
    assert result.reasons == [
        "Asked for 6.5 pens for 84 days, more than the criterion allows (6 pens per 84 days at "
        "home delivery)."
    ]


def test_another_override_in_force_pends_with_its_sentence():
    in_force = "Override PA-2026-000012 is in force until 2026-03-20."
    result = decide(override_in_force=in_force)
    assert result.outcome == PENDED
    assert result.reasons == [in_force]
    assert about(result, "override").supports is False


# --- reasons and look-back ---------------------------------------------------------------


def test_a_pended_request_gives_only_the_findings_against_it_in_order():
    result = decide(answers={"reason": OTHER}, fills=(days_before_receipt(30),), enabled=False)
    assert result.outcome == PENDED
    assert result.reasons == [f.text for f in result.findings if not f.supports]
    assert [f.subject for f in result.findings if not f.supports] == [
        "setting",
        "question",
        "evidence",
    ]


def test_an_approved_request_gives_every_finding_as_its_reasons():
    result = decide()
    assert result.reasons == [
        '"Why does the patient need more than the plan limit?" answered "initiating treatment".',
        "No paid fill of the policy's products in the 180 days before receipt.",
        "Asked for 4 pens for 28 days; the criterion allows 4 pens per 28 days.",
    ]


def test_the_look_back_is_the_longest_evidence_clause():
    assert look_back_days(None) == 0
    assert look_back_days(criterion(reason_question())) == 0
    assert look_back_days(KESIMPTA_CRITERION_1) == 180
    assert look_back_days(criterion(evidence=[new_start(30), on_treatment(365)])) == 365


# --- The Kesimpta example, from the raw answers ------------------------------------------


def kesimpta(raw_answers: object, *fills: date) -> Determination:
    """Kesimpta criterion 1 at retail: 4 pens for 28 days, answers as the API receives them."""
    answers, problems = check_answers(KESIMPTA_CRITERION_1.questions, raw_answers)
    assert problems == {}
    return determine(
        criterion=KESIMPTA_CRITERION_1,
        answers=answers,
        fill_dates=fills,
        received_on=RECEIVED,
        requested=pens(4, 28),
    )


def test_kesimpta_initiating_treatment_with_no_fills_is_approved():
    assert kesimpta({"reason": "initiating treatment"}).outcome == APPROVED


def test_kesimpta_initiating_treatment_after_a_fill_30_days_ago_is_pended_with_that_reason():
    result = kesimpta({"reason": "initiating treatment"}, days_before_receipt(30))
    assert result.outcome == PENDED
    assert len(result.reasons) == 1
    assert result.reasons[0].startswith("Last paid fill 2026-01-31, 30 days before receipt")


@pytest.mark.parametrize("reason", ["additional induction dosing", "other"])
def test_kesimpta_for_any_other_reason_is_pended_for_a_pharmacist(reason):
    result = kesimpta({"reason": reason})
    assert result.outcome == PENDED
    assert result.reasons == [
        f'"Why does the patient need more than the plan limit?" answered "{reason}"; '
        'approved automatically only for "initiating treatment".'
    ]


def test_kesimpta_with_no_reason_given_is_pended():
    result = kesimpta({})
    assert result.outcome == PENDED
    assert result.reasons == ['"Why does the patient need more than the plan limit?" not answered.']


# --- Properties --------------------------------------------------------------------------

PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)

LOOK_BACK = 400  # longest generated evidence clause, in days
QUESTION_IDS = ["reason", "dose", "diagnosed", "started", "weight", "note"]
# Numbers that are hard to write out: exponents past what a decimal context can hold.
ODD_NUMBERS = ["1e999999999", "-1e999999999", "1e999999", "1e-999999", "1e-99999999999", "9" * 60]


def mostly(usual, unusual) -> st.SearchStrategy:
    """`usual` three times in four: approvals must be common enough for the properties to bite."""
    return st.sampled_from([usual, usual, usual, unusual])


def usually(usual: st.SearchStrategy, unusual: st.SearchStrategy) -> st.SearchStrategy:
    """Draws from `usual` three times in four (st.one_of does not weigh repeated branches)."""
    return mostly(usual, unusual).flatmap(lambda chosen: chosen)


# Choices as a policy might spell them, odd spacing and capitals included.
choice_texts = st.sampled_from(
    [INITIATING, INDUCTION, OTHER, "Other", "initiating  treatment", " restarting", "ÉTÉ", "ß"]
)


@st.composite
def questions(draw: st.DrawFn, qid: str, kinds=QUESTION_TYPES) -> Question:
    kind = draw(st.sampled_from(kinds))
    choices: tuple = ()
    approve_when: tuple = ()
    # approve_when, when there is one, leaves some answer out (else it would mean nothing).
    if kind == "boolean":
        approve_when = draw(st.sampled_from([(), (True,), (False,)]))
    elif kind == "choice":
        choices = tuple(draw(st.lists(choice_texts, unique=True, min_size=2, max_size=5)))
        some = st.lists(st.sampled_from(choices), unique=True, max_size=len(choices) - 1)
        approve_when = tuple(draw(some))
    return Question(qid, f"The {qid}?", kind, draw(st.booleans()), choices, approve_when)


evidence_clauses = st.builds(
    EvidenceClause,
    clause=st.sampled_from(
        ["no_paid_fill_within_days", "paid_fill_within_days"] * 3 + ["no_such_clause"]
    ),
    days=st.integers(min_value=1, max_value=LOOK_BACK),
)


@st.composite
def criteria(draw: st.DrawFn) -> CriterionRules:
    ids = draw(st.lists(st.sampled_from(QUESTION_IDS), unique=True, max_size=4))
    clauses = draw(st.lists(evidence_clauses, unique_by=lambda c: c.clause, max_size=3))
    return CriterionRules(
        number=draw(st.integers(min_value=1, max_value=9)),
        auto_approve=draw(mostly(True, False)),
        questions=tuple(draw(questions(qid)) for qid in ids),
        evidence=tuple(clauses),
    )


def approving_or_any(approve_when: tuple, answers: tuple) -> st.SearchStrategy:
    """Half the time an answer that would approve (if the question names any), else any."""
    return st.sampled_from(approve_when or answers) | st.sampled_from(answers)


def spelt_loosely(choice: str) -> st.SearchStrategy:
    return st.sampled_from([choice, choice.upper(), f"  {choice} ", choice.replace(" ", "   ")])


def readable_answer(question: Question) -> st.SearchStrategy:
    if question.type == "boolean":
        return approving_or_any(question.approve_when, (True, False))
    if question.type == "choice":
        return approving_or_any(question.approve_when, question.choices).flatmap(spelt_loosely)
    if question.type == "number":
        return st.one_of(
            st.integers(-(10**6), 10**6),
            st.floats(allow_nan=False, allow_infinity=False),
            st.decimals(allow_nan=False, allow_infinity=False).map(str),
            st.sampled_from(ODD_NUMBERS),
        )
    if question.type == "date":
        return st.dates().map(date.isoformat)
    return st.text(max_size=40)


def raw_answer(question: Question) -> st.SearchStrategy:
    """What a prescriber's office might send: mostly readable, sometimes not, sometimes null."""
    readable = readable_answer(question)
    anything = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=10))
    return usually(readable, anything)


@st.composite
def raw_answers(draw: st.DrawFn, rules: CriterionRules) -> dict[str, object]:
    answered = [q for q in rules.questions if draw(mostly(True, False))]
    return {q.id: draw(raw_answer(q)) for q in answered}


@st.composite
def normal_answers(draw: st.DrawFn, rules: CriterionRules) -> dict[str, object]:
    """The answers check_answers would store, from raw ones (the unreadable dropped)."""
    clean, _ = check_answers(rules.questions, draw(raw_answers(rules)))
    return clean


# Days before receipt; a few after it (negative), most inside or just past a look-back.
fill_dates = st.lists(
    st.integers(min_value=-30, max_value=LOOK_BACK + 30).map(days_before_receipt), max_size=4
)

grants = st.builds(
    Limit,
    max_quantity=st.integers(min_value=1, max_value=10).map(Decimal),
    per_days=st.integers(min_value=1, max_value=120),
)


@st.composite
def requests(draw: st.DrawFn) -> Requested:
    """Mostly within a grant; now and then anything, or no grant for the channel."""
    grant = draw(usually(grants, st.none()))
    days_supply = draw(st.integers(min_value=1, max_value=120))
    quantity = draw(st.decimals(min_value=Decimal("0.1"), max_value=Decimal("12"), places=1))
    if grant is not None and draw(mostly(True, False)):
        # The most the grant allows for this days supply, in tenths of a unit.
        cap = min(grant.max_quantity, grant.max_quantity * days_supply / grant.per_days)
        tenths = math.floor(cap * 10)
        if tenths < 1:  # no tenth fits so short a supply: ask for the grant itself
            days_supply, tenths = grant.per_days, int(grant.max_quantity * 10)
        quantity = Decimal(draw(st.integers(min_value=1, max_value=tenths))) / 10
    return Requested(quantity, days_supply, "retail", "pen", grant)


@st.composite
def cases(draw: st.DrawFn, rules: CriterionRules | None = None) -> dict:
    """Everything determine takes, as keyword arguments; `rules` fixes the criterion."""
    if rules is None:
        rules = draw(criteria())
    attested = draw(mostly(rules, None))
    return {
        "criterion": attested,
        "answers": draw(normal_answers(rules)),
        "fill_dates": draw(fill_dates),
        "received_on": RECEIVED,
        "requested": draw(requests()),
        "override_in_force": draw(st.sampled_from([None, None, None, "", "PA-7 is in force."])),
        "enabled": draw(mostly(True, False)),
    }


@PROPERTY_SETTINGS
@given(case=cases())
def test_the_outcome_is_only_ever_approved_or_pended(case):
    assert determine(**case).outcome in (APPROVED, PENDED)


@PROPERTY_SETTINGS
@given(case=cases())
def test_approved_exactly_when_every_finding_supports_it(case):
    result = determine(**case)
    assert result.findings
    assert result.approved == all(f.supports for f in result.findings)
    if not result.approved:
        assert result.reasons, "a pended request says why"


@PROPERTY_SETTINGS
@given(case=cases())
def test_removing_an_answer_never_turns_pended_into_approved(case):
    before = determine(**case)
    for dropped in [*case["answers"], "every answer"]:
        fewer = {k: v for k, v in case["answers"].items() if dropped not in (k, "every answer")}
        after = determine(**{**case, "answers": fewer})
        assert not (after.approved and not before.approved), f"without {dropped}"
        # Nor does any one finding change sides towards approval.
        assert supporting(after) <= supporting(before), f"without {dropped}"


def supporting(result: Determination) -> set[tuple[str, str]]:
    return {(f.subject, f.key) for f in result.findings if f.supports}


@st.composite
def new_start_cases(draw: st.DrawFn) -> dict:
    """A case whose attested criterion requires no paid fill in some days before receipt."""
    rules = draw(criteria())
    days = draw(st.integers(min_value=1, max_value=LOOK_BACK))
    others = tuple(c for c in rules.evidence if c.clause != "no_paid_fill_within_days")
    rules = CriterionRules(
        rules.number, rules.auto_approve, rules.questions, (*others, new_start(days))
    )
    case = draw(cases(rules))
    case["criterion"] = rules  # attested, whatever cases() drew
    return case


@PROPERTY_SETTINGS
@given(case=new_start_cases(), data=st.data())
def test_a_fill_inside_the_look_back_of_a_new_start_always_pends(case, data):
    (clause,) = [c for c in case["criterion"].evidence if c.clause == "no_paid_fill_within_days"]
    inside = days_before_receipt(data.draw(st.integers(min_value=0, max_value=clause.days)))
    after = determine(**{**case, "fill_dates": [*case["fill_dates"], inside]})
    assert after.outcome == PENDED
    assert about(after, "evidence", "no_paid_fill_within_days").supports is False


@PROPERTY_SETTINGS
@given(case=cases())
def test_with_the_setting_off_everything_pends(case):
    assert determine(**{**case, "enabled": False}).outcome == PENDED


@PROPERTY_SETTINGS
@given(case=cases())
def test_a_criterion_without_auto_approve_always_pends(case):
    assume(case["criterion"] is not None)
    rules = case["criterion"]
    manual = CriterionRules(rules.number, False, rules.questions, rules.evidence)
    assert determine(**{**case, "criterion": manual}).outcome == PENDED


@PROPERTY_SETTINGS
@given(case=cases(), in_force=st.text(min_size=1, max_size=40))
def test_another_override_in_force_always_pends(case, in_force):
    result = determine(**{**case, "override_in_force": in_force})
    assert result.outcome == PENDED
    assert in_force in result.reasons


@PROPERTY_SETTINGS
@given(case=cases(), data=st.data())
def test_the_order_of_the_fills_does_not_matter(case, data):
    shuffled = data.draw(st.permutations(case["fill_dates"]))
    assert determine(**{**case, "fill_dates": shuffled}) == determine(**case)


@PROPERTY_SETTINGS
@given(data=st.data())
def test_normal_answers_read_again_are_unchanged(data):
    rules = data.draw(criteria())
    clean, _ = check_answers(rules.questions, data.draw(raw_answers(rules)))
    assert check_answers(rules.questions, clean) == (clean, {})


@PROPERTY_SETTINGS
@given(question=questions("reason", kinds=["choice"]), data=st.data())
def test_every_choice_as_the_policy_spells_it_is_an_answer(question, data):
    choice = data.draw(st.sampled_from(question.choices))
    # The first choice that is the same but for case and spacing (a policy may list both).
    assert answer_of(question, choice).casefold().split() == choice.casefold().split()


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.decimals().map(str)
    | st.sampled_from(ODD_VALUES + ODD_NUMBERS),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


def any_json_answers(rules: CriterionRules) -> st.SearchStrategy:
    """Any JSON value for each question, now and then a stray key, or not an object at all."""
    each = st.fixed_dictionaries(
        {q.id: json_values for q in rules.questions},
        optional={"": json_values, "reson": json_values},
    )
    return usually(each, json_values)


@PROPERTY_SETTINGS
@given(data=st.data())
def test_any_json_is_read_without_raising_and_what_is_read_determines_without_raising(data):
    case = data.draw(cases())
    rules = case["criterion"] or data.draw(criteria())
    clean, problems = check_answers(rules.questions, data.draw(any_json_answers(rules)))
    assert set(clean).isdisjoint(problems)
    assert check_answers(rules.questions, clean) == (clean, {})
    result = determine(**{**case, "answers": clean})
    assert result.outcome in (APPROVED, PENDED)
