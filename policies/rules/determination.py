"""Real-time determination of an override request, as a pure function (docs/domain.md §9).

Plain values in (the criterion's questions, evidence clauses and switch, the answers,
the dates of the member's paid fills, what the request asks for), a plain outcome out:
**approved** or **pended**, never denied. Every check leaves a :class:`Finding`, a
sentence a pharmacist can read and whether it supports approval; the outcome is
"approved" only when every finding does.

Like ``onhand``, this module knows nothing about Django or the database, so the rule
can be read and tested on its own. Answers arrive as JSON values; :func:`check_answers`
refuses the ones that cannot be read (an unknown question, a value of the wrong type)
and returns the rest in one normal form, which is what is stored and what
:func:`determine` reads.

New evidence clauses are added to :data:`EVIDENCE_CLAUSES` (a name and a function of
the look-back in days); the policy data stores a clause as its name and a number of
days, so a new clause needs no schema change.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation, localcontext
from fractions import Fraction

from .onhand import Limit
from .wording import describe_quantity

APPROVED = "approved"
PENDED = "pended"

QUESTION_TYPES = ("boolean", "choice", "number", "date", "text")
# Only an answer from a closed set can be something "the system may approve with".
APPROVE_WHEN_TYPES = ("boolean", "choice")
MAX_TEXT_ANSWER = 2000


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    type: str
    required: bool = False
    choices: tuple[str, ...] = ()
    approve_when: tuple = ()


@dataclass(frozen=True)
class EvidenceClause:
    """`<clause>: <days>` in the policy file."""

    clause: str
    days: int


@dataclass(frozen=True)
class CriterionRules:
    number: int
    auto_approve: bool = False
    questions: tuple[Question, ...] = ()
    evidence: tuple[EvidenceClause, ...] = ()


@dataclass(frozen=True)
class Finding:
    """One thing the determination checked.

    `subject` is what it is about ("setting", "criterion", "question", "evidence",
    "grant", "override"), `key` the question id or clause name ("" otherwise).
    """

    subject: str
    key: str
    supports: bool
    text: str


@dataclass(frozen=True)
class Determination:
    outcome: str
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def approved(self) -> bool:
        return self.outcome == APPROVED

    @property
    def reasons(self) -> list[str]:
        """Why it was pended (the findings against), or why approved (all of them)."""
        if self.approved:
            return [f.text for f in self.findings]
        return [f.text for f in self.findings if not f.supports]


# --- Answers ---------------------------------------------------------------------------


def check_answers(
    questions: Sequence[Question], raw: object
) -> tuple[dict[str, object], dict[str, str]]:
    """(normal answers, problems by question id) for the answers given to `questions`.

    The normal forms: boolean -> True/False; choice -> the choice as the policy spells
    it; number -> a decimal string ("2.5"); date -> "YYYY-MM-DD"; text -> stripped
    text. A null or empty answer is "not answered" (it pends if required; it is not an
    error). `raw` that is not a mapping is a problem under the key "".
    """
    if raw is None:
        return {}, {}
    if not isinstance(raw, Mapping):
        return {}, {"": 'Answers are an object of question id to answer, e.g. {"reason": "…"}.'}
    by_id = {q.id: q for q in questions}
    clean: dict[str, object] = {}
    problems: dict[str, str] = {}
    for key, value in raw.items():
        question = by_id.get(key)
        if question is None:
            known = ", ".join(by_id) or "none"
            problems[str(key)] = f'There is no question "{key}" here; the questions are: {known}.'
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        try:
            clean[key] = _READERS[question.type](question, value)
        except ValueError as exc:
            problems[key] = str(exc)
    return clean, problems


def _shown(value: object, limit: int = 40) -> str:
    """A refused answer as its message quotes it, cut short (a message is not a mirror)."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def _read_boolean(question: Question, value: object) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError(f"Answer true or false, not {_shown(value)}.")


def _folded(text: str) -> str:
    """Text as compared with a choice: one space between words, no case."""
    return " ".join(text.split()).casefold()


