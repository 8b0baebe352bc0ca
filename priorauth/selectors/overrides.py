"""Reads of overrides. "In force" is always Override.objects.in_force / in_force_on."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, F, QuerySet
from django.db.models.functions import Coalesce

from policies.models import Criterion
from priorauth.models import Member, Override, OverrideAllowance, in_force_on


@dataclass(frozen=True)
class Grant:
    channel: str
    max_quantity: Decimal
    per_days: int


@dataclass(frozen=True)
class OverrideTerms:
    """What an approval under a criterion creates: its dates and its grants."""

    starts_on: date
    ends_on: date
    one_time: bool
    grants: tuple[Grant, ...]


def override_terms(criterion: Criterion, today: date) -> OverrideTerms:
    """The override an approval under `criterion` on `today` would create. The one
    computation: services.overrides.override_create writes these terms, and the pages show
    them before a reviewer approves ("Creates authorization for …"). Prefetch `grants`
    when reading several criteria."""
    return OverrideTerms(
        starts_on=today,
        ends_on=today + timedelta(days=criterion.approval_days - 1),
        one_time=criterion.one_time,
        grants=tuple(
            Grant(channel=g.channel, max_quantity=g.max_quantity, per_days=g.per_days)
            for g in criterion.grants.all()
        ),
    )


def allowance_in_force(
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


def override_in_force(*, member: Member, policy_code: str, on: date) -> Override | None:
    return Override.objects.in_force(on).filter(member=member, policy_code=policy_code).first()


def member_overrides(*, member: Member, policy_code: str | None = None) -> QuerySet:
    queryset = Override.objects.filter(member=member).select_related("criterion", "request")
    if policy_code:
        queryset = queryset.filter(policy_code=policy_code)
    return queryset.prefetch_related("allowances").order_by("-starts_on", "-id")


def _with_details() -> QuerySet:
    """Member, criterion, request and grants; `approved_automatically` when the system
    approved the request (read in the same query)."""
    return (
        Override.objects.select_related("member", "criterion", "request")
        .annotate(approved_automatically=Coalesce(F("request__decision__automatic"), False))
        .prefetch_related("allowances")
    )


def overrides_in_force(on: date) -> QuerySet:
    """Every override in force on `on`, the soonest to end first."""
    return _with_details().in_force(on).order_by("ends_on", "id")


def overrides_not_in_force(on: date) -> QuerySet:
    """Every other override (used, revoked, expired, ended), the latest to end first."""
    return _with_details().exclude(in_force_on(on)).order_by("-ends_on", "-id")


def overrides_for_api(*, member: Member | None = None) -> QuerySet:
    queryset = Override.objects.select_related("member", "criterion").prefetch_related("allowances")
    return queryset if member is None else queryset.filter(member=member)


def overrides_in_force_by_criterion(*, policy_code: str, starts: date, on: date) -> dict[int, int]:
    """{criterion number: how many overrides} of the policy in force on `on` and still in
    force on `starts` (a version's first day): what a change of that version meets.

    Overrides carry the policy's code and keep the grant copied onto them when they were
    approved, whichever version is in force (ADR 0005), so a future version meets the
    overrides that outlast today's version. Criteria are matched by number: a new
    version's criteria are copies of the old one's, with the same numbers.
    """
    rows = (
        Override.objects.in_force(on)
        .filter(policy_code=policy_code, ends_on__gte=starts)
        .values_list("criterion__number")
        .annotate(count=Count("id"))
        .order_by("criterion__number")
    )
    return dict(rows)
