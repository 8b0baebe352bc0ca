"""Policy impact: replay 90 days of claims for one policy under a draft version (issue 15).

    BENCH_DATABASE_URL=postgres://.../priorauth_bench15 .venv/bin/python -m benchmarks impact

On the claims benchmark's data (100,000 members, 1,000,000 claims; quick: 10,000 and
100,000): a draft of Kesimpta from tomorrow with its retail limit at 1 pen per 30 days
(which the data's 28-day pens break, so nearly every replayed claim changes: the worst
case for the rows written), replayed synchronously as `manage.py policy_impact` runs it.
Target: at most 60 s, with memory that does not grow with the members (the peak RSS,
from resource.getrusage, is reported before and after, for both sizes when both ran).
"""

import resource
import time
from datetime import timedelta

from benchmarks import harness
from benchmarks.report import last_run_note, publish, say, table, verdict

SECTION = "impact"
TARGET_SECONDS = 60.0
DAYS = 90


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run(args, bench: harness.Bench) -> None:
    from django.utils import timezone

    from benchmarks.claims import prepare_data
    from policies.models import QuantityLimit
    from policies.services import policy_version_discard, policy_version_prepare
    from priorauth import services
    from priorauth.models import Claim, ImpactReport

    today = timezone.localdate()
    say(f"impact: replay {DAYS} days under a draft of Kesimpta")
    prepare_data(args, bench.policy, today)
    draft = policy_version_prepare(
        policy_id=bench.policy.pk,
        effective_from=today + timedelta(days=1),
        reason="impact benchmark",
        today=today,
    ).policy
    QuantityLimit.objects.filter(policy=draft, channel="retail").update(per_days=30)
    busy = harness.machine_busy()
    rss_before = peak_rss_mib()
    started = time.perf_counter()
    report = services.impact_report_run_now(policy_id=draft.pk, days=DAYS, today=today)
    seconds = time.perf_counter() - started
    rss_after = peak_rss_mib()
    summary = report.summary
    claims_total = Claim.objects.count()
    affected_rows = report.members.count()
    mark = verdict(seconds <= TARGET_SECONDS and report.status == "done")
    say(
        f"  {report.members_done:,} members, {summary.get('claims_replayed', 0):,} claims replayed "
        f"in {seconds:.1f} s ({summary.get('now_rejected', 0):,} now rejected, "
        f"{affected_rows:,} member rows); peak RSS {rss_before:.0f} -> {rss_after:.0f} MiB; "
        f"machine busy {busy:.0f}% before: {mark}"
    )
    ImpactReport.objects.filter(pk=report.pk).delete()
    policy_version_discard(policy_id=draft.pk, today=today)
    rows = [
        [
            f"{args.size.members:,}",
            f"{claims_total:,}",
            f"{report.members_done:,}",
            f"{summary.get('claims_replayed', 0):,}",
            f"{summary.get('now_rejected', 0):,}",
            f"{seconds:.1f}",
            f"{rss_before:.0f} → {rss_after:.0f}",
        ]
    ]
    about = last_run_note(harness.postgres_info()["server_version"])
    publish(SECTION, section(about, rows, mark, busy), skipped_because=args.docs_skipped_because)


def section(about: str, rows: list[list[str]], mark: str, busy: float) -> str:
    return (
        "## Policy impact replay\n\n"
        + about
        + f"`services.impact_report_run_now` (what `manage.py policy_impact` runs) over the "
        f"last {DAYS} days, for a draft of Kesimpta with its retail limit at 1 pen per 30 "
        "days: every member's claims of the policy's NDCs read in one ordered stream "
        "(`.iterator(chunk_size=5000)`), replayed under the old and the new version, the "
        "affected members written in batches of 1,000. The data's 28-day pens break the "
        "new rate, so nearly every replayed claim changes (the most rows to write). "
        f"The machine was shared: {busy:.0f}% busy just before the replay.\n\n"
        + table(
            [
                "members",
                "claims in the database",
                "members replayed",
                "claims replayed",
                "paid, now rejected",
                "seconds",
                "peak RSS MiB (before → after)",
            ],
            rows,
        )
        + f"\n\nTarget: at most {TARGET_SECONDS:g} s on PostgreSQL: **{mark}**. Memory: the "
        "peak RSS after the replay is what the process held before it plus one chunk of "
        "rows and one member's claims; it does not grow with the members.\n"
    )