def _read_choice(question: Question, value: object) -> str:
    if isinstance(value, str):
        wanted = _folded(value)
        for choice in question.choices:
            # Both sides folded: the policy's own spelling ("a  b", " other") is an answer too.
            if _folded(choice) == wanted:
                return choice
    listed = "; ".join(question.choices)
    raise ValueError(f"{_shown(value)} is not one of the answers: {listed}.")


def _read_number(question: Question, value: object) -> str:
    if not isinstance(value, bool) and isinstance(value, (int, float, str, Decimal)):
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            number = None
        if number is not None and number.is_finite():
            return _written_out(number)
    raise ValueError(f"Answer a number, not {_shown(value)}.")


def _written_out(number: Decimal) -> str:
    """The number in plain digits, exactly: "2.50" -> "2.5", "1E+2" -> "100".

    normalize() in a context as precise as the number never rounds it (the default 28
    digits would). A number whose digits would not fit in a text answer is refused
    before it is written out: "1e999999" is a million digits, and "1e999999999" is past
    the default context's exponent (normalize() would raise Overflow).
    """
    too_long = ValueError(f"Keep the answer to {MAX_TEXT_ANSWER} characters.")
    if not number.is_zero() and abs(number.adjusted()) > MAX_TEXT_ANSWER:
        raise too_long
    with localcontext(prec=max(len(number.as_tuple().digits), 1)):
        text = f"{number.normalize():f}"
    if len(text) > MAX_TEXT_ANSWER:
        raise too_long
    return text


def _read_date(question: Question, value: object) -> str:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    raise ValueError(f"Answer a date as YYYY-MM-DD, not {_shown(value)}.")


def _read_text(question: Question, value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"Answer in words, not {_shown(value)}.")
    if len(value) > MAX_TEXT_ANSWER:
        raise ValueError(f"Keep the answer to {MAX_TEXT_ANSWER} characters.")
    return value.strip()


_READERS: dict[str, Callable[[Question, object], object]] = {
    "boolean": _read_boolean,
    "choice": _read_choice,
    "number": _read_number,
    "date": _read_date,
    "text": _read_text,
}


def describe_answer(value: object) -> str:
    """An answer as a sentence shows it: 'yes', 'no', 'initiating treatment'."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


# --- Evidence ---------------------------------------------------------------------------


def _days_ago(fill: date, received_on: date) -> str:
    days = (received_on - fill).days
    return "on the day of receipt" if days == 0 else f"{days} day{'s' * (days != 1)} before receipt"


def _fills_within(fill_dates: Sequence[date], received_on: date, days: int) -> list[date]:
    """Fills dated in the `days` days before receipt, the day of receipt included."""
    return sorted(d for d in fill_dates if 0 <= (received_on - d).days <= days)


def _no_paid_fill_within_days(days: int, fill_dates: Sequence[date], received_on: date):
    within = _fills_within(fill_dates, received_on, days)
    if within:
        last = within[-1]
        return False, (
            f"Last paid fill {last.isoformat()}, {_days_ago(last, received_on)}: inside the "
            f"{days}-day look-back, so this is not a new start."
        )
    return True, f"No paid fill of the policy's products in the {days} days before receipt."


def _paid_fill_within_days(days: int, fill_dates: Sequence[date], received_on: date):
    within = _fills_within(fill_dates, received_on, days)
    if within:
        last = within[-1]
        return True, (
            f"Last paid fill {last.isoformat()}, {_days_ago(last, received_on)}: inside the "
            f"{days}-day look-back."
        )
    return False, f"No paid fill of the policy's products in the {days} days before receipt."


EvidenceCheck = Callable[[int, Sequence[date], date], tuple[bool, str]]

EVIDENCE_CLAUSES: dict[str, EvidenceCheck] = {
    "no_paid_fill_within_days": _no_paid_fill_within_days,
    "paid_fill_within_days": _paid_fill_within_days,
}

# How a policy page and the admin describe each clause.
EVIDENCE_DESCRIPTIONS = {
    "no_paid_fill_within_days": "no paid fill of the policy's products in the {days} days "
    "before receipt",
    "paid_fill_within_days": "at least one paid fill of the policy's products in the {days} "
    "days before receipt",
}


def look_back_days(criterion: CriterionRules | None) -> int:
    """How far back the evidence looks: the fills a caller must supply (0: none needed)."""
    if criterion is None:
        return 0
    return max((clause.days for clause in criterion.evidence), default=0)


# --- The determination -------------------------------------------------------------------


@dataclass(frozen=True)
class Requested:
    """What the request asks for, and what the criterion's grant for its channel allows."""

    quantity: Decimal
    days_supply: int
    channel_label: str
    unit: str
    grant: Limit | None


