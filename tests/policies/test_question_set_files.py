"""Question sets in the policy file: questions, evidence and auto_approve per criterion.

Read with a field path for every problem, refused whole, loaded idempotently with
history, exported so that loading the export changes nothing. Unknown fields are
refused at every level of the file.
"""

from datetime import date
from decimal import Decimal

import pytest
import yaml

from policies import question_sets
from policies.files import (
    PolicyFileError,
    export_policy,
    load_policy_document,
    load_policy_file,
    parse_policy_text,
)
from policies.history import policy_history
from policies.models import Criterion, CriterionEvidence, CriterionQuestion, Policy
from policies.rules.determination import Requested, determine
from policies.rules.onhand import Limit
from policies.selectors import criterion_rules
from tests.support.paths import KESIMPTA_FILE, POLICY_DATA, TESTIMAB_FILE

pytestmark = pytest.mark.django_db

KESIMPTA = yaml.safe_load(KESIMPTA_FILE.read_text())


def kesimpta(**criterion_fields) -> dict:
    """The Kesimpta document with criterion 1's fields replaced (None removes one)."""
    document = yaml.safe_load(KESIMPTA_FILE.read_text())
    criterion = document["policy"]["criteria"][0]
    for name, value in criterion_fields.items():
        if value is None:
            criterion.pop(name, None)
        else:
            criterion[name] = value
    return document


def question(**fields) -> dict:
    return {"id": "reason", "text": "Why?", "type": "choice", "choices": ["a", "b"]} | fields


def problems_of(document: dict) -> list[str]:
    with pytest.raises(PolicyFileError) as refused:
        parse_policy_text(yaml.safe_dump(document, allow_unicode=True))
    return refused.value.problems


def load(document: dict, reason: str = "test"):
    return load_policy_document(parse_policy_text(yaml.safe_dump(document)), reason=reason)


# --- The shipped files and the test-only policy ---------------------------------------


def test_kesimpta_criterion_1_asks_why_and_approves_initiating_treatment_with_no_recent_fill():
    criterion = load_policy_file(KESIMPTA_FILE).policy.criteria.get()
    assert criterion.auto_approve is True
    reason = criterion.questions.get()
    assert (reason.key, reason.type, reason.required, reason.position) == (
        "reason",
        "choice",
        True,
        1,
    )
    assert reason.text == "Why does the patient need more than the plan limit?"
    assert reason.choices == ["initiating treatment", "additional induction dosing", "other"]
    assert reason.approve_when == ["initiating treatment"]
    assert [(e.clause, e.days) for e in criterion.evidence.all()] == [
        ("no_paid_fill_within_days", 180)
    ]


def test_humira_weekly_maintenance_is_always_decided_by_a_pharmacist(tmp_path):
    policy = load_policy_file(POLICY_DATA / "humira.yaml").policy
    induction, maintenance = policy.criteria.all()
    assert induction.auto_approve and not maintenance.auto_approve
    assert [q.key for q in induction.questions.all()] == ["diagnosis", "induction_start"]
    assert induction.questions.get(key="diagnosis").approve_when == [
        "Crohn's disease",
        "ulcerative colitis",
        "hidradenitis suppurativa",
    ]
    assert induction.questions.get(key="induction_start").required is False
    assert [(q.key, q.type) for q in maintenance.questions.all()] == [
        ("diagnosis", "choice"),
        ("methotrexate", "boolean"),
    ]
    assert all(q.approve_when == [] for q in maintenance.questions.all())
    assert [(e.clause, e.days) for e in maintenance.evidence.all()] == [
        ("paid_fill_within_days", 180)
    ]


def test_emgality_approves_with_two_yes_answers():
    criterion = load_policy_file(POLICY_DATA / "emgality.yaml").policy.criteria.get()
    assert criterion.auto_approve
    assert [(q.key, q.type, q.required, q.approve_when) for q in criterion.questions.all()] == [
        ("migraine_prevention", "boolean", True, [True]),
        ("loading_dose", "boolean", True, [True]),
    ]


def test_a_policy_written_only_for_the_tests_loads_and_determines_with_no_code_change():
    policy = load_policy_file(TESTIMAB_FILE).policy
    assert policy.products.get().ndcs.get().ndc == "99999012301"
    restart = criterion_rules(policy.criteria.get(number=1))
    assert {q.type for q in restart.questions} | {
        q.type for q in criterion_rules(policy.criteria.get(number=2)).questions
    } == {"boolean", "choice", "number", "date", "text"}
    received = date(2026, 6, 1)

    def outcome(answers: dict, fills: list[date]) -> str:
        return determine(
            criterion=restart,
            answers=answers,
            fill_dates=fills,
            received_on=received,
            requested=Requested(
                quantity=Decimal(60),
                days_supply=30,
                channel_label="retail",
                unit="tablet",
                grant=Limit(max_quantity=Decimal(60), per_days=30),
            ),
        ).outcome

    answers = {"restarting": True, "gap_reason": "surgery"}
    assert outcome(answers, [date(2026, 1, 5)]) == "approved"  # 147 days: a gap, not a stop
    assert outcome(answers, [date(2026, 4, 1)]) == "pended"  # 61 days: no gap
    assert outcome(answers, []) == "pended"  # no fill in a year: not a restart
    assert outcome({**answers, "gap_reason": "other"}, [date(2026, 1, 5)]) == "pended"


