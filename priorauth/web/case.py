"""The case page and the reviewer's actions on it (its notice: notices.py)."""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from priorauth import roles, selectors, services
from priorauth.audit import record_phi_access
from priorauth.models import DecisionOutcome, OverrideRequest

from . import confirm
from .access import CASE_READERS, role_required
from .actions import CasePage, perform, workflow_actions
from .casefile import case_or_404, request_evidence
from .display import clock_label, override_issued
from .documents import case_documents
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
            # The deny reason starts empty: the policy's sentence is offered, not assumed
            # (the link fills it in; without JavaScript it comes back as this page).
            "policy_sentence": case.policy.otherwise,
            "deny_reason": case.policy.otherwise if request.GET.get(USE_POLICY_SENTENCE) else "",
            "use_policy_sentence": USE_POLICY_SENTENCE,
            "take_over_notice": confirm.take_over_notice(case, request.user),
            "approve_sentences": confirm.approval_sentences(context["criteria"], context["unit"]),
            "deny_then": confirm.denial_then(),
            "approve_title": _approve_title(case),
            "deny_title": _deny_title(case),
            "case_draft": f"case-{case.pk}",  # the key of the text kept while typed
        }
    )
    context.update(case_documents(request, case))
    return context


USE_POLICY_SENTENCE = "use_policy_sentence"


@role_required(*CASE_READERS)
def case_page(request, request_id: int):
    return render(request, CASE_PAGE.template, CASE_PAGE.context(request, request_id))


def _approve(request, request_id: int) -> str:
    result = services.override_request_decide(
        request_id=request_id,
        outcome=DecisionOutcome.APPROVE,
        criterion_number=posted_criterion_number(request.POST.get("criterion_number")),
        take_over=confirm.takes_over(request),
        by=request.user,
    )
    return f"Approved. {override_issued(result.override)}"


def _deny(request, request_id: int) -> str:
    services.override_request_decide(
        request_id=request_id,
        outcome=DecisionOutcome.DENY,
        reason=request.POST.get("reason", ""),
        take_over=confirm.takes_over(request),
        by=request.user,
    )
    return "Denied. The determination notice is ready to print."


# Each reviewer action: one service call, and the message the reviewer sees after it.
ACTIONS = {
    **workflow_actions(
        take=services.override_request_take,
        release=services.override_request_release,
        pend=services.override_request_pend,
        answer=services.override_request_answer,
        id_name="request_id",
        noun="request",
    ),
    "approve": _approve,
    "deny": _deny,
}


def _shown_again(request, request_id: int) -> dict:
    case = case_or_404(request_id)
    record_phi_access(request, case.member, "case page view")
    return _case_context(request, case)


def _approve_title(case: OverrideRequest) -> str:
    return f"Approve request {case.pk}?"


def _deny_title(case: OverrideRequest) -> str:
    return f"Deny request {case.pk}?"


def _approve_preview(request, case: OverrideRequest) -> confirm.Preview:
    return confirm.approve_preview(
        request, case, title=_approve_title(case), confirm_label="Approve"
    )


def _deny_preview(request, case: OverrideRequest) -> confirm.Preview:
    return confirm.denial_preview(
        request,
        title=_deny_title(case),
        confirm_label="Deny",
    )


CASE_PAGE = CasePage(
    template="priorauth/case.html",
    url_name="case",
    context=_shown_again,
    load=case_or_404,
    previews={"approve": _approve_preview, "deny": _deny_preview},
    take_over_previews={
        "pend": lambda request, case: confirm.pend_preview(request, noun="request")
    },
)


def _the_case_page(request, request_id: int, **_) -> str:
    return reverse("case", args=[request_id])


@require_POST
@role_required(roles.CLINICAL_PHARMACIST, come_back_to=_the_case_page)
def case_action(request, request_id: int, action: str):
    act = ACTIONS.get(action)
    if act is None:
        raise Http404("No such action.")
    case_or_404(request_id)
    return perform(request, CASE_PAGE, request_id, action, act)
