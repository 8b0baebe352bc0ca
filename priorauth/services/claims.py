"""Writes to claims: adjudicate at the point of service (docs/domain.md §2), reverse."""

from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from django.db import transaction
from django.utils import timezone

from policies import rules
from policies import selectors as policy_selectors
from priorauth import errors, selectors
from priorauth.models import Claim, ClaimStatus, Member, OverrideStatus, RejectCode

from .locks import lock_member, lock_member_by_pk, member_pk_of
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
) -> Claim:
    """Decide a pharmacy claim at the point of service and record it."""
    today = timezone.localdate()
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
        return _adjudicate(member_id, claim_fields)
    except _OverrideChangedUnderUs:
        # The second time round the override is not active, so nothing can loop.
        return _adjudicate(member_id, claim_fields)


def _adjudicate(member_id: str, claim_fields: dict) -> Claim:
    with transaction.atomic():
        member = lock_member(member_id=member_id)
        claim = Claim(
            member=member,
            covers_through=claim_fields["date_of_service"]
            + timedelta(days=claim_fields["days_supply"] - 1),
            status=ClaimStatus.PAID,
            **claim_fields,
        )
        managed = policy_selectors.managed_limit(
            ndc=claim.ndc,
            channel=claim.channel,
            on=claim.date_of_service,
            line_of_business=member.line_of_business,
        )
        if managed is not None:
            claim.policy = managed.policy
            if managed.limit is not None:
                _apply_limit(claim, member, managed)
        claim.save()
        override = claim.override
        if (
            override is not None
            and override.one_time
            and not override_consume(override, by=claim.submitted_by)
        ):
            raise _OverrideChangedUnderUs
    return claim


def _apply_limit(claim: Claim, member: Member, managed: policy_selectors.ManagedLimit) -> None:
    """Run the pure rule and copy its outcome onto the claim (not saved yet)."""
    quantity_limit = managed.limit
    plain = rules.Limit(quantity_limit.max_quantity, quantity_limit.per_days)
    on = claim.date_of_service
    fills = selectors.fills_reaching(member=member, ndcs=managed.ndcs, on=on)
    outcome = rules.decide(
        quantity=claim.quantity, days_supply=claim.days_supply, on=on, fills=fills, limit=plain
    )
    allowance = None
    if not outcome.paid:
        # Only now is the override worth a query: most claims pay under the plain limit.
        allowance = selectors.allowance_in_force(
            member=member, policy_code=managed.policy.code, channel=claim.channel, on=on
        )
        if allowance is not None:
            outcome = rules.decide(
                quantity=claim.quantity,
                days_supply=claim.days_supply,
                on=on,
                fills=fills,
                limit=plain,
                override_limit=rules.Limit(allowance.max_quantity, allowance.per_days),
            )
    applied = outcome.applied.limit
    claim.limit_channel = claim.channel
    claim.limit_max_quantity = applied.max_quantity
    claim.limit_per_days = applied.per_days
    on_hand = Decimal(outcome.on_hand.numerator) / Decimal(outcome.on_hand.denominator)
    claim.on_hand = on_hand.quantize(ON_HAND_PLACES, rounding=ROUND_HALF_EVEN)
    if outcome.paid:
        claim.status = ClaimStatus.PAID
        claim.override = allowance.override if outcome.uses_override else None
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
