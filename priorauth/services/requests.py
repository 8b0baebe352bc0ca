"""Writes to override requests: intake, the review workflow, and decisions.

Statuses move only along REQUEST_TRANSITIONS (models/requests.py). A decision
takes the member lock (it may create an override) and then the request's row
lock; the one-to-one Decision row and the one-active-override constraint are the
database's backstop, so exactly one decision ever wins.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from policies import selectors as policy_selectors
from policies.models import Criterion, Policy
from policies.rules import determination
from policies.selectors import CriterionInfo
from priorauth import errors, selectors
from priorauth.models import (
    DECIDED_REQUEST_STATUSES,
    REQUEST_TRANSITIONS,
    Decision,
    DecisionOutcome,
    Override,
    OverrideRequest,
    Prescriber,
    Prescription,
    RequestStatus,
)
from priorauth.selectors.determination import as_stored

from . import workflow
from .locks import lock_member, lock_member_by_pk, member_pk_of
from .overrides import override_create, system_user


def due_in(urgency: str) -> timedelta:
    """How long the regulatory clock gives a request of this urgency."""
    return timedelta(hours=settings.PRIORAUTH_CLOCK_HOURS[urgency])


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
    answers: dict | None = None,
    submitted_by=None,
) -> OverrideRequest:
    """Receive a request and determine it in real time (docs/domain.md §9).

    Under the member's lock (so two requests for one member cannot both be approved):
    the answers are checked against the attested criterion's questions (a problem is a
    400 and nothing is written), the request is stored with what the determination
    found, and a request it approves is decided at once by the system user through the
    same approval as a pharmacist's. Anything else waits in the queue.
    """
    received_at = timezone.now()
    today = timezone.localdate(received_at)
    with transaction.atomic():
        member = lock_member(member_id=member_id)
        managed = policy_selectors.managed_limit(
            ndc=ndc, channel=channel, on=today, line_of_business=member.line_of_business
        )
        if managed is None:
            raise errors.ServiceError({"ndc": errors.NDC_NOT_MANAGED.format(ndc=ndc, date=today)})
        policy = managed.policy
        criterion = _attested(policy, criterion_number)
        checked = _checked_answers(criterion, answers)
        found = selectors.determine_request(
            member=member,
            managed=managed,
            criterion=criterion,
            answers=checked,
            quantity=quantity,
            days_supply=days_supply,
            channel=channel,
            received_on=today,
        )
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
            attested_criterion_id=criterion.pk if criterion is not None else None,
            urgency=urgency,
            clinical_notes=clinical_notes,
            answers=checked,
            determination=as_stored(found),
            received_at=received_at,
            due_at=received_at + due_in(urgency),
            submitted_by=submitted_by,
        )
        request._change_reason = "received"
        request._history_user = submitted_by
        request.save()
        if found.approved:
            _approve(
                request,
                criterion.number,
                system_user(),
                reason=_automatic_reason(criterion.number, found),
                automatic=True,
            )
    return request


def _attested(policy: Policy, number: int | None) -> CriterionInfo | None:
    if number is None:
        return None
    criteria = policy_selectors.criteria_of(policy)
    if number not in criteria:
        raise _unknown_criterion(policy, number, criteria)
    return criteria[number]


def _checked_answers(criterion: CriterionInfo | None, answers) -> dict:
    """The answers in their normal form, or a 400 naming each one that cannot be read."""
    if not answers:
        return {}
    if criterion is None:
        raise errors.ServiceError({"answers": errors.ANSWERS_WITHOUT_CRITERION})
    checked, problems = determination.check_answers(criterion.rules.questions, answers)
    if problems:
        raise errors.ServiceError({"answers": problems})
    return checked


def _automatic_reason(number: int, found: determination.Determination) -> str:
    facts = " ".join(found.reasons)
    return f"Approved automatically under criterion {number}: {facts}"


def policy_criterion(policy: Policy, number: int) -> Criterion:
    criteria = {c.number: c for c in policy.criteria.all()}
    if number not in criteria:
        raise _unknown_criterion(policy, number, criteria)
    return criteria[number]


def _unknown_criterion(policy: Policy, number: int, criteria) -> errors.ServiceError:
    return errors.ServiceError(
        {
            "criterion_number": errors.UNKNOWN_CRITERION.format(
                policy_code=policy.code,
                number=number,
                numbers=", ".join(str(n) for n in sorted(criteria)) or "none",
            )
        }
    )


def _not_found(request_id: int) -> errors.NotFound:
    return errors.NotFound({"request_id": errors.UNKNOWN_REQUEST.format(request_id=request_id)})


def _lock_request(request_id: int) -> OverrideRequest:
    request = (
        OverrideRequest.objects.select_for_update(of=("self",))
        .select_related("member", "policy")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise _not_found(request_id)
    return request


def _refuse_if_closed(request: OverrideRequest) -> None:
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
    if not REQUEST_TRANSITIONS.get(request.status):
        raise errors.Conflict(
            {
                "status": errors.REQUEST_CLOSED.format(
                    request_id=request.pk, status=request.get_status_display()
                )
            }
        )


def _transition(request: OverrideRequest, target: RequestStatus, *, reason: str, by) -> None:
    _refuse_if_closed(request)
    workflow.transition(request, target, transitions=REQUEST_TRANSITIONS, reason=reason, by=by)


# --- The review workflow ---------------------------------------------------------------


_WORKFLOW = workflow.Workflow(
    lock=_lock_request,
    transitions=REQUEST_TRANSITIONS,
    refuse_if_closed=_refuse_if_closed,
    statuses=RequestStatus,
)


def override_request_take(*, request_id: int, by) -> OverrideRequest:
    return _WORKFLOW.take(request_id, by=by)


def override_request_release(*, request_id: int, by) -> OverrideRequest:
    return _WORKFLOW.release(request_id, by=by)


def override_request_pend(
    *, request_id: int, reason: str, by, take_over: bool = False
) -> OverrideRequest:
    return _WORKFLOW.pend(request_id, reason=reason, by=by, take_over=take_over)


def override_request_answer(*, request_id: int, notes: str, by) -> OverrideRequest:
    """The requester supplied what was asked for: back to the queue."""
    return _WORKFLOW.answer(request_id, notes=notes, by=by)


def override_request_withdraw(*, request_id: int, reason: str, by) -> OverrideRequest:
    return _WORKFLOW.withdraw(request_id, reason=reason, by=by)


# --- Decisions ---------------------------------------------------------------------------


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
    take_over: bool = False,
) -> DecisionResult:
    """Approve (creating the override) or deny a request. Exactly one decision ever wins.

    A request someone else holds is refused (409, TakeOverRequired) unless `take_over`:
    then it is reassigned to `by`, in its history, before the decision."""
    reason = (reason or "").strip()
    if outcome == DecisionOutcome.DENY and not reason:
        raise errors.ServiceError({"reason": errors.REASON_REQUIRED})
    if outcome == DecisionOutcome.APPROVE and criterion_number is None:
        raise errors.ServiceError({"criterion_number": errors.CRITERION_REQUIRED})
    member_pk = member_pk_of(OverrideRequest.objects, request_id, _not_found(request_id))
    try:
        with transaction.atomic():
            lock_member_by_pk(member_pk)
            request = _lock_request(request_id)
            _refuse_if_closed(request)
            workflow.reassign_to_decider(request, by=by, take_over=take_over)
            if outcome == DecisionOutcome.APPROVE:
                return _approve(request, criterion_number, by)
            return _deny(request, reason, by)
    except IntegrityError:
        # The constraints caught what the locks should already have prevented.
        raise errors.Conflict(
            {"decision": errors.DECIDED_CONCURRENTLY.format(request_id=request_id)}
        ) from None


def _approve(
    request: OverrideRequest,
    criterion_number: int,
    by,
    *,
    reason: str = "",
    automatic: bool = False,
) -> DecisionResult:
    """The one approval, a pharmacist's or the determination's: decision, override, status."""
    now = timezone.now()
    criterion = policy_criterion(request.policy, criterion_number)
    decision = Decision.objects.create(
        request=request,
        outcome=DecisionOutcome.APPROVE,
        criterion=criterion,
        reason=reason,
        decided_by=by,
        decided_at=now,
        automatic=automatic,
    )
    override = override_create(
        request=request, criterion=criterion, today=timezone.localdate(now), by=by
    )
    how = "approved automatically" if automatic else "approved"
    _transition(
        request, RequestStatus.APPROVED, reason=f"{how} under criterion {criterion.number}", by=by
    )
    _close(request, by)
    return DecisionResult(decision=decision, override=override)


def _deny(request: OverrideRequest, reason: str, by) -> DecisionResult:
    decision = Decision.objects.create(
        request=request,
        outcome=DecisionOutcome.DENY,
        criterion=request.attested_criterion,
        reason=reason,
        decided_by=by,
        decided_at=timezone.now(),
    )
    _transition(request, RequestStatus.DENIED, reason="denied", by=by)
    _close(request, by)
    return DecisionResult(decision=decision, override=None)


def _close(request: OverrideRequest, by) -> None:
    request.assigned_to = request.assigned_to or by
    request.save()
