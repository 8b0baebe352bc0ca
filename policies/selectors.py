"""Reads of the policy domain that are more than one line.

The review domain asks these which policy and limit manage an NDC (on every
claim, so the answer is cached per process: docs/decisions/0007-policy-cache.md),
and the file loader and the admin ask them what only the database can tell about
a policy being saved (overlapping versions, NDCs another policy manages).
"""

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery

from . import rules, validation
from .choices import LineOfBusiness
from .models import Criterion, Policy, Product, ProductNDC, QuantityLimit
from .rules import determination


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
# policies/apps.py), other processes catch up within the TTL.
_managed_limits: dict[tuple, tuple[float, "ManagedLimit | None"]] = {}
_MAX_CACHED = 10_000


def forget_policies(**_signal_kwargs) -> None:
    _managed_limits.clear()
    _criteria.clear()


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


@dataclass(frozen=True)
class ClaimReach:
    """What a claim for an NDC may be checked against before the member is known: the
    managed limit for each line of business, and the NDCs and policy codes those reach.
    The claim check reads them in the same round trip that locks the member."""

    by_line_of_business: dict[str, ManagedLimit | None]
    ndcs: tuple[str, ...]
    policy_codes: tuple[str, ...]


def claim_reach(*, ndc: str, channel: str, on: date) -> ClaimReach:
    """The managed limit of an NDC for every line of business (each cached as above)."""
    by_line = {
        line: managed_limit(ndc=ndc, channel=channel, on=on, line_of_business=line)
        for line in LineOfBusiness.values
    }
    found = [managed for managed in by_line.values() if managed is not None]
    return ClaimReach(
        by_line_of_business=by_line,
        ndcs=tuple(sorted({n for managed in found for n in managed.ndcs})),
        policy_codes=tuple(sorted({managed.policy.code for managed in found})),
    )


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


@dataclass(frozen=True)
class CriterionInfo:
    """A criterion as intake and the determination read it: words, questions, grants."""

    pk: int
    number: int
    label: str
    text: str
    rules: determination.CriterionRules
    grants: dict[str, rules.Limit]


# The criteria of a policy version, with their questions and evidence, are read on
# every override request (the determination) and every PA initiation; cached like the
# limits above, and forgotten on the same signals.
_criteria: dict[int, tuple[float, dict[int, CriterionInfo]]] = {}


def criteria_of(policy: Policy) -> dict[int, CriterionInfo]:
    """{number: CriterionInfo} for a policy version, in number order."""
    ttl = settings.PRIORAUTH_POLICY_CACHE_SECONDS
    cached = _criteria.get(policy.pk)
    if ttl > 0 and cached is not None and cached[0] > time.monotonic():
        return cached[1]
    found = _load_criteria(policy)
    if ttl > 0:
        if len(_criteria) >= _MAX_CACHED:
            _criteria.clear()
        _criteria[policy.pk] = (time.monotonic() + ttl, found)
    return found


def _load_criteria(policy: Policy) -> dict[int, CriterionInfo]:
    rows = Criterion.objects.filter(policy=policy).prefetch_related(
        "grants", "questions", "evidence"
    )
    return {
        criterion.number: CriterionInfo(
            pk=criterion.pk,
            number=criterion.number,
            label=criterion.label,
            text=criterion.text,
            rules=criterion_rules(criterion),
            grants={
                g.channel: rules.Limit(g.max_quantity, g.per_days) for g in criterion.grants.all()
            },
        )
        for criterion in rows.order_by("number")
    }


def policy_ndcs(policy_code: str) -> QuerySet:
    """Every NDC any version of the policy manages (claims for all of them count together)."""
    return ProductNDC.objects.filter(product__policy__code=policy_code).values("ndc")


def _policy_ndcs(policy_code: str) -> tuple[str, ...]:
    return tuple(sorted(set(policy_ndcs(policy_code).values_list("ndc", flat=True))))


def ndcs_in_force(on: date) -> set[str]:
    """Every NDC (11 digits) a policy in force on `on` manages, any plan: what intake's
    "did you mean …" may suggest."""
    return set(
        ProductNDC.objects.filter(product__policy__in=Policy.objects.in_force(on)).values_list(
            "ndc", flat=True
        )
    )


def policies_managing(ndc: str, on: date) -> list[Policy]:
    """The policy versions in force on `on` whose products include `ndc`, any plan (intake
    narrows its criterion list with them before it knows the member's plan)."""
    return list(
        Policy.objects.in_force(on)
        .filter(products__ndcs__ndc=ndc)
        .distinct()
        .order_by("title", "line_of_business")
        .prefetch_related("criteria")
    )


def policy_version(pk: int) -> Policy | None:
    return Policy.objects.filter(pk=pk).first()


def policy_unit(policy: Policy) -> str:
    """The dispensing unit of the policy's products ("pen"), for sentences about quantities."""
    return policy.products.values_list("unit", flat=True).first() or "unit"


def policy_rules(policy: Policy) -> tuple[list[QuantityLimit], list[Criterion]]:
    limits = list(policy.limits.all())
    criteria = list(policy.criteria.prefetch_related("grants"))
    return limits, criteria


def criterion_rules(criterion: Criterion) -> determination.CriterionRules:
    """The criterion's questions, evidence and switch as the determination reads them.

    Prefetch `questions` and `evidence` when reading several criteria.
    """
    return determination.CriterionRules(
        number=criterion.number,
        auto_approve=criterion.auto_approve,
        questions=tuple(
            determination.Question(
                id=q.key,
                text=q.text,
                type=q.type,
                required=q.required,
                choices=tuple(q.choices),
                approve_when=tuple(q.approve_when),
            )
            for q in criterion.questions.all()
        ),
        evidence=tuple(
            determination.EvidenceClause(e.clause, e.days) for e in criterion.evidence.all()
        ),
    )


def policy_codes_and_titles() -> QuerySet:
    """(code, title) of every policy, for filters."""
    return Policy.objects.order_by("title").values_list("code", "title").distinct()


# --- What only the database can tell about a policy being saved -----------------------


def version_overlaps(
    *, code: str, effective_from: date, effective_to: date | None, exclude_pk: int | None = None
) -> list[str]:
    """Messages for other versions of `code` whose dates overlap the given period."""
    others = Policy.objects.overlapping(effective_from, effective_to).filter(code=code)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    period = validation.describe_period(effective_from, effective_to)
    return [
        validation.version_overlap_message(
            code=code, period=period, other_from=other.effective_from, other_to=other.effective_to
        )
        for other in others.order_by("effective_from")
    ]


def ndc_conflicts(
    *,
    ndcs: Iterable[str],
    code: str,
    line_of_business: str,
    effective_from: date,
    effective_to: date | None,
) -> dict[str, str]:
    """{ndc: message} for NDCs another policy manages for this line of business on a shared day.

    Versions of the same policy (same code) are left out: they may not overlap each other at
    all, which `version_overlaps` reports.
    """
    rows = (
        ProductNDC.objects.filter(
            ndc__in=set(ndcs),
            product__policy__line_of_business=line_of_business,
            product__policy__in=Policy.objects.overlapping(effective_from, effective_to).exclude(
                code=code
            ),
        )
        .select_related("product__policy")
        .order_by("ndc", "product__policy__effective_from")
    )
    conflicts: dict[str, str] = {}
    for row in rows:
        conflicts.setdefault(
            row.ndc,
            validation.ndc_managed_elsewhere_message(
                ndc=row.ndc,
                other=row.product.policy,
                line_of_business_label=LineOfBusiness(line_of_business).label,
            ),
        )
    return conflicts
