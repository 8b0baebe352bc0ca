"""The demo members and their claim histories, adjudicated by the real claim rule."""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from policies.models import Channel
from priorauth import services
from priorauth.models import Claim, ClaimStatus, Member

from .coverage import DemoPolicy
from .narratives import (
    DOB_FIRST,
    DOB_LAST,
    EARLY_REFILL,
    FALLBACK_PLAN_NAMES,
    FIRST_NAMES,
    HOME_DELIVERY,
    LAST_NAMES,
    NEW_START,
    PLAN_NAMES,
    RETAIL,
    demo_member_id,
)

# Demo members are covered from two years back: before any history the demo makes.
COVERED_FOR_DAYS = 730


@dataclass
class DemoMember:
    member: Member
    policy: DemoPolicy
    kind: str  # NEW_START, RETAIL, HOME_DELIVERY or EARLY_REFILL
    fills: list[Claim] = field(default_factory=list)


def create_members(count: int, policies: list[DemoPolicy], rng: random.Random) -> list[DemoMember]:
    """`count` members, dealt round the policies in turn, each with a kind of history."""
    members = [
        _create_member(number, policies[(number - 1) % len(policies)], rng)
        for number in range(1, count + 1)
    ]
    for demo_policy in policies:
        group = [who for who in members if who.policy is demo_policy]
        _assign_kinds(group, demo_policy, rng)
    return members


def _create_member(number: int, demo_policy: DemoPolicy, rng: random.Random) -> DemoMember:
    line_of_business = demo_policy.policy.line_of_business
    # The keyword order is the order the generator is drawn in: keep it, or the data changes.
    member = services.member_create(
        member_id=demo_member_id(number),
        first_name=rng.choice(FIRST_NAMES),
        last_name=rng.choice(LAST_NAMES),
        date_of_birth=DOB_FIRST + timedelta(days=rng.randint(0, (DOB_LAST - DOB_FIRST).days)),
        line_of_business=line_of_business,
        plan_name=rng.choice(PLAN_NAMES.get(line_of_business, FALLBACK_PLAN_NAMES)),
        # Covered since well before the history below begins (about six months back).
        coverage_start=timezone.localdate() - timedelta(days=COVERED_FOR_DAYS),
    )
    return DemoMember(member=member, policy=demo_policy, kind=RETAIL)


def _assign_kinds(group: list[DemoMember], demo_policy: DemoPolicy, rng: random.Random) -> None:
    """40% new starts, 20% switched to home delivery, 10% with a rejected early refill,
    the rest on plain monthly retail fills."""
    rng.shuffle(group)
    n = len(group)
    # Switching to home delivery needs a home delivery limit besides the retail one.
    switchers = round(n * 0.2) if len(demo_policy.limits) > 1 else 0
    kinds = (
        [NEW_START] * round(n * 0.4)
        + [HOME_DELIVERY] * switchers
        + [EARLY_REFILL] * max(1, round(n * 0.1))
    )
    for who, kind in zip(group, kinds, strict=False):
        who.kind = kind


def fill(who: DemoMember, *, channel: str, quantity: Decimal, days: int, on: date, by) -> Claim:
    """One claim through the claim rule, remembered as the member's latest fill.

    Filed on its date of service, as a pharmacy would have: a history sent today would be
    older than the timely-filing window (NCPDP 81)."""
    claim = services.claim_adjudicate(
        member_id=who.member.member_id,
        ndc=who.policy.ndc,
        quantity=quantity,
        days_supply=days,
        channel=channel,
        date_of_service=on,
        submitted_by=by,
        received_on=on,
    )
    who.fills.append(claim)
    return claim


def fill_history(who: DemoMember, *, rng: random.Random, today: date, by) -> None:
    """About six months of fills, oldest first (the rule reads the earlier fills)."""
    if who.kind == NEW_START:
        return
    demo_policy = who.policy
    maintenance = demo_policy.maintenance_limit
    home = demo_policy.limits.get(Channel.HOME_DELIVERY)
    switch_after = rng.randint(2, 3) if who.kind == HOME_DELIVERY else None
    early_at = rng.randint(2, 4) if who.kind == EARLY_REFILL else None
    day = today - timedelta(days=rng.randint(150, 185))
    number = 0
    while day <= today:
        limit = home if switch_after is not None and number >= switch_after else maintenance
        supply = {"channel": limit.channel, "quantity": limit.max_quantity, "days": limit.per_days}
        if number == early_at:
            # A refill a third of the days supply too early: the supply is still on hand.
            fill(who, **supply, on=day - timedelta(days=max(1, limit.per_days // 3)), by=by)
        fill(who, **supply, on=day, by=by)
        number += 1
        # The next fill when this supply runs out, or a few days late.
        day += timedelta(days=limit.per_days + rng.randint(0, 3))


def reverse_one_latest_fill(members: list[DemoMember]) -> None:
    """The pharmacy reverses one member's latest fill (e.g. never picked up)."""
    for who in members:
        if who.kind == RETAIL and who.fills and who.fills[-1].status == ClaimStatus.PAID:
            services.claim_reverse(claim_id=who.fills[-1].pk)
            return
