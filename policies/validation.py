"""What a DQM policy must satisfy, in one place.

The file loader (policies.files), the admin screens (policies.forms), the model
`clean()` methods and the services all call these functions, so a policy admin
sees the same rule, worded the same way, whichever door the policy came through.

Single-row rules are field validators and `Policy.clean()`; rules that need the
whole policy (a grant against the limits) take plain values, because the screens
check a policy before any row of it is saved. Everything here is pure: it imports
no model. What only the database can tell (overlapping versions, NDCs another
policy manages) is asked in `policies.selectors`, which words it with the
messages below.
"""

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db.models import Q

from .choices import Channel
from .ndc import format_ndc

# --- Messages (tests assert on these) -------------------------------------------------

QUANTITY_NOT_POSITIVE = "Must be greater than 0."
DAYS_NOT_POSITIVE = "Must be a whole number of days greater than 0."
EFFECTIVE_TO_BEFORE_FROM = (
    "The last day in force ({end}) is before the first day in force ({start})."
)
VERSION_OVERLAP = (
    "The version of {code} from {other_from} is in force {other_period}, which overlaps "
    "{period}. Versions of one policy must not overlap: end one the day before the other starts."
)
NDC_MANAGED_ELSEWHERE = (
    "NDC {ndc} is already managed by {title} ({code}, in force {other_period}) for "
    "{line_of_business} members; two policies in force on the same day cannot manage one NDC."
)
NDC_LISTED_TWICE = "NDC {ndc} is listed twice in this policy (each NDC belongs to one product)."
NDCS_REQUIRED = "List at least one NDC."
GRANT_WITHOUT_LIMIT = (
    "the policy has no {channel} limit, so a {channel} grant has nothing to override."
)
GRANT_NOT_ABOVE_LIMIT = (
    "the grant ({grant}) is not above the plain {channel} limit ({limit}): an override must "
    "allow a larger quantity or a higher rate, and never less of either."
)
GRANT_INCOMPLETE = "Give both the quantity and the days for a {channel} grant, or neither."


# --- Field validators (referenced by the models, so by migrations too) ---------------


def validate_positive_quantity(value: Decimal | None) -> None:
    if value is not None and value <= 0:
        raise ValidationError(QUANTITY_NOT_POSITIVE, code="not_positive")


def validate_positive_days(value: int | None) -> None:
    if value is not None and value <= 0:
        raise ValidationError(DAYS_NOT_POSITIVE, code="not_positive")


# --- Periods ---------------------------------------------------------------------------


def describe_period(start: date, end: date | None) -> str:
    """'from 2025-05-02' or '2025-05-02 to 2026-02-28' (both days inclusive)."""
    return f"from {start:%Y-%m-%d}" if end is None else f"{start:%Y-%m-%d} to {end:%Y-%m-%d}"


def overlapping(effective_from: date, effective_to: date | None) -> Q:
    """Policy versions in force on at least one day of [effective_from, effective_to]."""
    condition = Q(effective_to__isnull=True) | Q(effective_to__gte=effective_from)
    if effective_to is not None:
        condition &= Q(effective_from__lte=effective_to)
    return condition


def dates_problem(effective_from: date | None, effective_to: date | None) -> str | None:
    if effective_from and effective_to and effective_to < effective_from:
        return EFFECTIVE_TO_BEFORE_FROM.format(start=effective_from, end=effective_to)
    return None


def version_overlap_message(
    *, code: str, period: str, other_from: date, other_to: date | None
) -> str:
    return VERSION_OVERLAP.format(
        code=code,
        other_from=other_from,
        other_period=describe_period(other_from, other_to),
        period=period,
    )


def ndc_managed_elsewhere_message(*, ndc: str, other, line_of_business_label: str) -> str:
    """`other` is the policy version that already manages the NDC."""
    return NDC_MANAGED_ELSEWHERE.format(
        ndc=format_ndc(ndc),
        title=other.title,
        code=other.code,
        other_period=describe_period(other.effective_from, other.effective_to),
        line_of_business=line_of_business_label,
    )


# --- Grants against limits -------------------------------------------------------------


def _describe(max_quantity: Decimal, per_days: int) -> str:
    return f"{Decimal(max_quantity).normalize():f} per {per_days} days"


def grant_problem(
    *,
    channel: str,
    max_quantity: Decimal,
    per_days: int,
    limits: Mapping[str, tuple[Decimal, int]],
) -> str | None:
    """Why a criterion's grant for `channel` cannot stand next to the policy's limits, or None.

    "Above" means the override lets through something the plain limit does not, and
    refuses nothing the plain limit allows: a quantity at least the limit's and a rate
    (quantity per day) at least the limit's, one of them strictly more.
    """
    label = Channel(channel).label
    if channel not in limits:
        return GRANT_WITHOUT_LIMIT.format(channel=label)
    limit_quantity, limit_days = limits[channel]
    rate, limit_rate = (
        Fraction(max_quantity) / per_days,
        Fraction(limit_quantity) / limit_days,
    )
    above = max_quantity >= limit_quantity and rate >= limit_rate
    if not above or (max_quantity == limit_quantity and rate == limit_rate):
        return GRANT_NOT_ABOVE_LIMIT.format(
            grant=_describe(max_quantity, per_days),
            channel=label,
            limit=_describe(limit_quantity, limit_days),
        )
    return None


def new_version_start_problem(
    *, effective_from: date, source_from: date, source_to: date | None, today: date
) -> str | None:
    if effective_from <= today:
        return NEW_VERSION_NOT_FUTURE.format(today=today, tomorrow=today + timedelta(days=1))
    if effective_from <= source_from or (source_to is not None and effective_from > source_to):
        return NEW_VERSION_OUTSIDE_SOURCE.format(
            period=describe_period(source_from, source_to),
            first=source_from + timedelta(days=1),
        )
    return None


NEW_VERSION_NOT_FUTURE = (
    "A new version starts in the future: {tomorrow} at the earliest (today is {today}). "
    "To correct the version in force, edit it; the change is kept in its history."
)
NEW_VERSION_OUTSIDE_SOURCE = (
    "The new version must start within the version it replaces ({period}), on {first} or later."
)
ENDED_VERSION_READ_ONLY = (
    "The version of {code} from {effective_from} ended on {effective_to}; ended versions are "
    "kept as they were. Change a current or future version instead."
)
ONLY_FUTURE_VERSIONS_DELETED = (
    "Only a version that has not started yet can be deleted; the version from "
    "{effective_from} has been in force. End it instead (prepare a new version)."
)
