"""The reporting dashboard (docs/domain.md §11): the figures for a range, two charts, what
breaches next, and the figures and decision rows as CSV.

The figures are aggregates and "what breaches next" shows request and appeal numbers,
drugs and due times, never a member: the page is for policy admins too, who may not
open cases, so nothing on it is a PHI read. The decision rows download is recorded
(one member-less entry, see audit.record_report_download).
"""

from datetime import date, timedelta

from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from priorauth import charts, roles, selectors
from priorauth.audit import record_report_download
from priorauth.errors import ServiceError
from priorauth.metrics_csv import decision_lines, figures_lines
from priorauth.models import Urgency
from priorauth.selectors.dashboard import clock_hours

from .access import CASE_READERS, role_required
from .display import clock_label
from .forms import ReportRangeForm

# The same roles as GET /api/v1/metrics/ (api.permissions.MetricsReader).
REPORT_READERS = (*roles.REVIEWERS, roles.AUDITOR, roles.POLICY_ADMIN)
OUTCOMES = (
    ("approved", "Approved"),
    ("denied", "Denied"),
    ("withdrawn", "Withdrawn"),
    ("still_open", "Still open"),
)
URGENCIES = ((Urgency.STANDARD.value, "Standard"), (Urgency.EXPEDITED.value, "Expedited"))
CASE_PAGES = {"request": "case", "appeal": "appeal"}
QUICK_RANGES = ((7, "Last 7 days"), (30, "Last 30 days"), (90, "Last 90 days"))


def _checked_range(params) -> tuple[ReportRangeForm, dict | None]:
    form = ReportRangeForm(params)
    return form, (form.validated if form.is_valid() else None)


def _range_or_refuse(params) -> dict:
    """For the downloads: the checked range, or a 400 page with the range's messages."""
    form, checked = _checked_range(params)
    if checked is None:
        raise ServiceError({field: list(messages) for field, messages in form.errors.items()})
    return checked


def _query(start: date, end: date) -> str:
    return urlencode({"from": start.isoformat(), "to": end.isoformat()})


def _quick_links(today: date) -> list[tuple[str, str]]:
    links = [
        (label, _query(today - timedelta(days=days - 1), today)) for days, label in QUICK_RANGES
    ]
    links.append(("This year", _query(today.replace(month=1, day=1), today)))
    return links


@role_required(*REPORT_READERS)
def dashboard(request):
    form, checked = _checked_range(request.GET)
    if checked is None:
        # Bad input changes nothing: the dates again with their messages, and no figures.
        context, status = {"form": form}, 400
    else:
        context, status = _figures_context(**checked), 200
        context["form"] = ReportRangeForm(initial=_initial(checked))
    context["quick_links"] = _quick_links(timezone.localdate())
    context["due_next"] = _due_next_rows(request.user)
    return render(request, "priorauth/dashboard.html", context, status=status)


def _initial(checked: dict) -> dict:
    return {"from": checked["start"].isoformat(), "to": checked["end"].isoformat()}


def _figures_context(*, start: date, end: date) -> dict:
    report = selectors.metrics_report(start=start, end=end)
    return {
        "report": report,
        "tables": (
            ("Overall", (report.overall,)),
            ("By urgency", report.by_urgency),
            ("By policy", report.by_policy),
            ("By line of business", report.by_line_of_business),
        ),
        "volume": _volume_chart(selectors.daily_volume(start=start, end=end)),
        "turnaround": _turnaround_chart(selectors.turnaround_buckets(start=start, end=end)),
        "range_query": _query(start, end),
        "range_days": (end - start).days + 1,
    }


def _volume_chart(days) -> dict:
    names = [name for name, _ in OUTCOMES]
    counts = [{name: getattr(day, name) for name in names} for day in days]
    labels = [day.day.strftime("%b %-d") for day in days]
    return {
        "shapes": charts.stacked_bars(labels, names, counts),
        "series": OUTCOMES,
        "rows": [
            (day.day.isoformat(), [c[n] for n in names], sum(c.values()))
            for day, c in zip(days, counts, strict=True)
        ],
        "total": sum(sum(c.values()) for c in counts),
        "title": "Requests received per day, by outcome",
        "desc": (
            f"Stacked bars, one per day from {days[0].day} to {days[-1].day}: the requests "
            "received that day, split by their outcome now (approved, denied, withdrawn, "
            f"still open); {sum(sum(c.values()) for c in counts)} in all. The numbers are in "
            "the table below."
        ),
    }


def _turnaround_chart(buckets) -> dict:
    names = [name for name, _ in URGENCIES]
    clocks = clock_hours()
    markers = {
        index + 1: f"{label} clock {clocks[name]} h"
        for name, label in URGENCIES
        for index, bucket in enumerate(buckets)
        if bucket.up_to == clocks[name]
    }
    counts = [bucket.counts for bucket in buckets]
    return {
        "shapes": charts.stacked_bars([b.label for b in buckets], names, counts, markers=markers),
        "series": URGENCIES,
        "rows": [(b.label, [b.counts[n] for n in names], sum(b.counts.values())) for b in buckets],
        "total": sum(sum(c.values()) for c in counts),
        "title": "Hours from receipt to decision, against the clocks",
        "desc": (
            "Stacked bars, one per span of hours from receipt to decision, split into standard "
            "and expedited requests; dashed lines mark the clocks ("
            + ", ".join(f"{label.lower()} {clocks[name]} h" for name, label in URGENCIES)
            + "). A bar left of its clock's line was decided in time. The numbers are in the "
            "table below."
        ),
    }


def _due_next_rows(user) -> list[dict]:
    """Links to the cases only for those who may open them (policy admins may not)."""
    may_open = roles.has_role(user, *CASE_READERS)
    now = timezone.now()
    rows = []
    for item in selectors.due_next():
        url = reverse(CASE_PAGES[item.kind], args=[item.pk]) if may_open else None
        rows.append(
            {
                "item": item,
                "url": url,
                "overdue": item.due_at < now,
                "clock": clock_label(item.due_at, now),
            }
        )
    return rows


def _filename(kind: str, start: date, end: date) -> str:
    return f'attachment; filename="pa-{kind}-{start.isoformat()}-to-{end.isoformat()}.csv"'


@role_required(*REPORT_READERS)
def figures_csv(request):
    checked = _range_or_refuse(request.GET)
    report = selectors.metrics_report(**checked)
    response = HttpResponse("".join(figures_lines(report.groups())), content_type="text/csv")
    response["Content-Disposition"] = _filename("figures", checked["start"], checked["end"])
    return response


@role_required(*REPORT_READERS)
def decisions_csv(request):
    """Streamed: a year of requests is written as it is read. Recorded before the first
    line: the rows name requests a reader could follow to their members."""
    checked = _range_or_refuse(request.GET)
    record_report_download(request)
    lines = decision_lines(selectors.decision_rows(**checked))
    response = StreamingHttpResponse(lines, content_type="text/csv")
    response["Content-Disposition"] = _filename("decisions", checked["start"], checked["end"])
    return response
