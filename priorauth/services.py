"""Every write in the review domain. Each service owns its transaction.

Views, serializers, commands and tasks call these and nothing else that writes.
Concurrency is designed in: a member's row is locked for the span of any
change that reads the member's claim history or overrides, so two claims (or a
claim and a reversal, or two approvals) for one member happen one after the
other. Database constraints are the backstop.
"""

import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from policies import rules
from policies.models import Criterion, Policy

from . import errors, selectors
from .models import (
    DECIDED_REQUEST_STATUSES,
    REQUEST_TRANSITIONS,
    Claim,
    ClaimStatus,
    Decision,
    DecisionOutcome,
    Member,
    Override,
    OverrideAllowance,
    OverrideRequest,
    OverrideStatus,
    Prescriber,
    Prescription,
    RequestStatus,
)

ON_HAND_PLACES = Decimal("0.000001")


# --- Members ------------------------------------------------------------------


def member_create(
    *,
    member_id: str,
    first_name: str,
    last_name: str,
    date_of_birth: date,
    line_of_business: str,
    plan_name: str = "",
) -> Member:
    member = Member(
        member_id=member_id,
        first_name=first_name,
        last_name=last_name,
        date_of_birth=date_of_birth,
        line_of_business=line_of_business,
        plan_name=plan_name,
    )
    member.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:
        raise errors.ServiceError(
            {"member_id": errors.DUPLICATE_MEMBER.format(member_id=member_id)}
        ) from None
    return member


def _get_member(member_id: str) -> Member:
    member = Member.objects.filter(member_id=member_id).first()
    if member is None:
        raise errors.ServiceError({"member_id": errors.UNKNOWN_MEMBER.format(member_id=member_id)})
    return member


# --- Claims -------------------------------------------------------------------


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
    """Decide a pharmacy claim at the point of service (DESIGN §2) and record it."""
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
    with transaction.atomic():
        member = Member.objects.select_for_update().filter(member_id=member_id).order_by().first()
        if member is None:
            raise errors.ServiceError(
                {"member_id": errors.UNKNOWN_MEMBER.format(member_id=member_id)}
            )
        claim = Claim(
            member=member,
            ndc=ndc,
            quantity=quantity,
            days_supply=days_supply,
            channel=channel,
            date_of_service=date_of_service,
            covers_through=date_of_service + timedelta(days=days_supply - 1),
            submitted_by=submitted_by,
            status=ClaimStatus.PAID,
        )
        managed = selectors.managed_limit(
            ndc=ndc, channel=channel, on=date_of_service, line_of_business=member.line_of_business
        )
        if managed is not None:
            claim.policy = managed.policy
            if managed.limit is not None:
                _apply_limit(claim, member, managed)
        claim.save()
        if claim.override is not None and claim.override.one_time:
            _consume(claim.override, by=submitted_by)
    return claim


def _apply_limit(claim: Claim, member: Member, managed: selectors.ManagedLimit) -> None:
    """Run the pure rule and copy its decision onto the claim (not saved yet)."""
    quantity_limit = managed.limit
    plain = rules.Limit(quantity_limit.max_quantity, quantity_limit.per_days)
    on = claim.date_of_service
    fills = selectors.fills_reaching(member=member, ndcs=managed.ndcs, on=on)
    decision = rules.decide(
        quantity=claim.quantity, days_supply=claim.days_supply, on=on, fills=fills, limit=plain
    )
    allowance = None
    if not decision.paid:
        # Only now is the override worth a query: most claims pay under the plain limit.
        allowance = selectors.effective_allowance(
            member=member, policy_code=managed.policy.code, channel=claim.channel, on=on
        )
        if allowance is not None:
            decision = rules.decide(
                quantity=claim.quantity,
                days_supply=claim.days_supply,
                on=on,
                fills=fills,
                limit=plain,
                override_limit=rules.Limit(allowance.max_quantity, allowance.per_days),
            )
    applied = decision.applied.limit
    claim.limit_channel = claim.channel
    claim.limit_max_quantity = applied.max_quantity
    claim.limit_per_days = applied.per_days
    claim.on_hand = Decimal(decision.on_hand.numerator) / Decimal(decision.on_hand.denominator)
    claim.on_hand = claim.on_hand.quantize(ON_HAND_PLACES, rounding=ROUND_HALF_EVEN)
    if decision.paid:
        claim.status = ClaimStatus.PAID
        claim.override = allowance.override if decision.uses_override else None
        return
    claim.status = ClaimStatus.REJECTED
    claim.reject_code = Claim.REJECT_PLAN_LIMITATIONS_EXCEEDED
    claim.allowed_now = decision.allowed_now
    claim.earliest_date = decision.earliest_date
    claim.message = rules.reject_message(
        decision,
        unit=managed.unit,
        channel_label=quantity_limit.get_channel_display(),
        quantity=claim.quantity,
        days_supply=claim.days_supply,
    )


