"""Writes to claims: adjudicate at the point of service (docs/domain.md §2), reverse."""

from collections.abc import Callable
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from policies import rules
from policies import selectors as policy_selectors
from policies.validation import describe_period
from priorauth import errors, selectors
from priorauth.models import (
    Claim,
    ClaimStatus,
    Member,
    OverrideAllowance,
    OverrideStatus,
    RejectCode,
)

from .locks import lock_member_by_pk, member_pk_of
from .overrides import override_consume, override_restore

ON_HAND_PLACES = Decimal("0.000001")


class _OverrideChangedUnderUs(Exception):
    """The override a claim was about to use stopped being active (expired by the task
    for a back-dated claim). The claim is decided again from the start."""


def claim_adjudicate(
    *,
    member_id: str,
    ndc: str,
    quantity: Decimal,
    days_supply: int,
    channel: str,
    date_of_service: date | None = None,
    submitted_by=None,
    received_on: date | None = None,
) -> Claim:
    """Decide a pharmacy claim at the point of service and record it.

    In order (docs/domain.md §8, §2): a date of service after the day the claim is
    received is bad input; a claim older than the filing window is rejected 81; one
    outside the member's coverage 65; then the quantity limit (76). Only the last can
    pay or use an override. `received_on` is today, except for the demo data, which
    files its made-up history on the days it happened.
    """
    today = received_on or timezone.localdate()
    date_of_service = date_of_service or today
    if date_of_service > today:
        raise errors.ServiceError(
            {
                "date_of_service": errors.DATE_OF_SERVICE_IN_FUTURE.format(
                    date=date_of_service, today=today
                )
            }
        )
    claim_fields = dict(
        ndc=ndc,
        quantity=quantity,
        days_supply=days_supply,
        channel=channel,
        date_of_service=date_of_service,
        submitted_by=submitted_by,
    )
    try:
        return _adjudicate(member_id, claim_fields, today)
    except _OverrideChangedUnderUs:
        # The second time round the override is not active, so nothing can loop.
        return _adjudicate(member_id, claim_fields, today)


def _adjudicate(member_id: str, claim_fields: dict, today: date) -> Claim:
    on = claim_fields["date_of_service"]
    # The policies that may manage the NDC, per line of business: cached, no query.
    reach = policy_selectors.claim_reach(
        ndc=claim_fields["ndc"], channel=claim_fields["channel"], on=on
    )
    with transaction.atomic():
        # The member's lock, then its fills and grants: one round trip (ADR 0020).
        member, read = selectors.lock_member_for_claim(
            member_id=member_id, reach=reach, channel=claim_fields["channel"], on=on
        )
        if member is None:
            raise errors.ServiceError(
                {"member_id": errors.UNKNOWN_MEMBER.format(member_id=member_id)}
            )
        claim = Claim(
            member=member,
            covers_through=on + timedelta(days=claim_fields["days_supply"] - 1),
            status=ClaimStatus.PAID,
            **claim_fields,
        )
        refusal = _eligibility_refusal(member, on, today)
        if refusal is not None:
            claim.status = ClaimStatus.REJECTED
            claim.reject_code, claim.message = refusal
            claim.save()
            return claim
        managed = reach.by_line_of_business[member.line_of_business]
        if managed is not None:
            claim.policy = managed.policy
            if managed.limit is not None:
                _apply_limit(
                    claim,
                    managed,
                    fills=read.fills_of(managed.ndcs),
                    allowance=lambda: read.grant_of(managed.policy.code),
                )
        claim.save()
        override = claim.override
        if (
            override is not None
            and override.one_time
            and not override_consume(override, by=claim.submitted_by)
        ):
            raise _OverrideChangedUnderUs
    return claim


def claim_preview(
    *, member: Member, ndc: str, quantity: Decimal, days_supply: int, channel: str, on: date
) -> Claim:
    """The claim as it would be decided on `on`, not saved and consuming nothing.

    The same steps as claim_adjudicate, without the lock: a PA initiation asks whether
    the claim would pay today (docs/domain.md §9), and the answer is advice, not a fill.
    """
    claim = Claim(
        member=member,
        ndc=ndc,
        quantity=quantity,
        days_supply=days_supply,
        channel=channel,
        date_of_service=on,
        covers_through=on + timedelta(days=days_supply - 1),
        status=ClaimStatus.PAID,
    )
    refusal = _eligibility_refusal(member, on, on)
    if refusal is not None:
        claim.status = ClaimStatus.REJECTED
        claim.reject_code, claim.message = refusal
        return claim
    managed = policy_selectors.managed_limit(
        ndc=ndc, channel=channel, on=on, line_of_business=member.line_of_business
    )
    if managed is not None:
        claim.policy = managed.policy
        if managed.limit is not None:

            def allowance():
                return selectors.allowance_in_force(
                    member=member, policy_code=managed.policy.code, channel=channel, on=on
                )

            fills = selectors.fills_reaching(member=member, ndcs=managed.ndcs, on=on)
            _apply_limit(claim, managed, fills=fills, allowance=allowance)
    return claim


