"""What the real-time determination found, as the pages show it (docs/domain.md §9).

The request keeps the determination as JSON (outcome and findings, each a sentence and
whether it supports approval); these read it back for intake's confirmation and the
case page. Nothing here decides anything: policies/rules/determination.py does.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from policies.rules.determination import APPROVED, Question, describe_answer

NOT_ANSWERED = "Not answered"


@dataclass(frozen=True)
class Finding:
    subject: str
    key: str
    supports: bool
    text: str


@dataclass(frozen=True)
class AnswerRow:
    """One question of the attested criterion, its answer, and what the system made of it."""

    key: str
    question: str
    answer: str
    supports: bool
    finding: str


@dataclass(frozen=True)
class FoundAtReceipt:
    outcome: str  # "approved", "pended", or "" for a request received before question sets
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def recorded(self) -> bool:
        return bool(self.outcome)

    @property
    def approved_automatically(self) -> bool:
        return self.outcome == APPROVED

    @property
    def reasons(self) -> list[str]:
        """Why the system left it to a pharmacist (nothing when it approved)."""
        if not self.recorded or self.approved_automatically:
            return []
        return [f.text for f in self.findings if not f.supports]

    @property
    def evidence(self) -> list[Finding]:
        return [f for f in self.findings if f.subject == "evidence"]

    def answer_rows(self, answers: Mapping, questions: Sequence[Question]) -> list[AnswerRow]:
        """A row per question the determination checked, in the order it checked them.
        The question's words are today's (`questions`, by id), or its id if it is gone."""
        words = {q.id: q.text for q in questions}
        return [
            AnswerRow(
                key=f.key,
                question=words.get(f.key, f.key),
                answer=describe_answer(answers[f.key]) if f.key in answers else NOT_ANSWERED,
                supports=f.supports,
                finding=f.text,
            )
            for f in self.findings
            if f.subject == "question"
        ]


def read_determination(stored: Mapping | None) -> FoundAtReceipt:
    """The stored determination ({"outcome", "findings": [...]}) read back; an empty one
    for a request that has none."""
    if not stored:
        return FoundAtReceipt(outcome="")
    findings = tuple(
        Finding(
            subject=str(f.get("subject", "")),
            key=str(f.get("key", "")),
            supports=bool(f.get("supports")),
            text=str(f.get("text", "")),
        )
        for f in stored.get("findings", [])
    )
    return FoundAtReceipt(outcome=str(stored.get("outcome", "")), findings=findings)
