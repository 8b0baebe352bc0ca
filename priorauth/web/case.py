"""The case page, the reviewer's actions on it, and the determination notice."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from priorauth import roles, selectors, services
from priorauth.audit import record_phi_access
from priorauth.errors import ServiceError
from priorauth.models import DecisionOutcome, OverrideRequest

from .access import CASE_READERS, role_required
from .appeal_filing import appeal_state
from .casefile import case_or_404, request_evidence
from .display import clock_label
from .forms import posted_criterion_number


def _case_context(request, case: OverrideRequest) -> dict:
    now = timezone.now()
    context = request_evidence(case, timezone.localdate())
    context.update(
        {
            "history": selectors.request_history(case),
            "appeals": selectors.request_appeals(case),
            "clock": clock_label(case.due_at, now),
            "overdue": case.is_overdue(now),
            "can_decide": roles.has_role(request.user, roles.CLINICAL_PHARMACIST) and case.is_open,
            "default_criterion": (
                case.attested_criterion.number if case.attested_criterion else None
            ),
            "default_deny_reason": case.policy.otherwise,
        }
    )
    return context


@role_required(*CASE_READERS)
def case_page(request, request_id: int):
    case = case_or_404(request_id)
    record_phi_access(request, case.member, "case page view")
    return render(request, "priorauth/case.html", _case_context(request, case))


def _approve(request, request_id: int) -> str:
    result = services.override_request_decide(
        request_id=request_id,
        outcome=DecisionOutcome.APPROVE,
        criterion_number=posted_criterion_number(request.POST.get("criterion_number")),
        by=request.user,
    )
    override = result.override
    return (
        f"Approved. Override {override.authorization_number} is in force from "
        f"{override.starts_on} to {override.ends_on}."
    )


def _deny(request, request_id: int) -> str:
    services.override_request_decide(
        request_id=request_id,
        outcome=DecisionOutcome.DENY,
        reason=request.POST.get("reason", ""),
        by=request.user,
    )
    return "Denied. The determination notice is ready to print."


def _take(request, request_id: int) -> str:
    services.override_request_take(request_id=request_id, by=request.user)
    return "You have taken this request."


def _release(request, request_id: int) -> str:
    services.override_request_release(request_id=request_id, by=request.user)
    return "Released back to the queue."


def _pend(request, request_id: int) -> str:
    services.override_request_pend(
        request_id=request_id, reason=request.POST.get("reason", ""), by=request.user
    )
    return "Pended for more information."


def _answer(request, request_id: int) -> str:
    services.override_request_answer(
        request_id=request_id, notes=request.POST.get("notes", ""), by=request.user
    )
    return "Information recorded; the request is back in the queue."


# Each reviewer action: one service call, and the message the reviewer sees after it.
ACTIONS = {
    "take": _take,
    "release": _release,
    "pend": _pend,
    "answer": _answer,
    "approve": _approve,
    "deny": _deny,
}


def _the_case_page(request, request_id: int, **_) -> str:
    return reverse("case", args=[request_id])


@require_POST
@role_required(roles.CLINICAL_PHARMACIST, come_back_to=_the_case_page)
def case_action(request, request_id: int, action: str):
    act = ACTIONS.get(action)
    if act is None:
        raise Http404("No such action.")
    case_or_404(request_id)
    try:
        message = act(request, request_id)
    except ServiceError as error:
        # Show the case as it is now (someone else may have decided it), with the reason.
        case = case_or_404(request_id)
        record_phi_access(request, case.member, "case page view")
        context = _case_context(request, case)
        context.update(
            {"action_errors": error.errors, "failed_action": action, "posted": request.POST}
        )
        return render(request, "priorauth/case.html", context, status=error.status_code)
    messages.success(request, message)
    if action == "release":
        return redirect("queue")
    return redirect("case", request_id=request_id)


def _may_see_notice(user, case: OverrideRequest) -> bool:
    if roles.has_role(user, *CASE_READERS):
        return True
    return roles.has_role(user, roles.INTAKE) and case.submitted_by_id == user.pk


@login_required
def notice(request, request_id: int):
    case = case_or_404(request_id)
    if not _may_see_notice(request.user, case):
        raise PermissionDenied("You may see notices of your own submissions only.")
    decision = getattr(case, "decision", None)
    if decision is None:
        raise Http404("This request has not been decided yet.")
    record_phi_access(request, case.member, "determination notice view")
    override = getattr(case, "override", None)
    prefetch_related_objects([case], "appeals__decision")
    appeal = appeal_state(case, timezone.localdate())
    return render(
        request,
        "priorauth/notice.html",
        {
            "case": case,
            "decision": decision,
            "override": override,
            "allowances": list(override.allowances.all()) if override else [],
            "applied_criteria": [decision.criterion]
            if decision.criterion
            else list(case.policy.criteria.all()),
            "appeal_days": settings.PRIORAUTH_APPEAL_DAYS,
            "appeal_standard_hours": settings.PRIORAUTH_APPEAL_STANDARD_HOURS,
            "appeal_expedited_hours": settings.PRIORAUTH_APPEAL_EXPEDITED_HOURS,
            "appeal": appeal,
            # Intake files from here too, for its own request (the form checks it again).
            "may_file": appeal.can_file
            and roles.has_role(request.user, roles.INTAKE)
            and case.submitted_by_id == request.user.pk,
        },
    )
