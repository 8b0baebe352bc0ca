"""Intake appeals a denied request it submitted (docs/domain.md §10), from "My requests" or
from the denial notice: the reason, the urgency and clinical notes. The checks are the
API's (inputs.AppealInput) and the service's (services.appeal_file), with their words.
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from priorauth import roles, selectors, services
from priorauth.audit import record_phi_access
from priorauth.errors import ServiceError
from priorauth.models import Appeal, AppealOutcome, OverrideRequest, RequestStatus

from .access import role_required
from .errors import apply_errors
from .forms import AppealForm


@dataclass(frozen=True)
class AppealState:
    """What "My requests" and the denial notice say about appealing one request."""

    appeals: list[Appeal]  # filed so far, the first first
    can_file: bool  # an "Appeal" link is offered (the service still decides on filing)
    last_day: date | None  # the last day to file, for a denied request


def appeal_state(case: OverrideRequest, today: date) -> AppealState:
    """From the request's appeals (prefetched on "My requests": no query per row). Offered
    while the request is denied, no appeal is open or overturned, and the window is open."""
    if case.status != RequestStatus.DENIED:
        return AppealState(appeals=[], can_file=False, last_day=None)
    appeals = sorted(case.appeals.all(), key=lambda a: (a.received_at, a.pk))
    last_day = services.appeal_last_day(case.decision.decided_at)
    blocked = any(a.is_open or _overturned(a) for a in appeals)
    return AppealState(
        appeals=appeals, can_file=not blocked and today <= last_day, last_day=last_day
    )


def _overturned(appeal: Appeal) -> bool:
    decision = getattr(appeal, "decision", None)
    return decision is not None and decision.outcome == AppealOutcome.OVERTURN


def own_request_or_404(user, request_id: int) -> OverrideRequest:
    """Intake's own request; anyone else's is "not found", as in the API."""
    case = selectors.case_request(request_id)
    if case is None or case.submitted_by_id != user.pk:
        raise Http404("No such request among yours.")
    return case


@role_required(roles.INTAKE)
def appeal_new(request, request_id: int):
    case = own_request_or_404(request.user, request_id)
    form = AppealForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound:
        if form.is_valid():
            try:
                appeal = services.appeal_file(
                    request_id=case.pk,
                    by=request.user,
                    only_submitted_by=request.user,
                    **form.validated,
                )
            except ServiceError as error:
                apply_errors(form, error.errors)
                status = error.status_code
            else:
                return _filed(request, appeal)
        else:
            status = 400
    refusal = None if form.is_bound else services.appeal_refusal(case, timezone.localdate())
    # The page shows the request and its denial: a read of the member's record.
    record_phi_access(request, case.member, "appeal form view")
    return render(
        request,
        "priorauth/appeal_new.html",
        {
            "case": case,
            "form": form,
            "refusal": refusal,
            "last_day": services.appeal_last_day(case.decision.decided_at)
            if case.status == RequestStatus.DENIED
            else None,
            "appeal_days": settings.PRIORAUTH_APPEAL_DAYS,
        },
        status=refusal.status_code if refusal else status,
    )


def _filed(request, appeal: Appeal):
    messages.success(
        request,
        f"Appeal {appeal.pk} of request {appeal.request_id} received; it will be decided by "
        f"{timezone.localtime(appeal.due_at):%Y-%m-%d %H:%M %Z} "
        f"({appeal.get_urgency_display()}).",
    )
    return redirect("my-requests")
