"""What a criterion's questions, evidence clauses and automatic approval must satisfy.

The policy file reader (policies.files) and the admin's question-set page
(policies.question_forms) check the same values with these functions, so a policy
admin reads the same words whichever door the criterion came through. Like
`policies.validation`, this module is pure: plain values in, (field, message) pairs
out, no model. The checks themselves mirror what `policies.rules.determination` can
read: a question it could never match an answer against is refused here, before it
reaches a request.

Messages start in lower case: the file prefixes them with a field path
("policy.criteria[0].questions[1].type: …"), the admin capitalises them.
"""

import re
from collections.abc import Iterable

from .rules.determination import (
    APPROVE_WHEN_TYPES,
    EVIDENCE_CLAUSES,
    EVIDENCE_DESCRIPTIONS,
    QUESTION_TYPES,
    CriterionRules,
    describe_answer,
)

# --- Messages (tests assert on these) -------------------------------------------------

QUESTION_ID_FORMAT = (
    "{key!r} is not a question id: use lowercase letters, digits and underscores "
    "(a-z, 0-9, _), at most {max_length} characters, e.g. reason."
)
QUESTION_ID_TWICE = "the id {key!r} is used by another question of this criterion."
QUESTION_TYPE_REQUIRED = "is required: one of {types}."
QUESTION_TYPE_UNKNOWN = "{type!r} is not one of {types}."
CHOICES_REQUIRED = "a choice question needs its choices: at least one answer to choose from."
CHOICES_ONLY_FOR_CHOICE = (
    "only a choice question has choices; a {type} question is answered without them."
)
CHOICE_NOT_TEXT = "a choice must be text that is not blank, not {value!r}."
CHOICE_TOO_LONG = "a choice must be at most {max_length} characters."
CHOICE_TWICE = "{value!r} is listed twice (answers are matched regardless of capitals and spacing)."
APPROVE_WHEN_NOT_ALLOWED = (
    "only yes/no (boolean) and choice questions have approving answers: a {type} "
    "answer is not one of a fixed set, so the system cannot approve with it."
)
APPROVE_WHEN_EMPTY = "list at least one approving answer, or leave approve_when out."
APPROVE_WHEN_NOT_BOOLEAN = "a yes/no question is answered true (yes) or false (no), not {value!r}."
APPROVE_WHEN_NOT_A_CHOICE = (
    "{value!r} is not one of the choices ({choices}); spell it exactly as the choice is spelt."
)
APPROVE_WHEN_TWICE = "{value!r} is listed twice."
EVIDENCE_UNKNOWN = "{clause!r} is not an evidence clause; the known ones are: {known}."
EVIDENCE_TWICE = "{clause} is listed twice."
AUTO_APPROVE_WITHOUT_CHECKS = (
    "automatic approval needs at least one question with approving answers (approve_when) "
    "or one evidence clause; without either, every request under it would be approved by "
    "machine."
)

QUESTION_ID_MAX_LENGTH = 60  # CriterionQuestion.key
CHOICE_MAX_LENGTH = 200
_QUESTION_ID = re.compile(r"[a-z0-9_]+")
_YES_NO = {"yes": True, "no": False, "true": True, "false": False}


# --- Questions -------------------------------------------------------------------------


def normal_choice(value: str) -> str:
    """A choice as stored: inner runs of spaces made one, ends trimmed (the determination
    matches an answer after doing the same to it)."""
    return " ".join(value.split())


def question_id_problem(key: str) -> str | None:
    if len(key) > QUESTION_ID_MAX_LENGTH or not _QUESTION_ID.fullmatch(key):
        return QUESTION_ID_FORMAT.format(key=key, max_length=QUESTION_ID_MAX_LENGTH)
    return None


def repeated_ids(keys: Iterable[str]) -> list[tuple[int, str]]:
    """(index, message) for each question id already used by an earlier question."""
    seen: set[str] = set()
    problems = []
    for index, key in enumerate(keys):
        if key and key in seen:
            problems.append((index, QUESTION_ID_TWICE.format(key=key)))
        seen.add(key)
    return problems


def question_problems(
    *, type: str, choices: list | None, approve_when: list | None
) -> list[tuple[str, str]]:
    """(field, message) for what is wrong with one question's type, choices and approving
    answers. `None` means "not given"; `[]` means given and empty. The field is `type`,
    `choices`, `choices[i]`, `approve_when` or `approve_when[i]`."""
    types = ", ".join(QUESTION_TYPES)
    if type is None or type == "":
        return [("type", QUESTION_TYPE_REQUIRED.format(types=types))]
    if type not in QUESTION_TYPES:
        return [("type", QUESTION_TYPE_UNKNOWN.format(type=type, types=types))]
    problems = _choices_problems(type, choices)
    problems += _approve_when_problems(type, choices or [], approve_when)
    return problems