def _eligibility_refusal(member: Member, on: date, today: date) -> tuple[str, str] | None:
    """(reject code, message) when the claim cannot be paid whatever the limit says."""
    window = settings.PRIORAUTH_TIMELY_FILING_DAYS
    earliest = today - timedelta(days=window)
    if on < earliest:
        return RejectCode.CLAIM_TOO_OLD, errors.CLAIM_TOO_OLD.format(
            date=on, days=window, today=today, earliest=earliest
        )
    if not member.is_covered_on(on):
        period = describe_period(member.coverage_start, member.coverage_end)
        return RejectCode.PATIENT_NOT_COVERED, errors.NOT_COVERED.format(
            member_id=member.member_id, date=on, period=period
        )
    return None


def _apply_limit(
    claim: Claim,
    managed: policy_selectors.ManagedLimit,
    *,
    fills: list[rules.Fill],
    allowance: Callable[[], OverrideAllowance | None],
) -> None:
    """Run the pure rule and copy its outcome onto the claim (not saved yet).

    `allowance()` gives the member's override grant in force for the claim's channel
    and day; it is asked only when the plain limit rejects."""
    quantity_limit = managed.limit
    plain = rules.Limit(quantity_limit.max_quantity, quantity_limit.per_days)
    on = claim.date_of_service
    grant = None

    def grant_limit() -> rules.Limit | None:
        nonlocal grant
        grant = allowance()
        return None if grant is None else rules.Limit(grant.max_quantity, grant.per_days)

    outcome = rules.decide(
        quantity=claim.quantity,
        days_supply=claim.days_supply,
        on=on,
        fills=fills,
        limit=plain,
        override_limit=grant_limit,
    )
    applied = outcome.applied.limit
    claim.limit_channel = claim.channel
    claim.limit_max_quantity = applied.max_quantity
    claim.limit_per_days = applied.per_days
    on_hand = Decimal(outcome.on_hand.numerator) / Decimal(outcome.on_hand.denominator)
    claim.on_hand = on_hand.quantize(ON_HAND_PLACES, rounding=ROUND_HALF_EVEN)
    if outcome.paid:
        claim.status = ClaimStatus.PAID
        claim.override = grant.override if outcome.uses_override else None
        return
    claim.status = ClaimStatus.REJECTED
    claim.reject_code = RejectCode.PLAN_LIMITATIONS_EXCEEDED
    claim.allowed_now = outcome.allowed_now
    claim.earliest_date = outcome.earliest_date
    claim.message = rules.reject_message(
        outcome,
        unit=managed.unit,
        channel_label=quantity_limit.get_channel_display(),
        quantity=claim.quantity,
        days_supply=claim.days_supply,
    )


def claim_reverse(*, claim_id: int, by=None) -> Claim:
    """Reverse a paid claim; a one-time override it used comes back if still within its dates."""
    not_found = errors.NotFound({"claim_id": errors.UNKNOWN_CLAIM.format(claim_id=claim_id)})
    member_pk = member_pk_of(Claim.objects, claim_id, not_found)
    with transaction.atomic():
        lock_member_by_pk(member_pk)
        claim = (
            Claim.objects.select_for_update(of=("self",))
            .select_related("override")
            .get(pk=claim_id)
        )
        if claim.status == ClaimStatus.REVERSED:
            raise errors.Conflict(
                {
                    "claim_id": errors.CLAIM_ALREADY_REVERSED.format(
                        claim_id=claim_id, reversed_on=timezone.localdate(claim.reversed_at)
                    )
                }
            )
        if claim.status != ClaimStatus.PAID:
            raise errors.Conflict({"claim_id": errors.CLAIM_NOT_PAID.format(claim_id=claim_id)})
        claim.status = ClaimStatus.REVERSED
        claim.reversed_at = timezone.now()
        claim.save(update_fields=["status", "reversed_at"])
        if claim.override is not None and claim.override.status == OverrideStatus.USED:
            override_restore(claim.override, today=timezone.localdate(), by=by)
    return claim
