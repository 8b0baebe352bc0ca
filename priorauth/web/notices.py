"""The member notices: the determination notice of a request and the notice of an appeal's
decision, as a page to print and as a PDF download of the same page (notice_pdf.py).

What each says: the plan and how to reach it, the member, the prescriber, the drug and
quantities in the policy's unit, what was decided and by whom (full name and role, or the
system), and where and how to appeal. The plan's details come from settings
(PRIORAUTH_PLAN_*, PRIORAUTH_APPEALS_*). Every view, page or PDF, is a PHI read.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from policies import selectors as policy_selectors
from policies.rules import describe_quantity
from priorauth import roles, selectors
from priorauth.audit import record_phi_access
from priorauth.models import AppealOutcome, OverrideRequest

from .access import CASE_READERS
from .appeal_filing import appeal_state
from .casefile import case_or_404
from .notice_pdf import notice_pdf

PHARMACIST_ROLE = "Clinical pharmacist"  # only pharmacists decide requests (§6)
SYSTEM_DECIDER = "the system, automatically (the real-time determination)"


def plan_contact() -> dict:
    return {
        "name": settings.PRIORAUTH_PLAN_NAME,
        "phone": settings.PRIORAUTH_PLAN_PHONE,
        "hours": settings.PRIORAUTH_PLAN_HOURS,
        "appeals_address": [
            line.strip() for line in settings.PRIORAUTH_APPEALS_ADDRESS.split("|") if line.strip()
        ],
        "appeals_fax": settings.PRIORAUTH_APPEALS_FAX,
    }


def person(user) -> str:
    """A decider by name, as a member reads it (the username only if no name is on file)."""
    return user.get_full_name() or user.get_username()


def _quantities(case: OverrideRequest) -> dict:
    unit = policy_selectors.policy_unit(case.policy)
    override = getattr(case, "override", None)
    allowances = list(override.allowances.all()) if override else []
    return {
        "requested": describe_quantity(case.prescription.quantity, unit),
        "allowances": [
            {
                "channel": a.get_channel_display(),
                "quantity": describe_quantity(a.max_quantity, unit),
                "per_days": a.per_days,
            }
            for a in allowances
        ],
    }


def _may_see(user, submitted_by_id: int | None) -> bool:
    if roles.has_role(user, *CASE_READERS):
        return True
    return roles.has_role(user, roles.INTAKE) and submitted_by_id == user.pk


# --- A request's determination notice --------------------------------------------------


def _request_notice(request, request_id: int) -> dict:
    case = case_or_404(request_id)
    if not _may_see(request.user, case.submitted_by_id):
        raise PermissionDenied("You may see notices of your own submissions only.")
    decision = getattr(case, "decision", None)
    if decision is None:
        raise Http404("This request has not been decided yet.")
    prefetch_related_objects([case], "appeals__decision")
    appeal = appeal_state(case, timezone.localdate())
    return {
        "case": case,
        "decision": decision,
        "decider": SYSTEM_DECIDER
        if decision.automatic
        else f"{person(decision.decided_by)}, {PHARMACIST_ROLE}",
        "override": getattr(case, "override", None),
        **_quantities(case),
        "applied_criteria": [decision.criterion]
        if decision.criterion
        else list(case.policy.criteria.all()),
        "plan": plan_contact(),
        "appeal_days": settings.PRIORAUTH_APPEAL_DAYS,
        "appeal_standard_hours": settings.PRIORAUTH_APPEAL_STANDARD_HOURS,
        "appeal_expedited_hours": settings.PRIORAUTH_APPEAL_EXPEDITED_HOURS,
        "appeal": appeal,
        # Intake files from here too, for its own request (the form checks it again).
        "may_file": appeal.can_file
        and roles.has_role(request.user, roles.INTAKE)
        and case.submitted_by_id == request.user.pk,
    }


@login_required
def notice(request, request_id: int):
    context = _request_notice(request, request_id)
    record_phi_access(request, context["case"].member, "determination notice view")
    return render(request, "priorauth/notice.html", context)


@login_required
def notice_download(request, request_id: int):
    context = _request_notice(request, request_id)
    record_phi_access(request, context["case"].member, "determination notice PDF download")
    return _pdf(
        request,
        "priorauth/notice.html",
        context,
        title=f"Coverage determination notice, request {request_id}",
        filename=f"determination-notice-request-{request_id}.pdf",
    )


# --- An appeal's notice -----------------------------------------------------------------


def _appeal_notice(request, appeal_id: int) -> dict:
    appeal = selectors.appeal_case(appeal_id)
    if appeal is None:
        raise Http404("No such appeal.")
    case = case_or_404(appeal.request_id)
    if not _may_see(request.user, appeal.request.submitted_by_id):
        raise PermissionDenied("You may see notices of your own submissions only.")
    decision = getattr(appeal, "decision", None)
    if decision is None:
        raise Http404("This appeal has not been decided yet.")
    overturned = decision.outcome == AppealOutcome.OVERTURN
    override = case.override if overturned else None
    quantities = _quantities(case)
    return {
        "appeal": appeal,
        "case": case,
        "decision": decision,
        "decider": f"{person(decision.decided_by)}, {decision.decided_role}",
        "denier": f"{person(case.decision.decided_by)}, {PHARMACIST_ROLE}",
        "override": override,
        "requested": quantities["requested"],
        "authorized": [
            f"{a['quantity']} per {a['per_days']} days at {a['channel']}"
            for a in quantities["allowances"]
        ]
        if override
        else [],
        "applied_criteria": [decision.criterion]
        if decision.criterion
        else list(case.policy.criteria.all()),
        "next_level": settings.PRIORAUTH_NEXT_APPEAL_LEVEL.get(appeal.member.line_of_business),
        "plan": plan_contact(),
    }


@login_required
def appeal_notice(request, appeal_id: int):
    context = _appeal_notice(request, appeal_id)
    record_phi_access(request, context["appeal"].member, "appeal notice view")
    return render(request, "priorauth/appeal_notice.html", context)


@login_required
def appeal_notice_download(request, appeal_id: int):
    context = _appeal_notice(request, appeal_id)
    record_phi_access(request, context["appeal"].member, "appeal notice PDF download")
    return _pdf(
        request,
        "priorauth/appeal_notice.html",
        context,
        title=f"Appeal decision notice, appeal {appeal_id}",
        filename=f"appeal-notice-{appeal_id}.pdf",
    )


def _pdf(request, template: str, context: dict, *, title: str, filename: str) -> HttpResponse:
    """The page as printed, laid out as a PDF. The file name and the document's title
    name the request or appeal by number only: no member in them (they outlive the page)."""
    html = render_to_string(template, context, request=request)
    body = notice_pdf(html, title=title, author=settings.PRIORAUTH_PLAN_NAME)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
