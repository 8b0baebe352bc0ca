"""The policies in force today, and what the demo uses from each."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from policies.models import Channel, Criterion, CriterionGrant, Policy, QuantityLimit


@dataclass
class DemoPolicy:
    """A policy in force today: its first product NDC, its limits, its first criterion."""

    policy: Policy
    ndc: str
    product_name: str
    unit: str
    limits: dict[str, QuantityLimit]
    criterion: Criterion | None
    grants: dict[str, CriterionGrant]

    @property
    def maintenance_limit(self) -> QuantityLimit:
        return self.limits.get(Channel.RETAIL) or next(iter(self.limits.values()))

    def limit_for(self, channel: str) -> QuantityLimit:
        return self.limits.get(channel) or self.maintenance_limit


def policies_in_force(today: date, say: Callable[[str], None]) -> list[DemoPolicy]:
    """The newest version of each policy in force, skipping (and saying so) unusable ones."""
    found = []
    seen_codes = set()
    in_force = (
        Policy.objects.in_force(today)
        .order_by("code", "-effective_from")
        .prefetch_related("products__ndcs", "limits", "criteria__grants")
    )
    for policy in in_force:
        if policy.code in seen_codes:
            continue  # an older version of a policy already chosen
        seen_codes.add(policy.code)
        demo_policy = _demo_policy(policy)
        if demo_policy is None:
            say(f"skipping {policy.code}: it has no product NDC or no limit.")
            continue
        found.append(demo_policy)
    return found


def _demo_policy(policy: Policy) -> DemoPolicy | None:
    # Sorted in Python: the prefetched rows are reused, and the choice stays stable.
    products = sorted(policy.products.all(), key=lambda p: p.pk)
    ndcs = sorted(products[0].ndcs.all(), key=lambda n: n.pk) if products else []
    limits = {limit.channel: limit for limit in policy.limits.all()}
    if not ndcs or not limits:
        return None
    criteria = sorted(policy.criteria.all(), key=lambda c: c.number)
    criterion = criteria[0] if criteria else None
    grants = {g.channel: g for g in criterion.grants.all()} if criterion else {}
    return DemoPolicy(
        policy=policy,
        ndc=ndcs[0].ndc,
        product_name=products[0].name,
        unit=products[0].unit,
        limits=limits,
        criterion=criterion,
        grants=grants,
    )