@pytest.mark.parametrize("path", [*sorted(POLICY_DATA.glob("*.yaml")), TESTIMAB_FILE])
def test_a_policy_with_questions_exports_what_it_loaded(path):
    policy = load_policy_file(path).policy
    exported = export_policy(policy)
    text = yaml.safe_dump(exported, allow_unicode=True)
    assert parse_policy_text(text) == parse_policy_text(path.read_text())
    assert not load_policy_document(parse_policy_text(text), reason="re-import").changed
    criteria = exported["policy"]["criteria"]
    assert [len(c["questions"]) for c in criteria] == [
        c.questions.count() for c in policy.criteria.all()
    ]
    assert all(c["questions"] for c in criteria)
    # The defaults stay out of the file: auto_approve only when on, required only when so.
    assert [c.get("auto_approve") for c in criteria] == [
        True if c.auto_approve else None for c in policy.criteria.all()
    ]
    assert all(
        "required" not in q for c in criteria for q in c["questions"] if not q.get("required")
    )


def test_a_criterion_without_questions_exports_none_of_the_new_fields():
    document = kesimpta(questions=None, evidence=None, auto_approve=None)
    criterion = export_policy(load(document).policy)["policy"]["criteria"][0]
    assert not {"questions", "evidence", "auto_approve"} & set(criterion)


# --- Loading: synced by id and clause, with history ---------------------------------------


def history_rows() -> int:
    return sum(m.history.count() for m in (Policy, Criterion, CriterionQuestion, CriterionEvidence))


def test_loading_the_same_questions_twice_changes_nothing():
    load_policy_file(KESIMPTA_FILE)
    rows = history_rows()
    assert not load_policy_file(KESIMPTA_FILE).changed
    assert history_rows() == rows


def test_changed_questions_and_evidence_are_reported_and_kept_in_history():
    load_policy_file(KESIMPTA_FILE)
    criterion = KESIMPTA["policy"]["criteria"][0]
    reason = dict(criterion["questions"][0], approve_when=["initiating treatment", "other"])
    urgent = {"id": "urgent", "text": "Is it urgent?", "type": "boolean"}
    result = load(
        kesimpta(
            questions=[urgent, reason],
            evidence={"paid_fill_within_days": 30},
            auto_approve=False,
        ),
        reason="P&T 2026-02",
    )
    assert sorted(result.changes) == sorted(
        [
            "criteria[1].auto_approve",
            "criteria[1].questions[urgent] added",
            "criteria[1].questions[reason].position",
            "criteria[1].questions[reason].approve_when",
            "criteria[1].evidence[paid_fill_within_days] added",
            "criteria[1].evidence[no_paid_fill_within_days] removed",
        ]
    )
    saved = Criterion.objects.get()
    assert [(q.key, q.position) for q in saved.questions.all()] == [("urgent", 1), ("reason", 2)]
    change = policy_history(saved.policy)[0]
    assert change.reason == "P&T 2026-02"
    assert {(row.what, row.action) for row in change.rows} == {
        ("Criterion 1", "changed"),
        ("Criterion 1 question urgent", "added"),
        ("Criterion 1 question reason", "changed"),
        ("Criterion 1 evidence paid_fill_within_days", "added"),
        ("Criterion 1 evidence no_paid_fill_within_days", "removed"),
    }
    reason_row = next(r for r in change.rows if r.what == "Criterion 1 question reason")
    assert ("approving answers", "initiating treatment", "initiating treatment; other") in [
        (f.field, f.old, f.new) for f in reason_row.fields
    ]


def test_a_question_left_out_of_the_file_is_removed():
    load_policy_file(KESIMPTA_FILE)
    result = load(kesimpta(questions=None, auto_approve=None))
    assert sorted(result.changes) == [
        "criteria[1].auto_approve",
        "criteria[1].questions[reason] removed",
    ]
    assert CriterionQuestion.objects.count() == 0
    assert CriterionQuestion.history.filter(history_type="-").get().history_change_reason == "test"


def test_a_refused_question_set_changes_nothing():
    load_policy_file(KESIMPTA_FILE)
    rows = history_rows()
    bad = kesimpta(questions=[question(approve_when=["c"])])
    with pytest.raises(PolicyFileError):
        load(bad)
    assert history_rows() == rows
    assert CriterionQuestion.objects.get().key == "reason"


