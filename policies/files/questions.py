"""Reading a criterion's questions, evidence clauses and automatic-approval switch.

The rules are policies.question_sets' (the admin's question-set page checks the same
values with the same words); this module only walks the document and puts the field
path in front of each message.
"""

from policies import question_sets

from .checker import Checker

QUESTION_FIELDS = ("id", "text", "type", "required", "choices", "approve_when")


def read_question_set(checker: Checker, row: dict, at: str) -> dict:
    """{"questions": [...], "evidence": {clause: days}, "auto_approve": bool} of a criterion."""
    questions = _questions(checker, row, at)
    evidence = _evidence(checker, row, at)
    auto_approve = checker.flag(row, "auto_approve", at)
    problem = question_sets.auto_approve_problem(
        auto_approve=auto_approve,
        approving_questions=sum(1 for q in questions if q["approve_when"]),
        evidence_clauses=len(evidence),
    )
    # Not on top of a broken question or clause: fixing that may well answer this too.
    if problem and not _reported_under(checker, at):
        checker.fail(f"{at}.auto_approve", problem)
    return {"questions": questions, "evidence": evidence, "auto_approve": auto_approve}


def _reported_under(checker: Checker, at: str) -> bool:
    return any(p.startswith((f"{at}.questions", f"{at}.evidence")) for p in checker.problems)


def _questions(checker: Checker, row: dict, at: str) -> list[dict]:
    questions = []
    for index, raw in enumerate(checker.items(row, "questions", at, required=False)):
        where = f"{at}.questions[{index}]"
        question = checker.mapping(raw, where)
        checker.known_fields(question, where, QUESTION_FIELDS, "a question")
        questions.append(_question(checker, question, where))
    for index, message in question_sets.repeated_ids(q["id"] for q in questions):
        checker.fail(f"{at}.questions[{index}].id", message)
    return questions


def _question(checker: Checker, question: dict, where: str) -> dict:
    key = checker.text(question, "id", where)
    if key and (problem := question_sets.question_id_problem(key)):
        checker.fail(f"{where}.id", problem)
    kind = question.get("type")
    choices = _list_or_none(checker, question, "choices", where)
    approve_when = _list_or_none(checker, question, "approve_when", where)
    for field, message in question_sets.question_problems(
        type=kind, choices=choices, approve_when=approve_when
    ):
        checker.fail(f"{where}.{field}", message)
    return {
        "id": key,
        "text": checker.text(question, "text", where),
        "type": kind if isinstance(kind, str) else "",
        "required": checker.flag(question, "required", where),
        "choices": [question_sets.normal_choice(c) for c in choices or [] if isinstance(c, str)],
        "approve_when": [
            question_sets.normal_choice(v) if isinstance(v, str) else v for v in approve_when or []
        ],
    }


def _list_or_none(checker: Checker, parent: dict, key: str, where: str) -> list | None:
    """The list under `key`; None when the field is absent (or not a list: reported)."""
    if key not in parent:
        return None
    value = parent[key]
    if not isinstance(value, list):
        checker.fail(f"{where}.{key}", f"must be a list, not {value!r}.")
        return None
    return value


def _evidence(checker: Checker, row: dict, at: str) -> dict[str, int]:
    raw = row.get("evidence")
    if raw is None:
        return {}
    where = f"{at}.evidence"
    if not isinstance(raw, dict):
        checker.fail(
            where,
            "must be a mapping of evidence clause to days, e.g. no_paid_fill_within_days: 180.",
        )
        return {}
    evidence = {}
    for clause in raw:
        problem = question_sets.evidence_clause_problem(str(clause))
        if problem:
            checker.fail(f"{where}.{clause}", problem)
            continue
        evidence[clause] = checker.positive_int(raw, clause, where)
    return evidence
