"""The case page and the reviewer's actions on it (its notice: notices.py)."""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from priorauth import roles, selectors, services
from priorauth.audit import record_phi_access
from priorauth.models import DecisionOutcome, OverrideRequest

from .access import CASE_READERS, role_required
from .actions import CasePage, perform, workflow_actions
from .casefile import case_or_404, request_evidence
from .display import clock_label, override_issued
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
            "case_draft": f"case-{case.pk}",  # the key of the text kept while typed
        }
    )
    return context


@role_required(*CASE_READERS)
def case_page(request, request_id: int):
    return render(request, CASE_PAGE.template, CASE_PAGE.context(request, request_id))


def _approve(request, request_id: int) -> str:
    result = services.override_request_decide(
        request_id=request_id,
        outcome=DecisionOutcome.APPROVE,
        criterion_number=posted_criterion_number(request.POST.get("criterion_number")),
        by=request.user,
    )
    return f"Approved. {override_issued(result.override)}"


def _deny(request, request_id: int) -> str:
    services.override_request_decide(
        request_id=request_id,
        outcome=DecisionOutcome.DENY,
        reason=request.POST.get("reason", ""),
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


CASE_PAGE = CasePage(template="priorauth/case.html", url_name="case", context=_shown_again)


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