# --- Refused, with the path of the field ------------------------------------------------


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            {"auto_aprove": True},
            "policy.criteria[0].auto_aprove: is not a field of a criterion "
            "(did you mean auto_approve?)",
        ),
        (
            {"questions": [question(id="Reason-1")]},
            "policy.criteria[0].questions[0].id: "
            + question_sets.QUESTION_ID_FORMAT.format(key="Reason-1", max_length=60),
        ),
        (
            {"questions": [question(id="x" * 61)]},
            "policy.criteria[0].questions[0].id: "
            + question_sets.QUESTION_ID_FORMAT.format(key="x" * 61, max_length=60),
        ),
        ({"questions": [question(id=None)]}, "policy.criteria[0].questions[0].id: is required."),
        (
            {"questions": [question(), question(text="Again?")]},
            "policy.criteria[0].questions[1].id: "
            + question_sets.QUESTION_ID_TWICE.format(key="reason"),
        ),
        ({"questions": [question(text=" ")]}, "policy.criteria[0].questions[0].text: is required."),
        (
            {"questions": [question(type="yes/no")]},
            "policy.criteria[0].questions[0].type: 'yes/no' is not one of boolean, choice, "
            "number, date, text.",
        ),
        (
            {"questions": [question(type=None)]},
            "policy.criteria[0].questions[0].type: is required: one of boolean, choice, "
            "number, date, text.",
        ),
        (
            {"questions": [question(choices=None)]},
            "policy.criteria[0].questions[0].choices: " + question_sets.CHOICES_REQUIRED,
        ),
        (
            {"questions": [question(choices=[])]},
            "policy.criteria[0].questions[0].choices: " + question_sets.CHOICES_REQUIRED,
        ),
        (
            {"questions": [question(choices="a, b")]},
            "policy.criteria[0].questions[0].choices: must be a list, not 'a, b'.",
        ),
        (
            {"questions": [question(choices=["a", "  "])]},
            "policy.criteria[0].questions[0].choices[1]: "
            + question_sets.CHOICE_NOT_TEXT.format(value="  "),
        ),
        (
            {"questions": [question(choices=["a", 3])]},
            "policy.criteria[0].questions[0].choices[1]: "
            + question_sets.CHOICE_NOT_TEXT.format(value=3),
        ),
        (
            {"questions": [question(choices=["Other", "other "])]},
            "policy.criteria[0].questions[0].choices[1]: "
            + question_sets.CHOICE_TWICE.format(value="other "),
        ),
        (
            {"questions": [question(type="number", choices=["1", "2"])]},
            "policy.criteria[0].questions[0].choices: "
            + question_sets.CHOICES_ONLY_FOR_CHOICE.format(type="number"),
        ),
        (
            {"questions": [question(type="date", choices=None, approve_when=["2026-01-01"])]},
            "policy.criteria[0].questions[0].approve_when: "
            + question_sets.APPROVE_WHEN_NOT_ALLOWED.format(type="date"),
        ),
        (
            {"questions": [question(type="text", choices=None, approve_when=["yes"])]},
            "policy.criteria[0].questions[0].approve_when: "
            + question_sets.APPROVE_WHEN_NOT_ALLOWED.format(type="text"),
        ),
        (
            {"questions": [question(approve_when=[])]},
            "policy.criteria[0].questions[0].approve_when: " + question_sets.APPROVE_WHEN_EMPTY,
        ),
        (
            {"questions": [question(approve_when=["A"])]},
            "policy.criteria[0].questions[0].approve_when[0]: 'A' is not one of the choices "
            "(a; b); spell it exactly as the choice is spelt.",
        ),
        (
            {"questions": [question(approve_when=["a", "a"])]},
            "policy.criteria[0].questions[0].approve_when[1]: 'a' is listed twice.",
        ),
        (
            {"questions": [question(type="boolean", choices=None, approve_when=["yes"])]},
            "policy.criteria[0].questions[0].approve_when[0]: "
            + question_sets.APPROVE_WHEN_NOT_BOOLEAN.format(value="yes"),
        ),
        (
            {"questions": [question(required="yes")]},
            "policy.criteria[0].questions[0].required: must be true or false, not 'yes'.",
        ),
        (
            {"questions": [question(approve=["a"])]},
            "policy.criteria[0].questions[0].approve: is not a field of a question "
            "(did you mean approve_when?)",
        ),
        (
            {"questions": {"reason": question()}},
            "policy.criteria[0].questions: must be a list with at least one item.",
        ),
        (
            {"evidence": {"no_paid_fill_in_days": 180}},
            "policy.criteria[0].evidence.no_paid_fill_in_days: 'no_paid_fill_in_days' is not an "
            "evidence clause; the known ones are: no_paid_fill_within_days, "
            "paid_fill_within_days.",
        ),
        (
            {"evidence": {"no_paid_fill_within_days": 0}},
            "policy.criteria[0].evidence.no_paid_fill_within_days: must be a whole number "
            "greater than 0, not 0.",
        ),
        (
            {"evidence": {"no_paid_fill_within_days": 90.5}},
            "policy.criteria[0].evidence.no_paid_fill_within_days: must be a whole number "
            "greater than 0, not 90.5.",
        ),
        (
            {"evidence": [{"no_paid_fill_within_days": 180}]},
            "policy.criteria[0].evidence: must be a mapping of evidence clause to days",
        ),
        (
            {"auto_approve": "yes"},
            "policy.criteria[0].auto_approve: must be true or false, not 'yes'.",
        ),
        (
            {"questions": [question()], "evidence": None},
            "policy.criteria[0].auto_approve: " + question_sets.AUTO_APPROVE_WITHOUT_CHECKS,
        ),
        (
            {"questions": None, "evidence": None},
            "policy.criteria[0].auto_approve: automatic approval needs at least one question "
            "with approving answers (approve_when) or one evidence clause; without either, "
            "every request under it would be approved by machine.",
        ),
    ],
)
def test_a_bad_question_set_is_refused_with_its_path(edit, expected):
    problems = problems_of(kesimpta(**edit))
    assert any(p.startswith(expected) for p in problems), problems
    assert Policy.objects.count() == 0


