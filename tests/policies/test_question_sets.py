"""The question-set rules on plain values (policies/question_sets.py): what the file and
the admin both refuse, and the sentence the policy pages show."""

import pytest

from policies import question_sets
from policies.files.checker import unknown_field_message
from policies.rules.determination import (
    EVIDENCE_CLAUSES,
    CriterionRules,
    EvidenceClause,
    Question,
)

REASON = Question(
    id="reason",
    text="Why?",
    type="choice",
    required=True,
    choices=("initiating treatment", "other"),
    approve_when=("initiating treatment",),
)


def test_automatic_approval_in_words_names_every_condition():
    criterion = CriterionRules(
        number=1,
        auto_approve=True,
        questions=(
            REASON,
            Question(id="ms", text="Relapsing MS?", type="boolean", approve_when=(True,)),
            Question(id="weight", text="Weight?", type="number", required=True),
            Question(id="notes", text="Notes?", type="text"),  # not needed to approve
        ),
        evidence=(EvidenceClause("no_paid_fill_within_days", 180),),
    )
    assert question_sets.describe_automatic_approval(criterion) == (
        "Approved automatically when “Why?” is answered “initiating treatment”; "
        "“Relapsing MS?” is answered “yes”; “Weight?” is answered; the member's claims show "
        "no paid fill of the policy's products in the 180 days before receipt; the quantity "
        "asked for is within what the criterion allows, and no other override of the policy "
        "is in force for the member. Otherwise a pharmacist decides."
    )


def test_a_criterion_without_the_switch_is_always_a_pharmacists():
    criterion = CriterionRules(number=2, questions=(REASON,))
    assert question_sets.describe_automatic_approval(criterion) == (
        "Always decided by a pharmacist."
    )


@pytest.mark.parametrize(
    ("line", "read"), [("yes", True), (" No ", False), ("true", True), ("maybe", "maybe")]
)
def test_yes_or_no_reads_what_an_admin_types(line, read):
    assert question_sets.yes_or_no(line) == read


@pytest.mark.parametrize(
    ("kind", "choices", "approve_when", "expected"),
    [
        ("choice", ["a", "b"], ["a"], []),
        ("boolean", None, [True, False], []),
        ("number", None, None, []),
        ("boolean", None, [True, True], [("approve_when[1]", "'yes' is listed twice.")]),
        (
            "choice",
            ["a", "A "],
            None,
            [("choices[1]", question_sets.CHOICE_TWICE.format(value="A "))],
        ),
        (
            "choice",
            ["x" * 201],
            None,
            [("choices[0]", question_sets.CHOICE_TOO_LONG.format(max_length=200))],
        ),
    ],
)
def test_question_problems_name_the_field(kind, choices, approve_when, expected):
    assert (
        question_sets.question_problems(type=kind, choices=choices, approve_when=approve_when)
        == expected
    )


def test_automatic_approval_needs_something_to_check():
    assert (
        question_sets.auto_approve_problem(
            auto_approve=True, approving_questions=0, evidence_clauses=0
        )
        == question_sets.AUTO_APPROVE_WITHOUT_CHECKS
    )
    assert not question_sets.auto_approve_problem(
        auto_approve=True, approving_questions=0, evidence_clauses=1
    )
    assert not question_sets.auto_approve_problem(
        auto_approve=False, approving_questions=0, evidence_clauses=0
    )


def test_an_unknown_field_suggests_the_nearest_known_one_or_lists_them():
    known = ("number", "auto_approve")
    assert unknown_field_message("auto_aprove", known, "a criterion") == (
        "is not a field of a criterion (did you mean auto_approve?)"
    )
    assert unknown_field_message("zzz", known, "a criterion") == (
        "is not a field of a criterion; its fields are: number, auto_approve."
    )


def test_every_evidence_clause_is_described_in_words():
    for clause in EVIDENCE_CLAUSES:
        assert "90 days before receipt" in question_sets.describe_evidence(clause, 90)
