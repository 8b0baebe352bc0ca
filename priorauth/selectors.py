"""Reads that are more than one line. Services and views both use them."""

from dataclasses import dataclass
from datetime import date

from django.db.models import OuterRef, QuerySet, Subquery

from policies import rules
from policies.models import Policy, Product, ProductNDC, QuantityLimit

from .models import Claim, ClaimStatus, Member, Override, OverrideAllowance


@dataclass(frozen=True)
class ManagedLimit:
    """The policy version that manages an NDC on a date, and its limit for one channel."""

    policy: Policy
    unit: str
    limit: QuantityLimit | None


def policy_for_ndc(*, ndc: str, on: date, line_of_business: str) -> Policy | None:
    """The policy version in force on `on` for this plan whose products include `ndc`."""
    return (
        Policy.objects.in_force(on)
        .filter(line_of_business=line_of_business, products__ndcs__ndc=ndc)
        .order_by("-effective_from")
        .first()
    )


def managed_limit(
    *, ndc: str, channel: str, on: date, line_of_business: str
) -> ManagedLimit | None:
    """One query in the usual case: the channel's limit with its policy and the NDC's unit."""
    unit = Subquery(
        Product.objects.filter(policy=OuterRef("policy"), ndcs__ndc=ndc).values("unit")[:1]
    )
    row = (
        QuantityLimit.objects.select_related("policy")
        .filter(
            channel=channel,
            policy__in=Policy.objects.in_force(on).filter(
                line_of_business=line_of_business, products__ndcs__ndc=ndc
            ),
        )
        .annotate(unit=unit)
        .order_by("-policy__effective_from")
        .first()
    )
    if row is not None:
        return ManagedLimit(policy=row.policy, unit=row.unit, limit=row)
    # Managed, but with no limit in this channel (or not managed at all).
    policy = policy_for_ndc(ndc=ndc, on=on, line_of_business=line_of_business)
    if policy is None:
        return None
    unit_name = Product.objects.filter(policy=policy, ndcs__ndc=ndc).values_list("unit", flat=True)
    return ManagedLimit(policy=policy, unit=unit_name.first() or "unit", limit=None)


def policy_ndcs(policy_code: str) -> QuerySet:
    """Every NDC any version of the policy manages (claims for all of them count together)."""
    return ProductNDC.objects.filter(product__policy__code=policy_code).values("ndc")


def fills_reaching(*, member: Member, policy_code: str, on: date) -> list[rules.Fill]:
    """Paid, not reversed fills of the policy's products whose supply reaches `on` or later."""
    rows = (
        Claim.objects.filter(
            member=member,
            status=ClaimStatus.PAID,
            covers_through__gte=on,
            ndc__in=policy_ndcs(policy_code),
        )
        .order_by("date_of_service", "id")
        .values_list("id", "date_of_service", "quantity", "days_supply")
    )
    return [
        rules.Fill(ref=pk, filled_on=filled_on, quantity=quantity, days_supply=days_supply)
        for pk, filled_on, quantity, days_supply in rows
    ]


def effective_allowance(
    *, member: Member, policy_code: str, channel: str, on: date
) -> OverrideAllowance | None:
    """The member's override grant for this channel in force on `on`, with its override."""
    return (
        OverrideAllowance.objects.select_related("override")
        .filter(
            channel=channel,
            override__in=Override.objects.effective(on).filter(
                member=member, policy_code=policy_code
            ),
        )
        .first()
    )


def effective_override(*, member: Member, policy_code: str, on: date) -> Override | None:
    return Override.objects.effective(on).filter(member=member, policy_code=policy_code).first()


def claim_history(*, member: Member, policy_code: str, since: date) -> QuerySet:
    """Every claim (paid, rejected, reversed) for the policy's products since a date."""
    return Claim.objects.filter(
        member=member, date_of_service__gte=since, ndc__in=policy_ndcs(policy_code)
    ).select_related("override")
