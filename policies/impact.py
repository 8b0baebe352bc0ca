"""Policy impact: replay one member's claims under a version of a policy (pure, no Django).

The replay answers "what would each of this member's claims have been under version V",
with the same rule the claim check runs (policies.rules.decide) and the same inputs:

- **Order.** Claims are replayed in the order they were decided (their id: the claim
  check serialises a member's claims under the member lock, so id order is decision
  order). A claim's fills are the claims decided before it that the *replay* paid: a
  claim the new version would reject is not a fill for the claims after it. Date order
  alone would give a back-dated claim fills that did not exist when it was decided.
- **Reversals** happen at their time: a paid claim is a fill for the claims decided
  before its `reversed_at`, and not for those after (ADR 0021). Reversed claims are
  replayed, so the fills they were stay exact, but are not counted as changed outcomes:
  whatever they would have been, nothing of them remains.
- **Overrides as they were.** An override applies to a claim on a day inside its dates
  and in the claim's channel, unless it had been revoked before the claim was decided.
  A one-time override is used up by the first claim the replay pays with it, and comes
  back when that claim is reversed. Which claim uses it is the replay's own answer: under
  a tighter limit an earlier claim may need it.
- **Context.** Claims decided before the replayed period keep their stored outcome (the
  replay does not re-decide them): they are fills, and a one-time override they used
  stays used.

Everything here is plain values; priorauth.services.impact feeds it a member at a time
and adds up the differences (`Tally`), so memory does not grow with the members.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from . import rules

CHANGE_NOW_REJECTED = "now_rejected"
CHANGE_NOW_PAID = "now_paid"


@dataclass(frozen=True)
class VersionRule:
    """What the replay needs of a policy version: the plan it serves, its own NDCs (the
    claims it manages) and its limit per channel. An empty rule manages nothing."""

    line_of_business: str
    ndcs: frozenset[str]
    limits: dict[str, rules.Limit]

    def manages(self, *, ndc: str, channel: str, line_of_business: str) -> rules.Limit | None:
        if line_of_business != self.line_of_business or ndc not in self.ndcs:
            return None
        return self.limits.get(channel)


NO_RULE = VersionRule(line_of_business="", ndcs=frozenset(), limits={})


def rule_fingerprint(rule: VersionRule) -> str:
    """A digest of everything the replay reads of a version: a save that changes none of
    it (the wording, the criteria) leaves the last replay valid."""
    parts = [rule.line_of_business, ",".join(sorted(rule.ndcs))]
    for channel in sorted(rule.limits):
        limit = rule.limits[channel]
        parts.append(f"{channel}:{limit.max_quantity.normalize()}/{limit.per_days}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class ReplayClaim:
    """A stored claim as the replay reads it."""

    ref: int
    ndc: str
    quantity: object  # Decimal
    days_supply: int
    channel: str
    on: date
    submitted_at: datetime
    reversed_at: datetime | None
    stored_paid: bool  # paid, or paid and later reversed
    stored_override: int | None
    replayed: bool  # inside the replayed period; otherwise context (stored outcome kept)

    @property
    def covers_through(self) -> date:
        return self.on + timedelta(days=self.days_supply - 1)

    @property
    def counted(self) -> bool:
        """A replayed claim whose outcome stands (reversed claims count for nothing)."""
        return self.replayed and self.reversed_at is None

    def reversed_before(self, moment: datetime) -> bool:
        return self.reversed_at is not None and self.reversed_at <= moment


@dataclass(frozen=True)
class ReplayOverride:
    """An override of the policy's code, with the grants copied onto it."""

    ref: int
    one_time: bool
    starts_on: date
    ends_on: date
    revoked_at: datetime | None
    grants: dict[str, rules.Limit]

    def applies(self, claim: ReplayClaim) -> rules.Limit | None:
        if not (self.starts_on <= claim.on <= self.ends_on):
            return None
        if self.revoked_at is not None and self.revoked_at <= claim.submitted_at:
            return None
        return self.grants.get(claim.channel)


@dataclass(frozen=True)
class Decision:
    ref: int
    paid: bool
    override: int | None  # the override that paid it


@dataclass
class _State:
    """A member's replay so far: the claims it paid, and who used each one-time override."""

    paid: list[ReplayClaim] = field(default_factory=list)
    used_by: dict[int, ReplayClaim] = field(default_factory=dict)

    def fills_for(self, claim: ReplayClaim) -> list[rules.Fill]:
        return [
            rules.Fill(f.ref, f.on, f.quantity, f.days_supply)
            for f in self.paid
            if f.covers_through >= claim.on and not f.reversed_before(claim.submitted_at)
        ]

    def available(self, override: ReplayOverride, claim: ReplayClaim) -> bool:
        user = self.used_by.get(override.ref)
        return user is None or user.reversed_before(claim.submitted_at)

    def record(self, claim: ReplayClaim, paid: bool, override: ReplayOverride | None) -> None:
        if paid:
            self.paid.append(claim)
            if override is not None and override.one_time:
                self.used_by[override.ref] = claim


def replay_member(
    claims: Sequence[ReplayClaim],
    overrides: Sequence[ReplayOverride],
    rule: VersionRule,
    *,
    line_of_business: str,
) -> list[Decision]:
    """Each replayed claim's outcome under `rule`, for one member, in decision order.

    `claims` are the member's claims of the policy's NDCs (any version's) that were not
    refused for eligibility, ordered by id; context claims come back with their stored
    outcome so the caller can ignore them.
    """
    by_ref = {o.ref: o for o in overrides}
    state = _State()
    decisions = []
    for claim in claims:
        if not claim.replayed:
            used = by_ref.get(claim.stored_override) if claim.stored_paid else None
            state.record(claim, claim.stored_paid, used)
            continue
        paid, used = _decide(claim, overrides, rule, state, line_of_business)
        state.record(claim, paid, used)
        decisions.append(Decision(claim.ref, paid, used.ref if used else None))
    return decisions


