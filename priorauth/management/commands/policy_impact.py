"""The policy impact report of a version, run here and now (ADR 0021, docs/domain.md §12)."""

import csv
import io
import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from policies.models import Policy
from priorauth import errors, services
from priorauth.selectors.impact import impact_members

CSV_HEADER = ("member_id", "claim_id", "date_of_service", "channel", "change")


class Command(BaseCommand):
    help = (
        "Replay the last --days days of claims of a policy's NDCs under the version of CODE "
        "starting on --effective-from and under the version it replaces, and write what "
        "would change: json is the report (summary and affected members), csv one row per "
        "changed claim. Writes the report; never a claim."
    )

    def add_arguments(self, parser):
        parser.add_argument("code", help="The policy's code, e.g. kesimpta-dqm.")
        parser.add_argument(
            "--effective-from", required=True, help="The version's first day, YYYY-MM-DD."
        )
        parser.add_argument("--days", type=int, default=None, help="Days to replay (90).")
        parser.add_argument("--format", choices=("csv", "json"), default="json")

    def handle(self, *args, **options):
        policy = _version(options["code"], options["effective_from"])
        try:
            report = services.impact_report_run_now(policy_id=policy.pk, days=options["days"])
        except errors.ServiceError as exc:
            raise CommandError(" ".join(f"--days: {m}" for m in exc.messages)) from None
        rows = impact_members(report).order_by("first_day", "member__member_id")
        if options["format"] == "json":
            self.stdout.write(json.dumps(_document(report, rows), indent=2))
        else:
            self.stdout.write(_csv(rows), ending="")


def _version(code: str, effective_from: str) -> Policy:
    try:
        starts = date.fromisoformat(effective_from)
    except ValueError:
        raise CommandError(
            f"--effective-from: {effective_from!r} is not a date (YYYY-MM-DD)."
        ) from None
    policy = Policy.objects.filter(code=code, effective_from=starts).first()
    if policy is None:
        raise CommandError(errors.IMPACT_NO_VERSION.format(code=code, effective_from=starts))
    return policy


def _document(report, rows) -> dict:
    old = report.compared_with
    return {
        "policy": report.policy.code,
        "version_from": report.policy.effective_from.isoformat(),
        "compared_with_version_from": old.effective_from.isoformat() if old else None,
        "first_day": report.first_day.isoformat(),
        "last_day": report.last_day.isoformat(),
        "status": report.status,
        "summary": report.summary,
        "members": [
            {
                "member_id": row.member.member_id,
                "now_rejected": row.now_rejected,
                "now_paid": row.now_paid,
                "claims": row.claims,
            }
            for row in rows
        ],
    }


def _csv(rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for row in rows:
        for claim_id, day, channel, change in row.claims:
            writer.writerow((row.member.member_id, claim_id, day, channel, change))
    return out.getvalue()
