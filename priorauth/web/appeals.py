"""Appeals on the pages (docs/domain.md §10): the appeal case page, the reviewers' actions
on it (the appeal notice: notices.py). Intake files an appeal from "My requests" (appeal_filing.py).

Who may decide is the service's rule (services.appeals.appeal_decide); the page only
offers the forms the service would accept from the viewer, and says why when it offers
none.
"""

from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from priorauth import errors, roles, selectors, services
from priorauth.audit import record_phi_access
from priorauth.errors import ServiceError
from priorauth.models import Appeal, AppealOutcome

from . import confirm
from .access import CASE_READERS, role_required
from .actions import CasePage, perform, workflow_actions
from .casefile import case_or_404, request_evidence
from .display import clock_label, override_issued
from .documents import case_documents
from .forms import posted_criterion_number


def _appeal_or_404(appeal_id: int) -> Appeal:
    appeal = selectors.appeal_case(appeal_id)
    if appeal is None:
        raise Http404("No such appeal.")
    return appeal


@dataclass(frozen=True)
class Powers:
    """What the viewer may do with an open appeal, and why not when they may not decide."""

    work: bool  # take, release, pend, answer, withdraw
    overturn: bool
    uphold: bool
    why_not: str  # why no decision form, or why no uphold form; "" when both are offered


def powers(user, appeal: Appeal) -> Powers:
    """The service's rules (not the denier; overturn: pharmacist or physician; uphold:
    physician), read for the viewer so the page offers only what would be accepted."""
    denier = appeal.request.decision.decided_by_id == user.pk
    reviewer = roles.has_role(user, *roles.REVIEWERS) and not denier
    physician = reviewer and roles.has_role(user, roles.PHYSICIAN_REVIEWER)
    if denier:
        why_not = errors.APPEAL_BY_DENIER.format(request_id=appeal.request_id)
    elif not reviewer:
        why_not = (
            "A clinical pharmacist or a physician reviewer who did not make the denial "
            "decides this appeal."
        )
    elif not physician:
        why_not = errors.APPEAL_UPHOLD_ROLE
    else:
        why_not = ""
    is_open = appeal.is_open
    return Powers(
        work=reviewer and is_open,
        overturn=reviewer and is_open,
        uphold=physician and is_open,
        why_not=why_not,
    )


def _appeal_context(request, appeal: Appeal) -> dict:
    case = case_or_404(appeal.request_id)
    now = timezone.now()
    context = request_evidence(case, timezone.localdate())
    denial = case.decision
    context.update(
        {
            "appeal": appeal,
            "denial": denial,
            "request_heading": "The request that was denied",
            "request_history": selectors.request_history(case),
            "appeal_history": selectors.appeal_history(appeal),
            "clock": clock_label(appeal.due_at, now),
            "overdue": appeal.is_overdue(now),
            "powers": powers(request.user, appeal),
            "take_over_notice": confirm.take_over_notice(appeal, request.user),
            "overturn_sentences": confirm.approval_sentences(context["criteria"], context["unit"]),
            "uphold_then": confirm.UPHOLD_THEN,
            "overturn_title": _overturn_title(appeal),
            "uphold_title": _uphold_title(appeal),
            "appeal_draft": f"appeal-{appeal.pk}",  # the key of the text kept while typed
            # The denial's criterion, else the one attested: what an overturn most often meets.
            "default_criterion": _number(denial.criterion) or _number(case.attested_criterion),
        }
    )
    context.update(case_documents(request, case, appeal))
    return context


def _number(criterion) -> int | None:
    return criterion.number if criterion is not None else None


@role_required(*CASE_READERS)
def appeal_page(request, appeal_id: int):
    return render(request, APPEAL_PAGE.template, APPEAL_PAGE.context(request, appeal_id))


# --- Actions ----------------------------------------------------------------------------


def _overturn(request, appeal_id: int) -> str:
    result = services.appeal_decide(
        appeal_id=appeal_id,
        outcome=AppealOutcome.OVERTURN,
        criterion_number=posted_criterion_number(request.POST.get("criterion_number")),
        reason=request.POST.get("reason", ""),
        take_over=confirm.takes_over(request),
        by=request.user,
    )
    return f"Overturned. {override_issued(result.override)} The appeal notice is ready to print."


