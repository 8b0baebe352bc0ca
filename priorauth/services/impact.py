"""Writes for policy impact reports (ADR 0021): request one, run it, cancel it.

Running a report reads claims and overrides and writes only the report and its
affected-member rows: it never writes a claim, an override or a member.
"""

import logging
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from policies.impact import (
    CHANGE_NOW_PAID,
    CHANGE_NOW_REJECTED,
    Tally,
    compare_member,
    rule_fingerprint,
)
from policies.models import Policy
from priorauth import errors
from priorauth.models import ImpactMember, ImpactReport, ImpactStatus
from priorauth.selectors.impact import ReplayScope, version_replaced_by, version_rule

logger = logging.getLogger(__name__)

MAX_DAYS = 730
ROWS_PER_WRITE = 1000


def impact_report_request(
    *, policy_id: int, days: int | None = None, by=None, today: date | None = None
) -> ImpactReport:
    """A queued report for a version; the caller starts the task (after commit)."""
    days = settings.PRIORAUTH_IMPACT_DAYS if days is None else days
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise errors.ServiceError({"days": errors.IMPACT_DAYS.format(most=MAX_DAYS)})
    policy = Policy.objects.filter(pk=policy_id).first()
    if policy is None:
        raise errors.NotFound({"policy_id": errors.UNKNOWN_POLICY.format(policy_id=policy_id)})
    today = today or timezone.localdate()
    return ImpactReport.objects.create(
        policy=policy,
        compared_with=version_replaced_by(policy),
        requested_by=by,
        days=days,
        first_day=today - timedelta(days=days - 1),
        last_day=today,
        fingerprint=rule_fingerprint(version_rule(policy)),
    )


def impact_report_cancel(*, report_id: int) -> ImpactReport:
    """Ask a queued or running report to stop; it stops between members."""
    report = ImpactReport.objects.filter(pk=report_id).first()
    if report is None:
        raise errors.NotFound({"report_id": errors.UNKNOWN_IMPACT_REPORT.format(id=report_id)})
    with transaction.atomic():
        ImpactReport.objects.filter(pk=report_id).update(cancel_requested=True)
        # A report no worker has picked up yet is cancelled at once.
        if ImpactReport.objects.filter(pk=report_id, status=ImpactStatus.QUEUED).update(
            status=ImpactStatus.CANCELLED, finished_at=timezone.now()
        ):
            _history(report_id, "cancelled before it started")
    report.refresh_from_db()
    return report


def impact_report_run(*, report_id: int, progress_every: int | None = None) -> ImpactReport:
    """Replay the report's period under the version it replaces and under the version.

    Idempotent: a finished report is left as it is; a report found running (its worker
    died and the task was delivered again) starts over, its rows written anew.
    """
    every = progress_every or settings.PRIORAUTH_IMPACT_PROGRESS_EVERY
    report = ImpactReport.objects.select_related("policy", "compared_with").get(pk=report_id)
    if report.finished:
        return report
    if report.cancel_requested:
        _finish(report, ImpactStatus.CANCELLED)
        return report
    ImpactReport.objects.filter(pk=report.pk).update(status=ImpactStatus.RUNNING)
    report.status = ImpactStatus.RUNNING
    _history(report.pk, "replay started")
    try:
        return _replay(report, every)
    except Exception as exc:
        logger.exception("impact report %s failed", report.pk)
        report.error = f"{type(exc).__name__}: {exc}"
        _finish(report, ImpactStatus.FAILED)
        raise


def _replay(report: ImpactReport, every: int) -> ImpactReport:
    old, new = version_rule(report.compared_with), version_rule(report.policy)
    scope = ReplayScope(
        policy_code=report.policy.code,
        lines_of_business=tuple(sorted({r.line_of_business for r in (old, new) if r.ndcs})),
        first_day=report.first_day,
        last_day=report.last_day,
    )
    ImpactMember.objects.filter(report=report).delete()  # a run delivered again starts over
    report.members_total = scope.member_count()
    report.members_done = 0
    _save_progress(report)
    tally, rows = Tally(), []
    for member_pk, line, claims, overrides in scope.members():
        impact = compare_member(claims, overrides, old=old, new=new, line_of_business=line)
        tally.add(impact, sum(1 for c in claims if c.counted))
        if impact.affected:
            rows.append(_member_row(report, member_pk, impact))
        if len(rows) >= ROWS_PER_WRITE:
            ImpactMember.objects.bulk_create(rows)
            rows = []
        report.members_done = tally.members_replayed
        if report.members_done % every == 0:
            _save_progress(report)
            if _cancel_requested(report):
                ImpactMember.objects.filter(report=report).delete()
                _finish(report, ImpactStatus.CANCELLED)
                return report
    ImpactMember.objects.bulk_create(rows)
    report.summary = tally.summary(_days(report.first_day, report.last_day))
    _finish(report, ImpactStatus.DONE)
    return report


def _member_row(report: ImpactReport, member_pk: int, impact) -> ImpactMember:
    return ImpactMember(
        report=report,
        member_id=member_pk,
        now_rejected=impact.count(CHANGE_NOW_REJECTED),
        now_paid=impact.count(CHANGE_NOW_PAID),
        first_day=min(day for _, day, _, _ in impact.changes),
        claims=[
            [ref, day.isoformat(), channel, kind] for ref, day, channel, kind in impact.changes
        ],
    )


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _save_progress(report: ImpactReport) -> None:
    ImpactReport.objects.filter(pk=report.pk).update(
        members_done=report.members_done, members_total=report.members_total
    )


def _cancel_requested(report: ImpactReport) -> bool:
    return ImpactReport.objects.filter(pk=report.pk, cancel_requested=True).exists()


def _finish(report: ImpactReport, status: str) -> None:
    report.status = status
    report.finished_at = timezone.now()
    report.save(
        update_fields=[
            "status",
            "finished_at",
            "summary",
            "error",
            "members_done",
            "members_total",
        ]
    )
    _history(report.pk, status)


def _history(report_id: int, reason: str) -> None:
    report = ImpactReport.objects.get(pk=report_id)
    ImpactReport.history.bulk_history_create([report], update=True, default_change_reason=reason)


def impact_report_run_now(
    *, policy_id: int, days: int | None = None, by=None, today: date | None = None
) -> ImpactReport:
    """Request and run a report in this process (the command)."""
    report = impact_report_request(policy_id=policy_id, days=days, by=by, today=today)
    return impact_report_run(report_id=report.pk)