def determine(
    *,
    criterion: CriterionRules | None,
    answers: Mapping[str, object],
    fill_dates: Sequence[date],
    received_on: date,
    requested: Requested,
    override_in_force: str | None = None,
    enabled: bool = True,
) -> Determination:
    """Approve or pend; never deny.

    Approved only when automatic approval is on, a criterion with `auto_approve` is
    attested, every required question is answered, every question with `approve_when`
    has one of those answers, every evidence clause holds, the criterion's grant covers
    what is asked for, and no other override of the policy is in force
    (`override_in_force` says which one is, in words). `answers` are check_answers'
    normal forms; `fill_dates` the dates of the member's paid, unreversed fills of the
    policy's products (at least the last look_back_days(criterion) days).
    """
    findings: list[Finding] = []
    if not enabled:
        findings.append(
            Finding("setting", "", False, "Automatic approval is turned off for this plan.")
        )
    if criterion is None:
        findings.append(Finding("criterion", "", False, 'No criterion was attested ("other").'))
    else:
        findings.extend(_criterion_findings(criterion, answers, fill_dates, received_on))
        findings.append(_grant_finding(criterion, requested))
    if override_in_force:
        findings.append(Finding("override", "", False, override_in_force))
    approved = bool(findings) and all(f.supports for f in findings)
    return Determination(APPROVED if approved else PENDED, tuple(findings))


def _criterion_findings(criterion, answers, fill_dates, received_on) -> list[Finding]:
    findings = []
    if not criterion.auto_approve:
        findings.append(
            Finding(
                "criterion",
                "",
                False,
                f"Criterion {criterion.number} is always decided by a pharmacist.",
            )
        )
    for question in criterion.questions:
        findings.append(_question_finding(question, answers.get(question.id)))
    for clause in criterion.evidence:
        check = EVIDENCE_CLAUSES.get(clause.clause)
        if check is None:
            findings.append(
                Finding("evidence", clause.clause, False, f"Unknown evidence {clause.clause!r}.")
            )
            continue
        holds, fact = check(clause.days, fill_dates, received_on)
        findings.append(Finding("evidence", clause.clause, holds, fact))
    return findings


def _question_finding(question: Question, answer: object) -> Finding:
    if answer is None:
        needed = question.required or bool(question.approve_when)
        return Finding("question", question.id, not needed, f'"{question.text}" not answered.')
    said = f'"{question.text}" answered "{describe_answer(answer)}"'
    if not question.approve_when or answer in question.approve_when:
        return Finding("question", question.id, True, f"{said}.")
    allowed = " or ".join(f'"{describe_answer(v)}"' for v in question.approve_when)
    return Finding(
        "question", question.id, False, f"{said}; approved automatically only for {allowed}."
    )


def _grant_finding(criterion: CriterionRules, requested: Requested) -> Finding:
    asked = (
        f"{describe_quantity(Fraction(requested.quantity), requested.unit)} for "
        f"{requested.days_supply} days"
    )
    grant = requested.grant
    if grant is None:
        return Finding(
            "grant",
            "",
            False,
            f"Criterion {criterion.number} grants nothing at {requested.channel_label}.",
        )
    allowed = (
        f"{describe_quantity(Fraction(grant.max_quantity), requested.unit)} per "
        f"{grant.per_days} days"
    )
    quantity, most = Fraction(requested.quantity), Fraction(grant.max_quantity)
    # No more than the grant at once, and no faster: q / days <= max / per_days.
    within = quantity <= most and quantity * grant.per_days <= most * requested.days_supply
    if within:
        return Finding("grant", "", True, f"Asked for {asked}; the criterion allows {allowed}.")
    return Finding(
        "grant",
        "",
        False,
        f"Asked for {asked}, more than the criterion allows ({allowed} at "
        f"{requested.channel_label}).",
    )
