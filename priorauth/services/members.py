"""Writes to members: registering one, and the dates it is covered (docs/domain.md §8)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from priorauth import errors
from priorauth.models import Member

from .locks import lock_member


def member_create(
    *,
    member_id: str,
    first_name: str,
    last_name: str,
    date_of_birth: date,
    line_of_business: str,
    plan_name: str = "",
    coverage_start: date | None = None,
    coverage_end: date | None = None,
) -> Member:
    """Register a member, covered from `coverage_start` (default: today) to `coverage_end`."""
    coverage_start = coverage_start or timezone.localdate()
    _check_coverage(coverage_start, coverage_end)
    member = Member(
        member_id=member_id,
        first_name=first_name,
        last_name=last_name,
        date_of_birth=date_of_birth,
        line_of_business=line_of_business,
        plan_name=plan_name,
        coverage_start=coverage_start,
        coverage_end=coverage_end,
    )
    try:
        member.full_clean(validate_unique=False)
    except ValidationError as error:
        raise errors.ServiceError.from_validation_error(error) from None
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:
        raise errors.ServiceError(
            {"member_id": errors.DUPLICATE_MEMBER.format(member_id=member_id)}
        ) from None
    return member


def coverage_problem(start: date, end: date | None) -> str | None:
    """Why a coverage period cannot stand, or None (the admin's form asks this too)."""
    if end is not None and end < start:
        return errors.COVERAGE_ENDS_BEFORE_START.format(start=start, end=end)
    return None


def _check_coverage(start: date, end: date | None) -> None:
    problem = coverage_problem(start, end)
    if problem:
        raise errors.ServiceError({"coverage_end": problem})


def member_coverage_change(
    *, member_id: str, coverage_start: date, coverage_end: date | None, reason: str, by
) -> Member:
    """Change the dates a member is covered (enrollment changed), with who and why in history.

    Claims already decided keep their outcome; later claims are checked against the new
    dates. Takes the member lock, so no claim is adjudicated against half-changed dates.
    """
    reason = (reason or "").strip()
    if not reason:
        raise errors.ServiceError({"reason": errors.COVERAGE_REASON_REQUIRED})
    _check_coverage(coverage_start, coverage_end)
    with transaction.atomic():
        member = lock_member(member_id=member_id)
        member.coverage_start, member.coverage_end = coverage_start, coverage_end
        member._change_reason = f"coverage changed: {reason}"
        member._history_user = by
        member.save(update_fields=["coverage_start", "coverage_end"])
    return member
