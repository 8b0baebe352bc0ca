"""The synthetic month: override requests for the three shipped policies, in a stated
mix, each for a member and policy no other request of the run uses.

Import after django.setup(). The answers are written from the questions the policies
carry (whatever the files say), and each request's expected outcome is what the pure
rule (policies.rules.determination) says for a member with no fill of the drug
("new") or with one 28 days before ("on therapy"): the run checks the real
answers against it, so a request that comes out otherwise is a finding.
"""

import json
import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings

from benchmarks import data
from benchmarks.determination_data import (
    EMGALITY,
    HUMIRA,
    KESIMPTA_CODE,
    new_member_id,
    on_therapy,
)
from policies.choices import Channel
from policies.rules import determination
from policies.selectors import criteria_of

# Who asks. Kinds: "initiating" (new to the drug, answers that approve), "established"
# (on therapy, answering as if initiating), "other" (a pharmacist's case: an answer
# that does not approve, a criterion never approved automatically, or none attested).
POLICY_SHARES = {KESIMPTA_CODE: 0.40, HUMIRA.policy_code: 0.30, EMGALITY.policy_code: 0.30}
KIND_SHARES = {"initiating": 0.45, "established": 0.30, "other": 0.25}
OTHER_SHARES = {"answer": 0.5, "criterion": 0.3, "no criterion": 0.2}
# Where an "other" variant cannot be made for a policy (no question that can say no, no
# criterion kept for a pharmacist), the next one is used.
OTHER_FALLBACK = {"answer": "no criterion", "criterion": "answer"}
# Each kind and "other" variant as the report names it, in the report's order.
VARIANTS = {
    "initiating": "initiating, no fill",
    "established": "on the drug, answers as if initiating",
    "answer": "other: an answer that does not approve",
    "criterion": "other: a criterion for a pharmacist",
    "no criterion": "other: no criterion",
}
HOME_DELIVERY_SHARE = 0.2
EXPEDITED_SHARE = 0.1
ON_THERAPY_LAST_FILL_DAYS = 28  # the fill the expected outcome assumes for "on therapy"
SEED = 20261201


@dataclass(frozen=True)
class Planned:
    """One request of the plan, its body with answers and without."""

    policy_code: str
    kind: str
    variant: str  # the kind, or for "other": answer / criterion / no criterion
    expected: str  # "approved" or "pended"
    body: dict

    def encoded(self, *, with_answers: bool) -> bytes:
        body = self.body if with_answers else {k: v for k, v in self.body.items() if k != "answers"}
        return json.dumps(body).encode()


@dataclass
class Pool:
    """Members to draw from without putting back: each member once per policy and run."""

    name: str
    member_ids: list[str]
    taken: int = 0

    def take(self) -> str:
        if self.taken >= len(self.member_ids):
            raise RuntimeError(
                f"the pool {self.name} ran out after {self.taken:,} members: plan fewer requests"
            )
        self.taken += 1
        return self.member_ids[self.taken - 1]


@dataclass
class PolicyPlan:
    """What requests for one policy are made of: its products, criteria and member pools."""

    code: str
    ndcs: list[str]
    criteria: dict  # {number: policies.selectors.CriterionInfo}
    new: Pool
    on_therapy: Pool

    @property
    def auto_criterion(self):
        """The (first) criterion the system may approve under, else the first criterion."""
        auto = [c for c in self.criteria.values() if c.rules.auto_approve]
        return auto[0] if auto else next(iter(self.criteria.values()))

    @property
    def pharmacist_criterion(self):
        """A criterion never approved automatically (e.g. Humira's maintenance), or None."""
        kept = [c for c in self.criteria.values() if not c.rules.auto_approve]
        return kept[0] if kept else None


def member_pools(
    policies: dict, *, n_members: int, n_new: int, rng: random.Random
) -> dict[str, PolicyPlan]:
    """Each policy's members new to its drug and on it, in a seeded random order."""

    def shuffled(ids: list[str]) -> list[str]:
        rng.shuffle(ids)
        return ids

    seeded = range(1, n_members + 1)
    pools = {
        KESIMPTA_CODE: (
            [new_member_id(n) for n in range(1, n_new + 1)],
            [data.member_id(n) for n in seeded],  # every seeded member is on Kesimpta
        )
    }
    for therapy in (HUMIRA, EMGALITY):
        pools[therapy.policy_code] = (
            [data.member_id(n) for n in seeded if not on_therapy(n, therapy)],
            [data.member_id(n) for n in seeded if on_therapy(n, therapy)],
        )
    return {
        code: PolicyPlan(
            code=code,
            ndcs=sorted(ndc.ndc for product in policy.products.all() for ndc in product.ndcs.all()),
            criteria=criteria_of(policy),
            new=Pool(f"{code} new", shuffled(pools[code][0])),
            on_therapy=Pool(f"{code} on therapy", shuffled(pools[code][1])),
        )
        for code, policy in policies.items()
    }


# --- Answers ---------------------------------------------------------------------------------


def approving_answers(questions, received_on: date) -> dict:
    """Every question answered, with an answer that approves where the question has one."""
    return {q.id: _any_answer(q, received_on) for q in questions}