def _decide(
    claim: ReplayClaim,
    overrides: Sequence[ReplayOverride],
    rule: VersionRule,
    state: _State,
    line_of_business: str,
) -> tuple[bool, ReplayOverride | None]:
    limit = rule.manages(ndc=claim.ndc, channel=claim.channel, line_of_business=line_of_business)
    if limit is None:
        return True, None  # not managed (or no limit in this channel): paid as it was
    override = None

    def grant() -> rules.Limit | None:  # looked for only when the plain limit rejects
        nonlocal override
        override, limit_granted = _grant_for(claim, overrides, state)
        return limit_granted

    outcome = rules.decide(
        quantity=claim.quantity,
        days_supply=claim.days_supply,
        on=claim.on,
        fills=state.fills_for(claim),
        limit=limit,
        override_limit=grant,
    )
    return outcome.paid, (override if outcome.uses_override else None)


def _grant_for(
    claim: ReplayClaim, overrides: Sequence[ReplayOverride], state: _State
) -> tuple[ReplayOverride | None, rules.Limit | None]:
    # One override of a policy is in force at a time (a constraint); the latest to start
    # wins should stored history ever hold two.
    for override in sorted(overrides, key=lambda o: (o.starts_on, o.ref), reverse=True):
        grant = override.applies(claim)
        if grant is not None and state.available(override, claim):
            return override, grant
    return None, None


# ---------------------------------------------------------------------------
# Adding up: one member's two replays compared, then all members together
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberImpact:
    """One member's changed claims: (claim ref, day, channel, change)."""

    changes: tuple[tuple[int, date, str, str], ...]
    overrides_no_longer_needed: frozenset[int]
    overrides_now_needed: frozenset[int]
    differs_from_stored: int  # counted claims the old replay decided unlike the store

    @property
    def affected(self) -> bool:
        return bool(self.changes)

    def count(self, change: str) -> int:
        return sum(1 for *_, kind in self.changes if kind == change)


def compare_member(
    claims: Sequence[ReplayClaim],
    overrides: Sequence[ReplayOverride],
    *,
    old: VersionRule,
    new: VersionRule,
    line_of_business: str,
) -> MemberImpact:
    before = replay_member(claims, overrides, old, line_of_business=line_of_business)
    after = replay_member(claims, overrides, new, line_of_business=line_of_business)
    replayed = [c for c in claims if c.replayed]
    changes = []
    used_before, used_after, differs = set(), set(), 0
    for claim, was, now in zip(replayed, before, after, strict=True):
        if not claim.counted:
            continue
        differs += was.paid != claim.stored_paid
        used_before |= {was.override} - {None}
        used_after |= {now.override} - {None}
        if was.paid != now.paid:
            kind = CHANGE_NOW_PAID if now.paid else CHANGE_NOW_REJECTED
            changes.append((claim.ref, claim.on, claim.channel, kind))
    return MemberImpact(
        changes=tuple(changes),
        overrides_no_longer_needed=frozenset(used_before - used_after),
        overrides_now_needed=frozenset(used_after - used_before),
        differs_from_stored=differs,
    )


@dataclass
class Tally:
    """The report's figures, added up member by member (bounded by days and channels)."""

    members_replayed: int = 0
    claims_replayed: int = 0
    members_affected: int = 0
    by_change: Counter = field(default_factory=Counter)
    by_channel: dict = field(default_factory=lambda: defaultdict(Counter))
    by_day: dict = field(default_factory=lambda: defaultdict(Counter))
    overrides_no_longer_needed: int = 0
    overrides_now_needed: int = 0
    differs_from_stored: int = 0

    def add(self, impact: MemberImpact, claims_counted: int) -> None:
        self.members_replayed += 1
        self.claims_replayed += claims_counted
        self.members_affected += impact.affected
        for _ref, day, channel, kind in impact.changes:
            self.by_change[kind] += 1
            self.by_channel[channel][kind] += 1
            self.by_day[day][kind] += 1
        self.overrides_no_longer_needed += len(impact.overrides_no_longer_needed)
        self.overrides_now_needed += len(impact.overrides_now_needed)
        self.differs_from_stored += impact.differs_from_stored

    def summary(self, days: Iterable[date]) -> dict:
        """JSON-ready: every day of the period in the series, changed or not."""
        return {
            "members_replayed": self.members_replayed,
            "claims_replayed": self.claims_replayed,
            "members_affected": self.members_affected,
            CHANGE_NOW_REJECTED: self.by_change[CHANGE_NOW_REJECTED],
            CHANGE_NOW_PAID: self.by_change[CHANGE_NOW_PAID],
            "by_channel": {
                channel: {
                    CHANGE_NOW_REJECTED: counts[CHANGE_NOW_REJECTED],
                    CHANGE_NOW_PAID: counts[CHANGE_NOW_PAID],
                }
                for channel, counts in sorted(self.by_channel.items())
            },
            "overrides_no_longer_needed": self.overrides_no_longer_needed,
            "overrides_now_needed": self.overrides_now_needed,
            "old_version_differs_from_stored": self.differs_from_stored,
            "daily": [
                {
                    "day": day.isoformat(),
                    CHANGE_NOW_REJECTED: self.by_day[day][CHANGE_NOW_REJECTED],
                    CHANGE_NOW_PAID: self.by_day[day][CHANGE_NOW_PAID],
                }
                for day in days
            ],
        }
