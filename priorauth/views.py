"""Server-rendered pages: the work queue, the case page, decisions, notices, overrides.

Every page needs a login; each view names the roles it serves (403 for others).
Views read through selectors and write through services, nothing else.
"""

import functools
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from policies import rules
from policies.models import Policy

from . import evidence, roles, selectors, services
from .audit import record_phi_access
from .errors import ServiceError
from .forms import OverrideRequestForm
from .models import (
    OPEN_REQUEST_STATUSES,
    DecisionOutcome,
    Member,
    Override,
    OverrideRequest,
    PHIAccess,
    Urgency,
)

QUEUE_PAGE_SIZE = 25
EXPIRING_SOON_DAYS = 7

REVIEWERS = (roles.CLINICAL_PHARMACIST, roles.AUDITOR)


def role_required(*allowed: str):
    """Log in first; then the user must hold one of the roles, or gets 403."""

    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not roles.has_role(request.user, *allowed):
                raise PermissionDenied(f"This page needs the role {' or '.join(allowed)}.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


@login_required
def home(request):
    user = request.user
    if roles.has_role(user, *REVIEWERS):
        return redirect("queue")
    if roles.has_role(user, roles.INTAKE):
        return redirect("my-requests")
    if roles.has_role(user, roles.POLICY_ADMIN) and user.is_staff:
        return redirect("admin:policies_policy_changelist")
    user_roles = [role for role in roles.ALL_ROLES if roles.has_role(user, role)]
    return render(request, "home.html", {"user_roles": user_roles})


# --- Time left on the regulatory clock ---------------------------------------------


def clock_label(due_at, now) -> str:
    """ "Overdue by 3 h 10 min" or "1 d 4 h left": status in words, not colour alone."""
    delta = due_at - now
    overdue = delta.total_seconds() < 0
    minutes = int(abs(delta.total_seconds()) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        text = f"{days} d {hours} h"
    elif hours:
        text = f"{hours} h {minutes} min"
    else:
        text = f"{minutes} min"
    return f"Overdue by {text}" if overdue else f"{text} left"


# --- Work queue ------------------------------------------------------------------------


class CountedPaginator(Paginator):
    """Counts a plain queryset and shows a detailed one.

    Counting the detailed queryset would keep its joins; with 100,000 open requests
    that count was most of the page's time (docs/benchmarks.md).
    """

    def __init__(self, object_list, per_page, *, count_from):
        super().__init__(object_list, per_page)
        self._count_from = count_from

    @cached_property
    def count(self) -> int:
        return self._count_from.count()


@role_required(*REVIEWERS)
def queue(request):
    params = request.GET
    requests = selectors.work_queue(
        user=request.user,
        status=params.get("status", "") if params.get("status") in OPEN_REQUEST_STATUSES else "",
        urgency=params.get("urgency", "") if params.get("urgency") in Urgency.values else "",
        policy_code=params.get("policy", ""),
        mine=params.get("mine") == "1",
        search=params.get("q", ""),
    )
    page = CountedPaginator(
        selectors.with_queue_details(requests), QUEUE_PAGE_SIZE, count_from=requests
    ).get_page(params.get("page"))
    now = timezone.now()
    rows = [
        {"request": r, "overdue": r.due_at < now, "clock": clock_label(r.due_at, now)}
        for r in page.object_list
    ]
    filters = params.copy()
    filters.pop("page", None)
    return render(
        request,
        "priorauth/queue.html",
        {
            "page": page,
            "rows": rows,
            "filters": params,
            "filter_query": filters.urlencode(),
            "statuses": [(s.value, s.label) for s in OPEN_REQUEST_STATUSES],
            "urgencies": Urgency.choices,
            "policies": Policy.objects.order_by("title").values_list("code", "title").distinct(),
            "can_decide": roles.has_role(request.user, roles.CLINICAL_PHARMACIST),
        },
    )


# --- Case page ----------------------------------------------------------------------------


def _case_or_404(request_id: int) -> OverrideRequest:
    case = selectors.case_request(request_id)
    if case is None:
        raise Http404("No such request.")
    return case


def _case_context(request, case: OverrideRequest) -> dict:
    today = timezone.localdate()
    policy = case.policy
    limits, criteria = selectors.policy_rules(policy)
    channel_limit = next((lim for lim in limits if lim.channel == case.prescription.channel), None)
    history_days = settings.PRIORAUTH_HISTORY_DAYS
    claims = list(
        selectors.claim_history(
            member=case.member,
            policy_code=policy.code,
            since=today - timedelta(days=history_days),
        )
    )
    unit = policy.products.values_list("unit", flat=True).first() or "unit"
    limit = (
        rules.Limit(channel_limit.max_quantity, channel_limit.per_days) if channel_limit else None
    )
    overrides = list(selectors.member_overrides(member=case.member, policy_code=policy.code))
    now = timezone.now()
    return {
        "case": case,
        "member": case.member,
        "prescription": case.prescription,
        "policy": policy,
        "limits": limits,
        "criteria": criteria,
        "claims": claims,
        "unit": unit,
        "history_days": history_days,
        "evidence": evidence.assess(
            claims=claims,
            limit=limit,
            policy_per_days=[lim.per_days for lim in limits],
            criteria=[(c.number, c.label) for c in criteria],
            unit=unit,
            today=today,
            history_days=history_days,
        ),
        "overrides": [(o, o.status_on(today), o.days_left(today)) for o in overrides],
        "history": selectors.request_history(case),
        "today": today,
        "clock": clock_label(case.due_at, now),
        "overdue": case.is_overdue(now),
        "can_decide": roles.has_role(request.user, roles.CLINICAL_PHARMACIST) and case.is_open,
        "default_criterion": (case.attested_criterion.number if case.attested_criterion else None),
        "default_deny_reason": policy.otherwise,
    }


@role_required(*REVIEWERS)
def case_page(request, request_id: int):
    case = _case_or_404(request_id)
    record_phi_access(request, case.member, "case page view")
    return render(request, "priorauth/case.html", _case_context(request, case))


def _act(action: str, request, request_id: int):
    """Run one reviewer action through its service; return the message for the reviewer."""
    data = request.POST
    user = request.user
    if action == "take":
        services.override_request_take(request_id=request_id, by=user)
        return "You have taken this request."
    if action == "release":
        services.override_request_release(request_id=request_id, by=user)
        return "Released back to the queue."
    if action == "pend":
        services.override_request_pend(
            request_id=request_id, reason=data.get("reason", ""), by=user
        )
        return "Pended for more information."
    if action == "answer":
        services.override_request_answer(
            request_id=request_id, notes=data.get("notes", ""), by=user
        )
        return "Information recorded; the request is back in the queue."
    if action == "approve":
        number = data.get("criterion_number") or None
        result = services.override_request_decide(
            request_id=request_id,
            outcome=DecisionOutcome.APPROVE,
            criterion_number=int(number) if number and number.isdigit() else number,
            by=user,
        )
        override = result.override
        return (
            f"Approved. Override {override.authorization_number} is in force from "
            f"{override.starts_on} to {override.ends_on}."
        )
    if action == "deny":
        services.override_request_decide(
            request_id=request_id,
            outcome=DecisionOutcome.DENY,
            reason=data.get("reason", ""),
            by=user,
        )
        return "Denied. The determination notice is ready to print."
    raise Http404("No such action.")


@require_POST
@role_required(roles.CLINICAL_PHARMACIST)
def case_action(request, request_id: int, action: str):
    _case_or_404(request_id)
    try:
        message = _act(action, request, request_id)
    except ServiceError as error:
        # Show the case as it is now (someone else may have decided it), with the reason.
        case = _case_or_404(request_id)
        context = _case_context(request, case)
        context.update(
            {"action_errors": error.errors, "failed_action": action, "posted": request.POST}
        )
        return render(request, "priorauth/case.html", context, status=error.status_code)
    messages.success(request, message)
    if action == "release":
        return redirect("queue")
    return redirect("case", request_id=request_id)


# --- Determination notice -------------------------------------------------------------


def _may_see_notice(user, case: OverrideRequest) -> bool:
    if roles.has_role(user, *REVIEWERS):
        return True
    return roles.has_role(user, roles.INTAKE) and case.submitted_by_id == user.pk


@login_required
def notice(request, request_id: int):
    case = _case_or_404(request_id)
    if not _may_see_notice(request.user, case):
        raise PermissionDenied("You may see notices of your own submissions only.")
    decision = getattr(case, "decision", None)
    if decision is None:
        raise Http404("This request has not been decided yet.")
    record_phi_access(request, case.member, "determination notice view")
    override = getattr(case, "override", None)
    criteria = list(case.policy.criteria.all())
    return render(
        request,
        "priorauth/notice.html",
        {
            "case": case,
            "decision": decision,
            "override": override,
            "allowances": list(override.allowances.all()) if override else [],
            "applied_criteria": [decision.criterion] if decision.criterion else criteria,
            "appeal_days": settings.PRIORAUTH_APPEAL_DAYS,
            "appeal_standard_hours": settings.PRIORAUTH_APPEAL_STANDARD_HOURS,
            "appeal_expedited_hours": settings.PRIORAUTH_APPEAL_EXPEDITED_HOURS,
        },
    )


# --- Intake -----------------------------------------------------------------------------


@role_required(roles.INTAKE)
def request_new(request):
    form = OverrideRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.override_request_submit(submitted_by=request.user, **form.validated)
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                f"Request {created.pk} received; due by "
                f"{timezone.localtime(created.due_at):%Y-%m-%d %H:%M %Z}.",
            )
            return redirect("my-requests")
    return render(
        request, "priorauth/request_new.html", {"form": form}, status=400 if form.errors else 200
    )


@role_required(roles.INTAKE)
def my_requests(request):
    mine = (
        OverrideRequest.objects.filter(submitted_by=request.user)
        .select_related("member", "policy", "decision", "override")
        .order_by("-received_at")
    )
    page = Paginator(mine, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "priorauth/my_requests.html", {"page": page})


# --- Members --------------------------------------------------------------------------------


@role_required(*REVIEWERS)
def member_page(request, member_id: str):
    member = Member.objects.filter(member_id=member_id).first()
    if member is None:
        raise Http404("No such member.")
    record_phi_access(request, member, "member page view")
    today = timezone.localdate()
    since = today - timedelta(days=settings.PRIORAUTH_HISTORY_DAYS)
    return render(
        request,
        "priorauth/member.html",
        {
            "member": member,
            "requests": member.override_requests.select_related("policy").order_by("-received_at"),
            "overrides": [
                (o, o.status_on(today)) for o in selectors.member_overrides(member=member)
            ],
            "claims": member.claims.filter(date_of_service__gte=since).select_related("override"),
            "today": today,
        },
    )


# --- Overrides ------------------------------------------------------------------------------


@role_required(*REVIEWERS)
def overrides_page(request):
    today = timezone.localdate()
    base = Override.objects.select_related("member", "criterion", "request").prefetch_related(
        "allowances"
    )
    active = [
        (o, o.days_left(today), o.days_left(today) <= EXPIRING_SOON_DAYS)
        for o in base.effective(today).order_by("ends_on", "id")
    ]
    ended = Paginator(
        base.exclude(pk__in=[o.pk for o, _, _ in active]).order_by("-ends_on", "-id"),
        QUEUE_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "priorauth/overrides.html",
        {
            "active": active,
            "ended": [(o, o.status_on(today)) for o in ended.object_list],
            "ended_page": ended,
            "today": today,
            "soon_days": EXPIRING_SOON_DAYS,
            "can_revoke": roles.has_role(request.user, roles.CLINICAL_PHARMACIST),
        },
    )


@require_POST
@role_required(roles.CLINICAL_PHARMACIST)
def override_revoke(request, override_id: int):
    try:
        revoked = services.override_revoke(
            override_id=override_id, reason=request.POST.get("reason", ""), by=request.user
        )
    except ServiceError as error:
        for messages_ in error.errors.values():
            for message in messages_:
                messages.error(request, message)
    else:
        messages.success(request, f"Override {revoked.authorization_number} revoked.")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("overrides")
    return redirect(target)


# --- PHI access log -------------------------------------------------------------------------


@role_required(roles.AUDITOR)
def access_log(request):
    entries = PHIAccess.objects.select_related("user", "member").order_by("-at", "-id")
    member_id = request.GET.get("member", "").strip()
    username = request.GET.get("user", "").strip()
    if member_id:
        entries = entries.filter(member__member_id__iexact=member_id)
    if username:
        entries = entries.filter(user__username__iexact=username)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "priorauth/access_log.html",
        {"page": page, "member_id": member_id, "username": username},
    )