def declining_answers(questions, received_on: date) -> dict | None:
    """Every question answered, the first that can say no with an answer that does not
    approve ("additional induction dosing", "other", false); None when none can."""
    answers = approving_answers(questions, received_on)
    for q in questions:
        if not q.approve_when:
            continue
        offered = q.choices if q.type == "choice" else (True, False)
        other = [value for value in offered if value not in q.approve_when]
        if other:
            answers[q.id] = other[0]
            return answers
    return None


def _any_answer(question, received_on: date):
    if question.approve_when:
        return question.approve_when[0]
    return {
        "boolean": True,
        "choice": question.choices[0] if question.choices else "",
        "number": "1",
        "date": (received_on - timedelta(days=7)).isoformat(),
        "text": "Benchmark answer.",
    }[question.type]


# --- The plan --------------------------------------------------------------------------------


class Planner:
    """Draws requests: a policy by POLICY_SHARES, a kind by KIND_SHARES, members unused."""

    def __init__(self, plans: dict[str, PolicyPlan], received_on: date, seed: int = SEED):
        self.plans = plans
        self.received_on = received_on
        self.rng = random.Random(seed)

    def draw(self, count: int) -> list[Planned]:
        return [self.one() for _ in range(count)]

    def one(self, code: str | None = None, kind: str | None = None) -> Planned:
        code = code or _weighted(self.rng, POLICY_SHARES)
        kind = kind or _weighted(self.rng, KIND_SHARES)
        plan = self.plans[code]
        variant = kind if kind != "other" else self._other_variant(plan)
        criterion, answers = self._criterion_and_answers(plan, variant)
        pool = plan.new if kind == "initiating" else plan.on_therapy
        # What is asked for: the criterion's grant (the auto criterion's when none is attested).
        basis = criterion or plan.auto_criterion
        channel = (
            Channel.HOME_DELIVERY if self.rng.random() < HOME_DELIVERY_SHARE else Channel.RETAIL
        )
        if channel not in basis.grants:
            channel = Channel.RETAIL
        grant = basis.grants[channel]
        body = {
            "member_id": pool.take(),
            "ndc": self.rng.choice(plan.ndcs),
            "quantity": f"{grant.max_quantity:f}",
            "days_supply": grant.per_days,
            "channel": str(channel),
            "prescriber_npi": data.PRESCRIBER_NPI,
            "urgency": "expedited" if self.rng.random() < EXPEDITED_SHARE else "standard",
            "criterion_number": criterion.number if criterion else None,
            "clinical_notes": f"Benchmark month: {kind} ({variant}).",
            "answers": answers,
        }
        expected = self._expected(
            criterion, answers, channel, grant, on_therapy=kind != "initiating"
        )
        return Planned(code, kind, variant, expected, body)

    def _other_variant(self, plan: PolicyPlan) -> str:
        variant = _weighted(self.rng, OTHER_SHARES)
        while variant in OTHER_FALLBACK and not self._can_make(plan, variant):
            variant = OTHER_FALLBACK[variant]
        return variant

    def _can_make(self, plan: PolicyPlan, variant: str) -> bool:
        if variant == "criterion":
            return plan.pharmacist_criterion is not None
        questions = plan.auto_criterion.rules.questions
        return declining_answers(questions, self.received_on) is not None

    def _criterion_and_answers(self, plan: PolicyPlan, variant: str):
        if variant == "no criterion":
            return None, {}
        if variant == "criterion":
            chosen = plan.pharmacist_criterion
            return chosen, approving_answers(chosen.rules.questions, self.received_on)
        chosen = plan.auto_criterion
        if variant == "answer":
            return chosen, declining_answers(chosen.rules.questions, self.received_on)
        return chosen, approving_answers(chosen.rules.questions, self.received_on)

    def _expected(self, criterion, answers, channel, grant, *, on_therapy: bool) -> str:
        fills = [self.received_on - timedelta(days=ON_THERAPY_LAST_FILL_DAYS)] if on_therapy else []
        found = determination.determine(
            criterion=criterion.rules if criterion else None,
            answers=answers,
            fill_dates=fills,
            received_on=self.received_on,
            requested=determination.Requested(
                quantity=grant.max_quantity,
                days_supply=grant.per_days,
                channel_label=channel.label,
                unit="unit",
                grant=criterion.grants.get(channel) if criterion else None,
            ),
            enabled=settings.PRIORAUTH_AUTO_APPROVE,
        )
        return found.outcome


def _weighted(rng: random.Random, shares: dict[str, float]) -> str:
    return rng.choices(list(shares), weights=list(shares.values()))[0]


def new_members_needed(month: int, load: int) -> int:
    """How many members new to Kesimpta a plan of `month` + `load` requests may draw, with
    room to spare (the draw is random)."""
    expected = (month + load) * POLICY_SHARES[KESIMPTA_CODE] * KIND_SHARES["initiating"]
    return int(expected * 1.5) + 300  # and the query counts and timings (Kesimpta)


def describe_mix() -> str:
    def shares(values: dict[str, float]) -> str:
        return ", ".join(f"{share:.0%} {name}" for name, share in values.items())

    others = {VARIANTS[key].removeprefix("other: "): v for key, v in OTHER_SHARES.items()}
    return (
        f"policies {shares(POLICY_SHARES)}; kinds {shares(KIND_SHARES)}; "
        f'"other" split {shares(others)}'
    )
