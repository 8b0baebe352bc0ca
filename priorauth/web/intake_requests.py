"""Intake's own requests: "My requests", one request's page, answering a pharmacist's
question (a "needs information" pend) and withdrawing a request.

The moves are the review workflow's (services/workflow.py: answer, withdraw), the same
as a reviewer's; what intake adds is that only the user who submitted a request may make
them (anyone else's request is "not found", as in the API).
"""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from priorauth import roles, selectors, services
from priorauth.audit import record_phi_access, record_phi_access_many
from priorauth.errors import ServiceError
from priorauth.models import OverrideRequest, RequestStatus

from .access import role_required
from .appeal_filing import appeal_state, own_request_or_404
from .display import page_of
from .errors import apply_errors

BACK_TO_LIST = "list"  # a form on "My requests" says so: back there after it


class AnswerForm(forms.Form):
    notes = forms.CharField(
        label="Your answer",
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Write the answer to the pharmacist's question."},
        help_text="Added to the request's clinical notes; the request goes back to the queue.",
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why it is withdrawn",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional, e.g. “prescriber changed therapy”. Kept in the request's history.",
    )


@role_required(roles.INTAKE)
def my_requests(request):
    page = page_of(selectors.requests_submitted_by(request.user), request)
    waiting = list(selectors.requests_awaiting_answer(request.user))
    members = [r.member_id for r in page.object_list] + [r.member_id for r in waiting]
    record_phi_access_many(request, members, "my requests view")
    today = timezone.localdate()
    rows = [(r, appeal_state(r, today)) for r in page.object_list]
    answers = [(r, _answer_form(r)) for r in waiting]
    context = {"page": page, "rows": rows, "waiting": answers}
    return render(request, "priorauth/my_requests.html", context)


def _answer_form(case: OverrideRequest) -> AnswerForm:
    """One answer box per pended request on "My requests": ids and label of its own."""
    form = AnswerForm(auto_id=f"answer-{case.pk}-%s")
    form.fields["notes"].label = f"Your answer on request {case.pk}"
    return form


def _request_page(request, case: OverrideRequest, *, answer=None, withdraw=None, status=200):
    record_phi_access(request, case.member, "intake request view")
    context = {
        "case": case,
        "prescription": case.prescription,
        "appeal": appeal_state(case, timezone.localdate()),
        "answer_form": answer or AnswerForm(),
        "withdraw_form": withdraw,
        "awaiting_answer": case.status == RequestStatus.NEEDS_INFO,
    }
    return render(request, "priorauth/my_request.html", context, status=status)


@role_required(roles.INTAKE)
def my_request(request, request_id: int):
    return _request_page(request, own_request_or_404(request.user, request_id))


@require_POST
@role_required(roles.INTAKE)
def my_request_answer(request, request_id: int):
    case = own_request_or_404(request.user, request_id)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _request_page(request, case, answer=form, status=400)
    try:
        services.override_request_answer(
            request_id=case.pk, notes=form.cleaned_data["notes"], by=request.user
        )
    except ServiceError as error:
        apply_errors(form, error.errors)
        return _request_page(
            request,
            own_request_or_404(request.user, request_id),
            answer=form,
            status=error.status_code,
        )
    messages.success(request, f"Answer sent: request {case.pk} is back in the pharmacists' queue.")
    return _back(request, case)


@role_required(roles.INTAKE)
def my_request_withdraw(request, request_id: int):
    """GET asks to confirm (what will happen, a reason); POST withdraws."""
    case = own_request_or_404(request.user, request_id)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if not form.is_bound:
        return _request_page(request, case, withdraw=form)
    if not form.is_valid():
        return _request_page(request, case, withdraw=form, status=400)
    reason = form.cleaned_data["reason"].strip() or "by the requester"
    try:
        services.override_request_withdraw(request_id=case.pk, reason=reason, by=request.user)
    except ServiceError as error:
        apply_errors(form, error.errors)
        return _request_page(
            request,
            own_request_or_404(request.user, request_id),
            withdraw=form,
            status=error.status_code,
        )
    messages.success(request, f"Request {case.pk} withdrawn; no pharmacist will review it.")
    return redirect("my-requests")


def _back(request, case: OverrideRequest):
    if request.POST.get("back") == BACK_TO_LIST:
        return redirect("my-requests")
    return redirect("my-request", case.pk)
