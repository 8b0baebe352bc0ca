"""Policy impact pages (ADR 0021, docs/domain.md §12): start a replay of a version, follow
its progress, read its summary, chart and affected members.

Policy admins start replays and read the figures; the list of affected members is a PHI
read, shown (and recorded) only to the roles that read members: reviewers and auditors.
Policy admins may not see members (priorauth.roles), so they get the counts only.
"""

from datetime import date

from django.contrib.auth.decorators import login_required, permission_required
from django.db import transaction
from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from policies.impact import CHANGE_NOW_PAID, CHANGE_NOW_REJECTED
from policies.models import Channel, Policy
from priorauth import charts, roles, services
from priorauth.audit import record_phi_access_many
from priorauth.errors import ServiceError
from priorauth.models import ImpactReport
from priorauth.selectors.impact import impact_members

from .access import CASE_READERS
from .display import page_of

can_view_policies = permission_required("policies.view_policy", raise_exception=True)
can_change_policies = permission_required("policies.change_policy", raise_exception=True)
MEMBERS_PER_PAGE = 25
SERIES = ((CHANGE_NOW_REJECTED, "Paid, now rejected"), (CHANGE_NOW_PAID, "Rejected, now paid"))


def may_see_members(user) -> bool:
    return roles.has_role(user, *CASE_READERS)


@login_required
@can_change_policies
def impact_start(request, policy_id: int):
    """POST: queue a replay of the version and go to its page (a GET goes to the page of
    the latest replay, or back to the version)."""
    policy = get_object_or_404(Policy, pk=policy_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        report = services.impact_report_request(
            policy_id=policy.pk, days=_days(request.POST.get("days")), by=request.user
        )
    except ServiceError as exc:
        return render(
            request,
            "refused.html",
            {"status_code": 400, "messages_list": exc.messages},
            status=400,
        )
    _start(report)
    return redirect("impact-report", report_id=report.pk)


def _days(value: str | None) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        return -1  # the service says what is wrong with it


def _start(report: ImpactReport) -> None:
    from priorauth.tasks import run_impact_report

    # After the commit, or the worker may look for the report before it exists.
    transaction.on_commit(lambda: run_impact_report.delay(report.pk))


@login_required
@can_view_policies
def impact_report(request, report_id: int):
    report = get_object_or_404(
        ImpactReport.objects.select_related("policy", "compared_with", "requested_by"),
        pk=report_id,
    )
    context = {
        "report": report,
        "policy": report.policy,
        "can_start": request.user.has_perm("policies.change_policy"),
        "may_see_members": may_see_members(request.user),
        "progress_percent": _percent(report),
    }
    if report.status == "done":
        context["chart"] = _daily_chart(report)
        context["channels"] = _channels(report)
        if context["may_see_members"]:
            page = page_of(_member_rows(report), request, MEMBERS_PER_PAGE)
            record_phi_access_many(request, [row.member for row in page], "impact report")
            context["page"] = page
    return render(request, "priorauth/impact_report.html", context)


def _member_rows(report: ImpactReport):
    return impact_members(report).order_by("first_day", "member__member_id")


def _percent(report: ImpactReport) -> int:
    if report.status == "done":
        return 100
    return (100 * report.members_done // report.members_total) if report.members_total else 0


def _channels(report: ImpactReport) -> list[tuple[str, int, int]]:
    by_channel = report.summary.get("by_channel", {})
    return [
        (label, counts[CHANGE_NOW_REJECTED], counts[CHANGE_NOW_PAID])
        for channel, label in Channel.choices
        if (counts := by_channel.get(channel))
    ]


def _daily_chart(report: ImpactReport) -> dict:
    days = report.summary.get("daily", [])
    names = [name for name, _ in SERIES]
    counts = [{name: day[name] for name in names} for day in days]
    labels = [date.fromisoformat(day["day"]).strftime("%b %-d") for day in days]
    total = sum(sum(c.values()) for c in counts)
    return {
        "shapes": charts.stacked_bars(labels, names, counts),
        "series": SERIES,
        "rows": [
            (day["day"], [c[n] for n in names], sum(c.values()))
            for day, c in zip(days, counts, strict=True)
        ],
        "total": total,
        "title": "Claims whose outcome would change, per day of service",
        "desc": (
            f"Stacked bars, one per day from {report.first_day} to {report.last_day}: the "
            "claims of that day the new version would decide otherwise, paid claims it would "
            f"reject and rejected claims it would pay; {total} in all. The numbers are in the "
            "table below."
        ),
    }


@login_required
@can_view_policies
def impact_status(request, report_id: int):
    """What the page's poller reads (static/priorauth/impact.js)."""
    report = get_object_or_404(ImpactReport, pk=report_id)
    return JsonResponse(
        {
            "status": report.status,
            "finished": report.finished,
            "members_done": report.members_done,
            "members_total": report.members_total,
            "percent": _percent(report),
        }
    )


@login_required
@can_change_policies
@require_POST
def impact_cancel(request, report_id: int):
    report = get_object_or_404(ImpactReport, pk=report_id)
    services.impact_report_cancel(report_id=report.pk)
    return redirect(reverse("impact-report", args=[report.pk]))
