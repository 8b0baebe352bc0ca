"""Reads that are more than one line. Services and views both use them."""

import time
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import OuterRef, Q, QuerySet, Subquery

from policies import rules
from policies.models import Criterion, Policy, Product, ProductNDC, QuantityLimit

from .models import (
    OPEN_REQUEST_STATUSES,
    Claim,
    ClaimStatus,
    Member,
    Override,
    OverrideAllowance,
    OverrideRequest,
    in_force_on,
)


@dataclass(frozen=True)
class ManagedLimit:
    """The policy version that manages an NDC on a date, and its limit for one channel."""

    policy: Policy
    unit: str
    limit: QuantityLimit | None
    # Every NDC of any version of the policy: fills of all of them count together.
    ndcs: tuple[str, ...]


def policy_for_ndc(*, ndc: str, on: date, line_of_business: str) -> Policy | None:
    """The policy version in force on `on` for this plan whose products include `ndc`."""
    return (
        Policy.objects.in_force(on)
        .filter(line_of_business=line_of_business, products__ndcs__ndc=ndc)
        .order_by("-effective_from")
        .first()
    )


# The claim check asks "which policy and limit manage this NDC today" on every claim, and
# the answer changes only when an admin edits a policy. Each process keeps the answers
# for PRIORAUTH_POLICY_CACHE_SECONDS; a save in this process clears them at once (see
# apps.py), other processes catch up within the TTL. docs/decisions/0007-policy-cache.md
_managed_limits: dict[tuple, tuple[float, "ManagedLimit | None"]] = {}
_MAX_CACHED = 10_000


def forget_policies(**_signal_kwargs) -> None:
    _managed_limits.clear()


def managed_limit(
    *, ndc: str, channel: str, on: date, line_of_business: str
) -> ManagedLimit | None:
    ttl = settings.PRIORAUTH_POLICY_CACHE_SECONDS
    key = (ndc, channel, on, line_of_business)
    cached = _managed_limits.get(key)
    if ttl > 0 and cached is not None and cached[0] > time.monotonic():
        return cached[1]
    found = _load_managed_limit(ndc=ndc, channel=channel, on=on, line_of_business=line_of_business)
    if ttl > 0:
        if len(_managed_limits) >= _MAX_CACHED:
            _managed_limits.clear()
        _managed_limits[key] = (time.monotonic() + ttl, found)
    return found


def _load_managed_limit(
    *, ndc: str, channel: str, on: date, line_of_business: str
) -> ManagedLimit | None:
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
        return ManagedLimit(
            policy=row.policy, unit=row.unit, limit=row, ndcs=_policy_ndcs(row.policy.code)
        )
    # Managed, but with no limit in this channel (or not managed at all).
    policy = policy_for_ndc(ndc=ndc, on=on, line_of_business=line_of_business)
    if policy is None:
        return None
    unit_name = Product.objects.filter(policy=policy, ndcs__ndc=ndc).values_list("unit", flat=True)
    return ManagedLimit(policy=policy, unit=unit_name.first() or "unit", limit=None, ndcs=(ndc,))


def policy_ndcs(policy_code: str) -> QuerySet:
    """Every NDC any version of the policy manages (claims for all of them count together)."""
    return ProductNDC.objects.filter(product__policy__code=policy_code).values("ndc")


def _policy_ndcs(policy_code: str) -> tuple[str, ...]:
    return tuple(sorted(set(policy_ndcs(policy_code).values_list("ndc", flat=True))))


def fills_reaching(*, member: Member, ndcs: tuple[str, ...], on: date) -> list[rules.Fill]:
    """Paid, not reversed fills of the policy's products whose supply reaches `on` or later."""
    rows = (
        Claim.objects.filter(
            member=member, status=ClaimStatus.PAID, covers_through__gte=on, ndc__in=ndcs
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
            in_force_on(on, prefix="override__"),
            channel=channel,
            override__member=member,
            override__policy_code=policy_code,
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


# --- Pages --------------------------------------------------------------------------


def _drug_name() -> Subquery:
    """The managed product's name for a request's NDC, in the same query."""
    return Subquery(
        Product.objects.filter(
            policy=OuterRef("policy"), ndcs__ndc=OuterRef("prescription__ndc")
        ).values("name")[:1]
    )


def work_queue(
    *,
    user,
    status: str = "",
    urgency: str = "",
    policy_code: str = "",
    mine: bool = False,
    search: str = "",
) -> QuerySet:
    """Open requests, most urgent first: overdue ones (earliest due) lead, then nearest due.

    Plain rows, cheap to count; `with_queue_details` adds what the page shows.
    """
    queryset = OverrideRequest.objects.filter(status__in=OPEN_REQUEST_STATUSES).order_by(
        "due_at", "id"
    )
    if status:
        queryset = queryset.filter(status=status)
    if urgency:
        queryset = queryset.filter(urgency=urgency)
    if policy_code:
        queryset = queryset.filter(policy__code=policy_code)
    if mine:
        queryset = queryset.filter(assigned_to=user)
    search = search.strip()
    if search:
        queryset = queryset.filter(
            Q(member__member_id__iexact=search)
            | Q(member__last_name__icontains=search)
            | Q(member__first_name__icontains=search)
        )
    return queryset


def with_queue_details(queryset: QuerySet) -> QuerySet:
    """Member, policy, assignee, prescription and the drug's name, in the same query."""
    return queryset.select_related("member", "policy", "assigned_to", "prescription").annotate(
        drug=_drug_name()
    )


def case_request(request_id: int) -> OverrideRequest | None:
    return (
        OverrideRequest.objects.select_related(
            "member",
            "policy",
            "prescription__prescriber",
            "attested_criterion",
            "assigned_to",
            "submitted_by",
            "decision__criterion",
            "decision__decided_by",
            "override__criterion",
        )
        .annotate(drug=_drug_name())
        .filter(pk=request_id)
        .first()
    )


def policy_rules(policy: Policy) -> tuple[list[QuantityLimit], list[Criterion]]:
    limits = list(policy.limits.all())
    criteria = list(policy.criteria.prefetch_related("grants"))
    return limits, criteria


def member_overrides(*, member: Member, policy_code: str | None = None) -> QuerySet:
    queryset = Override.objects.filter(member=member).select_related("criterion", "request")
    if policy_code:
        queryset = queryset.filter(policy_code=policy_code)
    return queryset.prefetch_related("allowances").order_by("-starts_on", "-id")


def request_history(request: OverrideRequest) -> QuerySet:
    return request.history.select_related("history_user").order_by("history_date", "history_id")