def _consume(override: Override, *, by) -> None:
    """A one-time override is used up by the claim that needed it."""
    override.status = OverrideStatus.USED
    override._change_reason = "used by a claim"
    override._history_user = by
    override.save(update_fields=["status"])


def claim_reverse(*, claim_id: int, by=None) -> Claim:
    """Reverse a paid claim; a one-time override it used comes back if still within its dates."""
    member_pk = Claim.objects.filter(pk=claim_id).values_list("member_id", flat=True).first()
    if member_pk is None:
        raise errors.NotFound({"claim_id": errors.UNKNOWN_CLAIM.format(claim_id=claim_id)})
    with transaction.atomic():
        # Same lock order as adjudication: the member first, then the claim.
        Member.objects.select_for_update().filter(pk=member_pk).first()
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
            _restore(claim.override, today=timezone.localdate(), by=by)
    return claim


def _restore(override: Override, *, today: date, by) -> None:
    if today > override.ends_on:
        override.status = OverrideStatus.EXPIRED
        override._change_reason = "claim reversed after the override ended"
    elif selectors.effective_override(
        member=override.member, policy_code=override.policy_code, on=today
    ):
        # Another override was approved since; only one may be active.
        return
    else:
        override.status = OverrideStatus.ACTIVE
        override._change_reason = "the claim that used it was reversed"
    override._history_user = by
    override.save(update_fields=["status"])


# --- Override requests ----------------------------------------------------------


def override_request_submit(
    *,
    member_id: str,
    ndc: str,
    quantity: Decimal,
    days_supply: int,
    channel: str,
    prescriber_npi: str,
    urgency: str,
    criterion_number: int | None = None,
    clinical_notes: str = "",
    submitted_by=None,
) -> OverrideRequest:
    received_at = timezone.now()
    today = timezone.localdate(received_at)
    member = _get_member(member_id)
    policy = selectors.policy_for_ndc(ndc=ndc, on=today, line_of_business=member.line_of_business)
    if policy is None:
        raise errors.ServiceError({"ndc": errors.NDC_NOT_MANAGED.format(ndc=ndc, date=today)})
    criterion = None
    if criterion_number is not None:
        criterion = _criterion(policy, criterion_number)
    with transaction.atomic():
        prescriber, _ = Prescriber.objects.get_or_create(npi=prescriber_npi)
        prescription = Prescription.objects.create(
            member=member,
            prescriber=prescriber,
            ndc=ndc,
            quantity=quantity,
            days_supply=days_supply,
            channel=channel,
        )
        request = OverrideRequest(
            member=member,
            prescription=prescription,
            policy=policy,
            attested_criterion=criterion,
            urgency=urgency,
            clinical_notes=clinical_notes,
            received_at=received_at,
            due_at=received_at + due_in(urgency),
            submitted_by=submitted_by,
        )
        request._change_reason = "received"
        request._history_user = submitted_by
        request.save()
    return request


def due_in(urgency: str) -> timedelta:
    return timedelta(hours=settings.PRIORAUTH_CLOCK_HOURS[urgency])


def _criterion(policy: Policy, number: int) -> Criterion:
    criteria = {c.number: c for c in policy.criteria.all()}
    if number not in criteria:
        raise errors.ServiceError(
            {
                "criterion_number": errors.UNKNOWN_CRITERION.format(
                    policy_code=policy.code,
                    number=number,
                    numbers=", ".join(str(n) for n in sorted(criteria)) or "none",
                )
            }
        )
    return criteria[number]