def _uphold(request, appeal_id: int) -> str:
    services.appeal_decide(
        appeal_id=appeal_id,
        outcome=AppealOutcome.UPHOLD,
        reason=request.POST.get("reason", ""),
        take_over=confirm.takes_over(request),
        by=request.user,
    )
    return "Upheld. The appeal notice, with the next level of appeal, is ready to print."


def _withdraw(request, appeal_id: int) -> str:
    reason = request.POST.get("reason", "").strip()
    if not reason:
        # The page asks why (the appellant's words, for the history); the API has no
        # withdraw, so nothing else records it.
        raise ServiceError({"reason": errors.APPEAL_WITHDRAW_REASON_REQUIRED})
    services.appeal_withdraw(appeal_id=appeal_id, reason=reason, by=request.user)
    return "Withdrawn."


# Each action: one service call, and the message the reviewer sees after it.
ACTIONS = {
    **workflow_actions(
        take=services.appeal_take,
        release=services.appeal_release,
        pend=services.appeal_pend,
        answer=services.appeal_answer,
        id_name="appeal_id",
        noun="appeal",
    ),
    "withdraw": _withdraw,
    "overturn": _overturn,
    "uphold": _uphold,
}
DECISIONS = ("overturn", "uphold")


def _shown_again(request, appeal_id: int) -> dict:
    appeal = _appeal_or_404(appeal_id)
    record_phi_access(request, appeal.member, "appeal page view")
    return _appeal_context(request, appeal)


def _may(request, appeal: Appeal, outcome: str) -> None:
    """Refuse before asking: the denier and the wrong role are told why, not asked to confirm
    a decision the service would refuse."""
    allowed = powers(request.user, appeal)
    if not getattr(allowed, outcome):
        raise errors.Forbidden({"decision": allowed.why_not})


def _overturn_title(appeal: Appeal) -> str:
    return f"Overturn the denial (appeal {appeal.pk})?"


def _uphold_title(appeal: Appeal) -> str:
    return f"Uphold the denial (appeal {appeal.pk})?"


def _overturn_preview(request, appeal: Appeal) -> confirm.Preview:
    _may(request, appeal, "overturn")
    return confirm.approve_preview(
        request,
        appeal.request,
        title=_overturn_title(appeal),
        confirm_label="Overturn",
    )


def _uphold_preview(request, appeal: Appeal) -> confirm.Preview:
    _may(request, appeal, "uphold")
    return confirm.denial_preview(
        request,
        title=_uphold_title(appeal),
        confirm_label="Uphold",
        then=confirm.UPHOLD_THEN,
    )


APPEAL_PAGE = CasePage(
    template="priorauth/appeal.html",
    url_name="appeal",
    context=_shown_again,
    load=_appeal_or_404,
    previews={"overturn": _overturn_preview, "uphold": _uphold_preview},
    take_over_previews={
        "pend": lambda request, appeal: confirm.pend_preview(request, noun="appeal")
    },
)


def _the_appeal_page(request, appeal_id: int, **_) -> str:
    return reverse("appeal", args=[appeal_id])


@require_POST
@role_required(*roles.REVIEWERS, come_back_to=_the_appeal_page)
def appeal_action(request, appeal_id: int, action: str):
    act = ACTIONS.get(action)
    if act is None:
        raise Http404("No such action.")
    appeal = _appeal_or_404(appeal_id)
    if action not in DECISIONS:
        act = _not_by_the_denier(act, appeal)  # the service refuses their decision itself
    return perform(request, APPEAL_PAGE, appeal_id, action, act)


def _not_by_the_denier(act, appeal: Appeal):
    def run(request, appeal_id: int) -> str:
        _refuse_the_denier(request.user, appeal)
        return act(request, appeal_id)

    return run


def _refuse_the_denier(user, appeal: Appeal) -> None:
    """The person who denied the request does not work its appeal either (take, pend…):
    it is decided, and prepared, by someone who was not involved (§10)."""
    if appeal.request.decision.decided_by_id == user.pk:
        raise errors.Forbidden(
            {"decision": errors.APPEAL_BY_DENIER.format(request_id=appeal.request_id)}
        )