def test_auto_approve_is_not_refused_on_top_of_a_broken_question():
    problems = problems_of(kesimpta(questions=[question(approve_when=["c"])], evidence=None))
    assert [p.split(":")[0] for p in problems] == [
        "policy.criteria[0].questions[0].approve_when[0]"
    ]


def test_a_question_set_without_auto_approval_needs_nothing_that_approves():
    document = kesimpta(questions=[question()], evidence=None, auto_approve=None)
    assert load(document).policy.criteria.get().auto_approve is False


def test_choices_are_kept_with_single_spaces_and_approving_answers_match_them():
    document = kesimpta(
        questions=[question(choices=["  initiating   treatment ", "other"])],
        evidence=None,
        auto_approve=None,
    )
    document["policy"]["criteria"][0]["questions"][0]["approve_when"] = ["initiating treatment"]
    saved = load(document).policy.criteria.get().questions.get()
    assert saved.choices == ["initiating treatment", "other"]
    assert saved.approve_when == ["initiating treatment"]


# --- Unknown fields at every level ------------------------------------------------------


def with_field(path: tuple, name: str) -> dict:
    document = yaml.safe_load(KESIMPTA_FILE.read_text())
    part = document
    for step in path:
        part = part[step]
    part[name] = 1
    return document


@pytest.mark.parametrize(
    ("path", "name", "expected"),
    [
        ((), "polcy", "polcy: is not a field of a policy file (did you mean policy?)"),
        ((), "version", "version: is not a field of a policy file; its fields are: policy."),
        (
            ("policy",),
            "efective_to",
            "policy.efective_to: is not a field of a policy (did you mean effective_to?)",
        ),
        (
            ("policy", "products", 0),
            "ndc",
            "policy.products[0].ndc: is not a field of a product (did you mean ndcs?)",
        ),
        (
            ("policy", "limits", 1),
            "per_day",
            "policy.limits[1].per_day: is not a field of a limit (did you mean per_days?)",
        ),
        (
            ("policy", "criteria", 0),
            "onetime",
            "policy.criteria[0].onetime: is not a field of a criterion (did you mean one_time?)",
        ),
        (
            ("policy", "criteria", 0, "grants", 0),
            "max_qty",
            "policy.criteria[0].grants[0].max_qty: is not a field of a grant "
            "(did you mean max_quantity?)",
        ),
        (
            ("policy", "criteria", 0, "questions", 0),
            "choice",
            "policy.criteria[0].questions[0].choice: is not a field of a question "
            "(did you mean choices?)",
        ),
        (
            ("policy", "criteria", 0, "questions", 0),
            "colour",
            "policy.criteria[0].questions[0].colour: is not a field of a question; its fields "
            "are: id, text, type, required, choices, approve_when.",
        ),
    ],
)
def test_an_unknown_field_is_refused_with_its_path_and_the_nearest_known_one(path, name, expected):
    assert expected in problems_of(with_field(path, name))
    assert Policy.objects.count() == 0


def test_the_policy_file_fields_are_every_field_the_exporter_writes():
    """The lists of known fields and the exporter cannot drift apart: every field of a full
    export is known (the test-only policy uses every kind of row)."""
    exported = export_policy(load_policy_file(TESTIMAB_FILE).policy)
    exported["policy"]["effective_to"] = "2099-01-01"
    assert parse_policy_text(yaml.safe_dump(exported))
