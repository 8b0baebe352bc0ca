"""The override expiry: `services.overrides_expire` on 100,000 overrides past their end
(quick: 10,000), with a history row each; target: at most 30 s.

    .venv/bin/python -m benchmarks expiry [--quick]

Needs the members the claims benchmark builds.
"""

import time

from benchmarks import harness
from benchmarks.report import last_run_note, publish, say, table, verdict

SECTION = "expiry"
TARGET_SECONDS = 30.0  # the first run over all the overrides, at most
FULL_OVERRIDES = 100_000
QUICK_OVERRIDES = 10_000  # the quick data set has 10,000 members


def run(args, bench: harness.Bench) -> None:
    from benchmarks import override_data
    from priorauth import services
    from priorauth.models import Override

    overrides = QUICK_OVERRIDES if args.quick else FULL_OVERRIDES
    about = last_run_note(harness.postgres_info()["server_version"])
    say(f"expiry: {overrides:,} active overrides past their end")
    override_data.add_overrides_past_end(overrides)
    override_data.analyze("priorauth_override")
    history_before = Override.history.count()
    changed, seconds = timed(services.overrides_expire)
    history_rows = Override.history.count() - history_before
    # A second run finds nothing left: what the beat task costs on most ticks.
    again, again_seconds = timed(services.overrides_expire)
    mark = verdict(seconds <= TARGET_SECONDS and changed == overrides)
    say(
        f"  expired {changed:,} in {seconds:.1f} s ({history_rows:,} history rows); "
        f"second run {again} in {again_seconds:.2f} s: {mark}"
    )
    override_data.remove_bench_rows()
    rows = [
        ["first", f"{changed:,}", f"{history_rows:,}", f"{seconds:.1f}"],
        ["second (nothing left)", f"{again:,}", "0", f"{again_seconds:.2f}"],
    ]
    publish(
        SECTION, section(about, overrides, rows, mark), skipped_because=args.docs_skipped_because
    )


def timed(fn) -> tuple[object, float]:
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def section(about: str, overrides: int, rows: list[list[str]], mark: str) -> str:
    return (
        "## Override expiry\n\n"
        + about
        + "`services.overrides_expire()` (what the beat task and `manage.py expire_overrides` "
        f"run) on {overrides:,} active overrides whose last day was yesterday, in batches of "
        "1,000, each batch locked with `SKIP LOCKED`, updated and given history rows in bulk.\n\n"
        + table(["run", "overrides expired", "history rows", "seconds"], rows)
        + f"\n\nTarget: at most {TARGET_SECONDS:g} s on PostgreSQL: **{mark}**.\n"
    )