def _lock_request(request_id: int) -> OverrideRequest:
    request = (
        OverrideRequest.objects.select_for_update(of=("self",))
        .select_related("member", "policy")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise errors.NotFound({"request_id": errors.UNKNOWN_REQUEST.format(request_id=request_id)})
    return request


def _refuse_if_decided(request: OverrideRequest) -> None:
    if request.status in DECIDED_REQUEST_STATUSES:
        decision = request.decision
        raise errors.Conflict(
            {
                "decision": errors.ALREADY_DECIDED.format(
                    request_id=request.pk,
                    status=request.get_status_display(),
                    user=decision.decided_by.get_username(),
                    at=timezone.localtime(decision.decided_at).strftime("%Y-%m-%d %H:%M %Z"),
                )
            }
        )
    if request.status not in REQUEST_TRANSITIONS or not REQUEST_TRANSITIONS[request.status]:
        raise errors.Conflict(
            {
                "status": errors.REQUEST_CLOSED.format(
                    request_id=request.pk, status=request.get_status_display()
                )
            }
        )


def _transition(request: OverrideRequest, target: str, *, reason: str, by) -> None:
    _refuse_if_decided(request)
    if target not in REQUEST_TRANSITIONS[request.status]:
        raise errors.Conflict(
            {
                "status": errors.TRANSITION_REFUSED.format(
                    current=request.get_status_display(),
                    target=RequestStatus(target).label,
                )
            }
        )
    request.status = target
    request._change_reason = reason
    request._history_user = by


@dataclass(frozen=True)
class DecisionResult:
    decision: Decision
    override: Override | None


def override_request_decide(
    *,
    request_id: int,
    outcome: str,
    by,
    criterion_number: int | None = None,
    reason: str = "",
) -> DecisionResult:
    """Approve (creating the override) or deny a request. Exactly one decision ever wins."""
    reason = (reason or "").strip()
    if outcome == DecisionOutcome.DENY and not reason:
        raise errors.ServiceError({"reason": errors.REASON_REQUIRED})
    if outcome == DecisionOutcome.APPROVE and criterion_number is None:
        raise errors.ServiceError({"criterion_number": errors.CRITERION_REQUIRED})
    member_pk = (
        OverrideRequest.objects.filter(pk=request_id).values_list("member_id", flat=True).first()
    )
    if member_pk is None:
        raise errors.NotFound({"request_id": errors.UNKNOWN_REQUEST.format(request_id=request_id)})
    try:
        return _decide(request_id, member_pk, outcome, by, criterion_number, reason)
    except IntegrityError:
        # The constraints caught what the locks should already have prevented.
        raise errors.Conflict(
            {"decision": errors.DECIDED_CONCURRENTLY.format(request_id=request_id)}
        ) from None


def _decide(request_id, member_pk, outcome, by, criterion_number, reason) -> "DecisionResult":
    with transaction.atomic():
        Member.objects.select_for_update().filter(pk=member_pk).first()
        request = _lock_request(request_id)
        _refuse_if_decided(request)
        now = timezone.now()
        if outcome == DecisionOutcome.APPROVE:
            criterion = _criterion(request.policy, criterion_number)
            decision = Decision.objects.create(
                request=request, outcome=outcome, criterion=criterion, decided_by=by, decided_at=now
            )
            override = _create_override(request, criterion, today=timezone.localdate(now), by=by)
            _transition(
                request,
                RequestStatus.APPROVED,
                reason=f"approved under criterion {criterion.number}",
                by=by,
            )
        else:
            criterion = request.attested_criterion
            decision = Decision.objects.create(
                request=request,
                outcome=outcome,
                criterion=criterion,
                reason=reason,
                decided_by=by,
                decided_at=now,
            )
            override = None
            _transition(request, RequestStatus.DENIED, reason="denied", by=by)
        request.assigned_to = request.assigned_to or by
        request.save()
    return DecisionResult(decision=decision, override=override)


def _create_override(
    request: OverrideRequest, criterion: Criterion, *, today: date, by
) -> Override:
    member = request.member
    policy = request.policy
    _expire_past_end(member=member, policy_code=policy.code, today=today, by=by)
    active = selectors.effective_override(member=member, policy_code=policy.code, on=today)
    if active is not None:
        raise errors.Conflict(
            {
                "decision": errors.ACTIVE_OVERRIDE_EXISTS.format(
                    member_id=member.member_id,
                    authorization_number=active.authorization_number,
                    ends_on=active.ends_on,
                )
            }
        )
    override = Override(
        request=request,
        member=member,
        policy=policy,
        policy_code=policy.code,
        criterion=criterion,
        authorization_number=_new_authorization_number(today),
        one_time=criterion.one_time,
        starts_on=today,
        ends_on=today + timedelta(days=criterion.approval_days - 1),
    )
    override._change_reason = f"approved under criterion {criterion.number}"
    override._history_user = by
    override.save()
    OverrideAllowance.objects.bulk_create(
        OverrideAllowance(
            override=override,
            channel=grant.channel,
            max_quantity=grant.max_quantity,
            per_days=grant.per_days,
        )
        for grant in criterion.grants.all()
    )
    return override


def _expire_past_end(*, member: Member, policy_code: str, today: date, by) -> None:
    """Catch up a stale `active` status before the one-active constraint is tested."""
    for stale in Override.objects.past_end(today).filter(member=member, policy_code=policy_code):
        stale.status = OverrideStatus.EXPIRED
        stale._change_reason = "ended (found while approving another)"
        stale._history_user = by
        stale.save(update_fields=["status"])


_AUTH_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read over the phone


def _new_authorization_number(today: date) -> str:
    suffix = "".join(secrets.choice(_AUTH_ALPHABET) for _ in range(6))
    return f"PA{today:%y%m%d}-{suffix}"


def override_request_take(*, request_id: int, by) -> OverrideRequest:
    with transaction.atomic():
        request = _lock_request(request_id)
        if request.status == RequestStatus.IN_REVIEW and request.assigned_to_id == by.pk:
            return request
        _transition(request, RequestStatus.IN_REVIEW, reason=f"taken by {by.get_username()}", by=by)
        request.assigned_to = by
        request.save()
    return request


def override_request_release(*, request_id: int, by) -> OverrideRequest:
    with transaction.atomic():
        request = _lock_request(request_id)
        _transition(
            request, RequestStatus.PENDING, reason=f"released by {by.get_username()}", by=by
        )
        request.assigned_to = None
        request.save()
    return request


def override_request_pend(*, request_id: int, reason: str, by) -> OverrideRequest:
    reason = (reason or "").strip()
    if not reason:
        raise errors.ServiceError({"reason": errors.PEND_REASON_REQUIRED})
    with transaction.atomic():
        request = _lock_request(request_id)
        _transition(
            request, RequestStatus.NEEDS_INFO, reason=f"information needed: {reason}", by=by
        )
        request.status_reason = reason
        request.save()
    return request


def override_request_answer(*, request_id: int, notes: str, by) -> OverrideRequest:
    """The requester supplied what was asked for: back to the queue."""
    with transaction.atomic():
        request = _lock_request(request_id)
        _transition(request, RequestStatus.PENDING, reason="information supplied", by=by)
        if notes.strip():
            request.clinical_notes = f"{request.clinical_notes}\n\n{notes.strip()}".strip()
        request.status_reason = ""
        request.save()
    return request


def override_request_withdraw(*, request_id: int, reason: str, by) -> OverrideRequest:
    with transaction.atomic():
        request = _lock_request(request_id)
        _transition(
            request, RequestStatus.WITHDRAWN, reason=f"withdrawn: {reason}".strip(": "), by=by
        )
        request.status_reason = reason
        request.save()
    return request


# --- Overrides --------------------------------------------------------------------


def override_revoke(*, override_id: int, reason: str, by) -> Override:
    reason = (reason or "").strip()
    if not reason:
        raise errors.ServiceError({"reason": errors.REVOKE_REASON_REQUIRED})
    with transaction.atomic():
        override = Override.objects.select_for_update().filter(pk=override_id).first()
        if override is None:
            raise errors.NotFound({"override_id": f"No override with ID {override_id}."})
        today = timezone.localdate()
        if override.status_on(today) != OverrideStatus.ACTIVE:
            raise errors.Conflict(
                {
                    "override_id": errors.OVERRIDE_NOT_ACTIVE.format(
                        authorization_number=override.authorization_number,
                        status=override.status_on(today),
                    )
                }
            )
        override.status = OverrideStatus.REVOKED
        override.revoked_at = timezone.now()
        override.revoked_by = by
        override.revoke_reason = reason
        override._change_reason = f"revoked: {reason}"
        override._history_user = by
        override.save(update_fields=["status", "revoked_at", "revoked_by", "revoke_reason"])
    return override


# --- Expiry -----------------------------------------------------------------------

SYSTEM_USERNAME = "system"
EXPIRED_BY_SCHEDULE = "expired by schedule"


def system_user():
    """The account that scheduled changes are attributed to in history. It cannot log in."""
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def overrides_expire(*, today: date | None = None, batch_size: int = 1000) -> int:
    """Store `expired` on every active override whose last day is before today.

    Correctness never depends on this: every check computes "in force" from the
    dates. This catches the stored status up, with a history row per override.
    Batches are locked with SKIP LOCKED, so two runs at once (two workers, two
    beats) share the work instead of waiting or doing it twice; a row another run
    holds is that run's to finish. Returns how many this run changed.
    """
    today = today or timezone.localdate()
    by = system_user()
    changed = 0
    while True:
        with transaction.atomic():
            batch = list(
                Override.objects.past_end(today)
                .select_for_update(skip_locked=True)
                .order_by("id")[:batch_size]
            )
            if not batch:
                return changed
            # One plain UPDATE and one bulk INSERT of history rows per batch
            # (bulk_update's CASE per row was the slow part at 100,000).
            Override.objects.filter(pk__in=[o.pk for o in batch]).update(
                status=OverrideStatus.EXPIRED
            )
            for override in batch:
                override.status = OverrideStatus.EXPIRED
            Override.history.bulk_history_create(
                batch,
                update=True,
                default_user=by,
                default_change_reason=EXPIRED_BY_SCHEDULE,
            )
        changed += len(batch)
        if len(batch) < batch_size:
            return changed