def _choices_problems(type: str, choices: list | None) -> list[tuple[str, str]]:
    if type != "choice":
        return [] if choices is None else [("choices", CHOICES_ONLY_FOR_CHOICE.format(type=type))]
    if not choices:
        return [("choices", CHOICES_REQUIRED)]
    problems, seen = [], set()
    for index, value in enumerate(choices):
        at = f"choices[{index}]"
        if not isinstance(value, str) or not value.strip():
            problems.append((at, CHOICE_NOT_TEXT.format(value=value)))
            continue
        if len(value) > CHOICE_MAX_LENGTH:
            problems.append((at, CHOICE_TOO_LONG.format(max_length=CHOICE_MAX_LENGTH)))
        folded = normal_choice(value).casefold()
        if folded in seen:
            problems.append((at, CHOICE_TWICE.format(value=value)))
        seen.add(folded)
    return problems


def _approve_when_problems(
    type: str, choices: list, approve_when: list | None
) -> list[tuple[str, str]]:
    if approve_when is None:
        return []
    if type not in APPROVE_WHEN_TYPES:
        return [("approve_when", APPROVE_WHEN_NOT_ALLOWED.format(type=type))]
    if not approve_when:
        return [("approve_when", APPROVE_WHEN_EMPTY)]
    spelt = [normal_choice(c) for c in choices if isinstance(c, str)]
    problems, seen = [], []
    for index, value in enumerate(approve_when):
        at = f"approve_when[{index}]"
        if type == "boolean" and not isinstance(value, bool):
            problems.append((at, APPROVE_WHEN_NOT_BOOLEAN.format(value=value)))
        elif type == "choice" and (not isinstance(value, str) or value not in spelt):
            listed = "; ".join(spelt) or "none"
            problems.append((at, APPROVE_WHEN_NOT_A_CHOICE.format(value=value, choices=listed)))
        elif value in seen:
            problems.append((at, APPROVE_WHEN_TWICE.format(value=describe_answer(value))))
        seen.append(value)
    return problems


def yes_or_no(line: str) -> bool | str:
    """An approving answer to a yes/no question as the admin types it ("yes", "no"); a
    line that is neither is returned as typed, for question_problems to refuse."""
    return _YES_NO.get(line.strip().casefold(), line)


# --- Evidence and the automatic-approval switch -----------------------------------------


def evidence_clause_problem(clause: str) -> str | None:
    if clause not in EVIDENCE_CLAUSES:
        return EVIDENCE_UNKNOWN.format(clause=clause, known=", ".join(EVIDENCE_CLAUSES))
    return None


def auto_approve_problem(
    *, auto_approve: bool, approving_questions: int, evidence_clauses: int
) -> str | None:
    """Automatic approval with nothing to check would approve every request by machine."""
    if auto_approve and not approving_questions and not evidence_clauses:
        return AUTO_APPROVE_WITHOUT_CHECKS
    return None


# --- In words, for the policy pages and the admin ---------------------------------------


def describe_evidence(clause: str, days: int) -> str:
    """ "no paid fill of the policy's products in the 180 days before receipt"."""
    template = EVIDENCE_DESCRIPTIONS.get(clause)
    return template.format(days=days) if template else f"{clause} ({days} days)"


def describe_automatic_approval(criterion: CriterionRules) -> str:
    """When the system approves a request under the criterion, in one sentence."""
    if not criterion.auto_approve:
        return "Always decided by a pharmacist."
    conditions = []
    for question in criterion.questions:
        if question.approve_when:
            answers = " or ".join(f"“{describe_answer(v)}”" for v in question.approve_when)
            conditions.append(f"“{question.text}” is answered {answers}")
        elif question.required:
            conditions.append(f"“{question.text}” is answered")
    conditions += [
        f"the member's claims show {describe_evidence(c.clause, c.days)}"
        for c in criterion.evidence
    ]
    conditions.append(
        "the quantity asked for is within what the criterion allows, and no other override "
        "of the policy is in force for the member"
    )
    return f"Approved automatically when {'; '.join(conditions)}. Otherwise a pharmacist decides."
