"""Appeals of denied requests (docs/domain.md §10): filing, the workflow, the decision.

An appeal is decided by someone who did not make the denial. Overturning it creates the
override exactly as an approval does (services.overrides.override_create, under the
member lock); upholding it needs a physician reviewer. The one-to-one AppealDecision and
the one-open-appeal-per-request constraint are the database's backstop under
concurrency, as for requests (ADR 0003).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from priorauth import errors, roles
from priorauth.models import (
    APPEAL_TRANSITIONS,
    OPEN_APPEAL_STATUSES,
    Appeal,
    AppealDecision,
    AppealOutcome,
    AppealStatus,
    Override,
    OverrideRequest,
    RequestStatus,
    Urgency,
)

from . import workflow
from .locks import lock_member_by_pk, member_pk_of
from .overrides import override_create
from .requests import policy_criterion


def appeal_due_in(urgency: str) -> timedelta:
    hours = {
        Urgency.STANDARD: settings.PRIORAUTH_APPEAL_STANDARD_HOURS,
        Urgency.EXPEDITED: settings.PRIORAUTH_APPEAL_EXPEDITED_HOURS,
    }[urgency]
    return timedelta(hours=hours)


def _request_not_found(request_id: int) -> errors.NotFound:
    return errors.NotFound({"request_id": errors.UNKNOWN_REQUEST.format(request_id=request_id)})


def appeal_file(
    *,
    request_id: int,
    reason: str,
    urgency: str,
    clinical_notes: str = "",
    by,
    only_submitted_by=None,
) -> Appeal:
    """Appeal a denied request. With `only_submitted_by`, only a request that user submitted
    (intake appeals its own requests; another's is "not found", as when reading it)."""
    reason = (reason or "").strip()
    if not reason:
        raise errors.ServiceError({"reason": errors.APPEAL_REASON_REQUIRED})
    received_at = timezone.now()
    try:
        with transaction.atomic():
            request = (
                OverrideRequest.objects.select_for_update(of=("self",))
                .select_related("decision")
                .filter(pk=request_id)
                .first()
            )
            if request is None or (
                only_submitted_by is not None and request.submitted_by_id != only_submitted_by.pk
            ):
                raise _request_not_found(request_id)
            _refuse_unless_appealable(request, timezone.localdate(received_at))
            appeal = Appeal(
                request=request,
                member_id=request.member_id,
                urgency=urgency,
                reason=reason,
                clinical_notes=(clinical_notes or "").strip(),
                received_at=received_at,
                due_at=received_at + appeal_due_in(urgency),
                submitted_by=by,
            )
            appeal._change_reason = "appeal received"
            appeal._history_user = by
            appeal.save()
    except IntegrityError:
        # Two filed at the same moment: the constraint let one in.
        raise errors.Conflict(
            {
                "request_id": errors.APPEAL_ALREADY_OPEN.format(
                    request_id=request_id, appeal_id="filed just now", status="pending"
                )
            }
        ) from None
    return appeal


def appeal_last_day(denied_at: datetime) -> date:
    """The last day an appeal of a denial made at `denied_at` may be filed (plan zone)."""
    return timezone.localdate(denied_at) + timedelta(days=settings.PRIORAUTH_APPEAL_DAYS)


def appeal_refusal(request: OverrideRequest, today: date) -> errors.ServiceError | None:
    """Why `request` (with its decision) cannot be appealed on `today`, or None. The pages
    ask before they offer the form; appeal_file asks again under the lock."""
    try:
        _refuse_unless_appealable(request, today)
    except errors.ServiceError as refusal:
        return refusal
    return None


def _refuse_unless_appealable(request: OverrideRequest, today: date) -> None:
    if request.status != RequestStatus.DENIED:
        raise errors.Conflict(
            {
                "request_id": errors.APPEAL_NOT_DENIED.format(
                    request_id=request.pk, status=request.get_status_display()
                )
            }
        )
    open_appeal = request.appeals.filter(status__in=OPEN_APPEAL_STATUSES).first()
    if open_appeal is not None:
        raise errors.Conflict(
            {
                "request_id": errors.APPEAL_ALREADY_OPEN.format(
                    request_id=request.pk,
                    appeal_id=open_appeal.pk,
                    status=open_appeal.get_status_display(),
                )
            }
        )
    # The request stays "denied" when its appeal is overturned (the override hangs on it):
    # without this, a second appeal could be filed and upheld against an override in force.
    overturned = request.appeals.filter(decision__outcome=AppealOutcome.OVERTURN).first()
    if overturned is not None:
        raise errors.Conflict(
            {
                "request_id": errors.APPEAL_ALREADY_OVERTURNED.format(
                    request_id=request.pk, appeal_id=overturned.pk
                )
            }
        )
    last_day = appeal_last_day(request.decision.decided_at)
    if today > last_day:
        raise errors.ServiceError(
            {
                "request_id": errors.APPEAL_WINDOW_CLOSED.format(
                    request_id=request.pk,
                    last_day=last_day,
                    days=settings.PRIORAUTH_APPEAL_DAYS,
                    denied_on=timezone.localdate(request.decision.decided_at),
                )
            }
        )


# --- The workflow ------------------------------------------------------------------------


def _appeal_not_found(appeal_id: int) -> errors.NotFound:
    return errors.NotFound({"appeal_id": errors.UNKNOWN_APPEAL.format(appeal_id=appeal_id)})


def _lock_appeal(appeal_id: int) -> Appeal:
    appeal = (
        Appeal.objects.select_for_update(of=("self",))
        .select_related("request__decision__decided_by", "request__policy", "member")
        .filter(pk=appeal_id)
        .first()
    )
    if appeal is None:
        raise _appeal_not_found(appeal_id)
    return appeal


def _refuse_if_closed(appeal: Appeal) -> None:
    if appeal.status == AppealStatus.DECIDED:
        decision = appeal.decision
        raise errors.Conflict(
            {
                "decision": errors.APPEAL_ALREADY_DECIDED.format(
                    appeal_id=appeal.pk,
                    outcome=decision.get_outcome_display(),
                    user=decision.decided_by.get_username(),
                    at=timezone.localtime(decision.decided_at).strftime("%Y-%m-%d %H:%M %Z"),
                )
            }
        )
    if not APPEAL_TRANSITIONS.get(appeal.status):
        raise errors.Conflict(
            {
                "status": errors.APPEAL_CLOSED.format(
                    appeal_id=appeal.pk, status=appeal.get_status_display()
                )
            }
        )


_WORKFLOW = workflow.Workflow(
    lock=_lock_appeal,
    transitions=APPEAL_TRANSITIONS,
    refuse_if_closed=_refuse_if_closed,
    statuses=AppealStatus,
)


def appeal_take(*, appeal_id: int, by) -> Appeal:
    return _WORKFLOW.take(appeal_id, by=by)


def appeal_release(*, appeal_id: int, by) -> Appeal:
    return _WORKFLOW.release(appeal_id, by=by)


def appeal_pend(*, appeal_id: int, reason: str, by, take_over: bool = False) -> Appeal:
    return _WORKFLOW.pend(appeal_id, reason=reason, by=by, take_over=take_over)


def appeal_answer(*, appeal_id: int, notes: str, by) -> Appeal:
    return _WORKFLOW.answer(appeal_id, notes=notes, by=by)


def appeal_withdraw(*, appeal_id: int, reason: str, by) -> Appeal:
    return _WORKFLOW.withdraw(appeal_id, reason=reason, by=by)


# --- The decision ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AppealResult:
    decision: AppealDecision
    override: Override | None


def appeal_decide(
    *,
    appeal_id: int,
    outcome: str,
    by,
    criterion_number: int | None = None,
    reason: str = "",
    take_over: bool = False,
) -> AppealResult:
    """Overturn (creating the override) or uphold. Exactly one decision ever wins; the
    person who denied the request never decides its appeal; only a physician upholds.
    An appeal someone else holds needs `take_over`, as a request does."""
    reason = (reason or "").strip()
    if outcome == AppealOutcome.UPHOLD and not reason:
        raise errors.ServiceError({"reason": errors.REASON_REQUIRED})
    if outcome == AppealOutcome.OVERTURN and criterion_number is None:
        raise errors.ServiceError({"criterion_number": errors.CRITERION_REQUIRED})
    member_pk = member_pk_of(Appeal.objects, appeal_id, _appeal_not_found(appeal_id))
    try:
        with transaction.atomic():
            lock_member_by_pk(member_pk)
            appeal = _lock_appeal(appeal_id)
            _refuse_if_closed(appeal)
            role = _decider_role(appeal, outcome, by)
            workflow.reassign_to_decider(appeal, by=by, take_over=take_over)
            if outcome == AppealOutcome.OVERTURN:
                return _overturn(appeal, criterion_number, reason, by, role)
            return _uphold(appeal, reason, by, role)
    except IntegrityError:
        raise errors.Conflict(
            {"decision": errors.APPEAL_DECIDED_CONCURRENTLY.format(appeal_id=appeal_id)}
        ) from None


def _decider_role(appeal: Appeal, outcome: str, by) -> str:
    """The role `by` decides in, or 403: not the denier; overturn by a pharmacist or a
    physician reviewer; uphold by a physician reviewer only."""
    if appeal.request.decision.decided_by_id == by.pk:
        raise errors.Forbidden(
            {"decision": errors.APPEAL_BY_DENIER.format(request_id=appeal.request_id)}
        )
    if roles.has_role(by, roles.PHYSICIAN_REVIEWER):
        return roles.PHYSICIAN_REVIEWER
    if outcome == AppealOutcome.UPHOLD:
        raise errors.Forbidden({"decision": errors.APPEAL_UPHOLD_ROLE})
    if roles.has_role(by, roles.CLINICAL_PHARMACIST):
        return roles.CLINICAL_PHARMACIST
    raise errors.Forbidden({"decision": errors.APPEAL_OVERTURN_ROLE})


def _record(
    appeal: Appeal, outcome: str, by, role: str, *, criterion=None, reason=""
) -> AppealDecision:
    decision = AppealDecision.objects.create(
        appeal=appeal,
        outcome=outcome,
        criterion=criterion,
        reason=reason,
        decided_by=by,
        decided_role=role,
        decided_at=timezone.now(),
    )
    workflow.transition(
        appeal,
        AppealStatus.DECIDED,
        transitions=APPEAL_TRANSITIONS,
        reason=f"appeal {AppealOutcome(outcome).label}",
        by=by,
    )
    appeal.assigned_to = appeal.assigned_to or by
    appeal.save()
    return decision


def _overturn(appeal: Appeal, criterion_number: int, reason: str, by, role: str) -> AppealResult:
    criterion = policy_criterion(appeal.request.policy, criterion_number)
    decision = _record(appeal, AppealOutcome.OVERTURN, by, role, criterion=criterion, reason=reason)
    override = override_create(
        request=appeal.request,
        criterion=criterion,
        today=timezone.localdate(decision.decided_at),
        by=by,
        reason=f"appeal {appeal.pk} overturned under criterion {criterion.number}",
    )
    return AppealResult(decision=decision, override=override)


def _uphold(appeal: Appeal, reason: str, by, role: str) -> AppealResult:
    criterion = appeal.request.decision.criterion
    decision = _record(appeal, AppealOutcome.UPHOLD, by, role, criterion=criterion, reason=reason)
    return AppealResult(decision=decision, override=None)
