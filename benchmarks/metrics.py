"""The reporting figures (issue 12, docs/domain.md §11): the time to compute them for
the last 30 and 365 days with 10,000 and 1,000,000 requests received over a year.

    .venv/bin/python -m benchmarks metrics [--quick] [--rebuild] [-v]

Targets: the 365-day figures in at most 300 ms at 1,000,000 requests, and the 30-day
figures at 1,000,000 in at most twice their time at 10,000. Each size has its own
database beside the bench database (NAME_reporting_SIZE), built once by COPY
(benchmarks/metrics_data.py) and kept, so the other benchmarks' rows never count and
this one's never disturb them. -v prints EXPLAIN ANALYZE of the slowest query.
"""

import contextlib
import statistics
import time
import urllib.parse
from dataclasses import dataclass
from datetime import timedelta

from benchmarks import harness
from benchmarks.report import last_run_note, publish, say, table, verdict

SECTION = "reporting"
TARGET_MS = 300.0  # the 365-day figures at the large size, p50, at most
TARGET_RATIO = 2.0  # the 30-day figures, large size over small, at most
RANGES = (30, 365)
SAMPLES = 15
WARMUP = 3
MIN_SAMPLES = 5
BUDGET_S = 30.0
# What metrics_report runs, in order (tests/selectors/test_metrics.py counts them).
QUERY_NAMES = (
    *(
        f"{grouping} {kind}"
        for grouping in ("overall", "urgency", "policy", "line of business")
        # the ranks are read first: the counts' queryset is lazy
        for kind in ("percentile ranks", "counts")
    ),
    "appeal clocks",
)


@dataclass(frozen=True)
class Size:
    small: int
    large: int


FULL = Size(small=10_000, large=1_000_000)
QUICK = Size(small=10_000, large=100_000)


def run(args, bench: harness.Bench) -> None:
    size = QUICK if args.quick else FULL
    about = last_run_note(harness.postgres_info()["server_version"])
    say(f"reporting figures: {size.small:,} and {size.large:,} requests over a year")
    timings, busy, queries, slowest_plan = {}, {}, [], ""
    for n in (size.small, size.large):
        with own_database(bench, n):
            prepare(n, rebuild=args.rebuild)
            busy[n] = harness.wait_until_quiet(args.quiet_wait)
            timings[n] = time_ranges(n)
            if n == size.large:
                queries = timed_queries(365)
                slowest_plan = explain(max(queries, key=lambda q: q["ms"]))
    if args.verbose:
        say("\n  the slowest query at 365 days, EXPLAIN (ANALYZE, BUFFERS):\n")
        say(slowest_plan)
    year_ms = timings[size.large][365]["api"]
    ratio = timings[size.large][30]["api"] / timings[size.small][30]["api"]
    marks = (verdict(year_ms <= TARGET_MS), verdict(ratio <= TARGET_RATIO))
    say(f"  365 days at {size.large:,}: {year_ms:.0f} ms (target <= {TARGET_MS:g}) {marks[0]}")
    say(f"  30 days, {size.large:,} / {size.small:,}: {ratio:.2f} (target <= 2) {marks[1]}")
    markdown = section(about, size, timings, busy, queries, slowest_plan, (year_ms, ratio, marks))
    publish(SECTION, markdown, skipped_because=args.docs_skipped_because)


# --- The data ---------------------------------------------------------------------------


@contextlib.contextmanager
def own_database(bench: harness.Bench, n_requests: int):
    """Point Django's connection at this size's database (created and migrated if
    missing), then back at the bench database."""
    from django.db import connection

    parts = urllib.parse.urlsplit(bench.database_url)
    name = f"{parts.path.strip('/')}_reporting_{n_requests}"
    harness.ensure_database(urllib.parse.urlunsplit(parts._replace(path=f"/{name}")))
    original = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = name
    say(f"  database {name}")
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original


def prepare(n_requests: int, *, rebuild: bool) -> None:
    from django.core.management import call_command

    from benchmarks import metrics_data
    from policies.files import load_policy_file

    call_command("migrate", interactive=False, verbosity=0)
    for path in sorted((harness.POLICY_FILE.parent).glob("*.yaml")):
        load_policy_file(path)
    if not rebuild and metrics_data.loaded_requests() == n_requests:
        say(f"  {n_requests:,} requests already loaded (--rebuild reloads them)")
    else:
        metrics_data.build(n_requests, progress=lambda text: say(text, end=""))
    metrics_data.vacuum_analyze()


# --- The timings ------------------------------------------------------------------------


def date_range(days: int):
    from django.utils import timezone

    end = timezone.localdate()
    return end - timedelta(days=days - 1), end


def time_ranges(n_requests: int) -> dict[int, dict[str, float]]:
    """p50 ms of the selector and of the API, for each range."""
    from django.test import Client

    from benchmarks.data import bench_user
    from priorauth import roles
    from priorauth.selectors import daily_volume, metrics_report

    client = Client()
    client.force_login(bench_user("bench-auditor", roles.AUDITOR))
    found = {}
    for days in RANGES:
        start, end = date_range(days)
        url = f"/api/v1/metrics/?from={start}&to={end}"
        found[days] = {
            "selector": p50(metrics_report, start=start, end=end),
            "daily": p50(daily_volume, start=start, end=end),
            "api": p50(api_get, client, url),
        }
        shown = ", ".join(f"{what} {ms:.0f} ms" for what, ms in found[days].items())
        say(f"  {n_requests:,} requests, {days} days: p50 {shown}")
    return found


def api_get(client, url: str) -> None:
    response = client.get(url, HTTP_HOST="127.0.0.1")
    assert response.status_code == 200, response.content[:300]


def p50(call, *args, **kwargs) -> float:
    """The median ms of SAMPLES calls after WARMUP untimed ones; a slow call (a year at a
    million requests) gets one warm-up and stops at MIN_SAMPLES once BUDGET_S is spent."""
    for _ in range(WARMUP):
        started = time.perf_counter()
        call(*args, **kwargs)
        if time.perf_counter() - started > 1:
            break
    timings = []
    spent = time.perf_counter()
    while len(timings) < SAMPLES:
        if len(timings) >= MIN_SAMPLES and time.perf_counter() - spent > BUDGET_S:
            break
        started = time.perf_counter()
        call(*args, **kwargs)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def timed_queries(days: int) -> list[dict]:
    """Each query of one metrics_report, with its SQL, parameters and time."""
    from django.db import connection

    from priorauth.selectors import metrics_report

    start, end = date_range(days)
    queries = []

    def record(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append(
                {"sql": sql, "params": params, "ms": (time.perf_counter() - started) * 1000}
            )

    with connection.execute_wrapper(record):
        metrics_report(start=start, end=end)
    if len(queries) != len(QUERY_NAMES):
        raise RuntimeError(f"metrics_report ran {len(queries)} queries, not {len(QUERY_NAMES)}")
    for name, query in zip(QUERY_NAMES, queries, strict=True):
        query["name"] = name
    return queries


def explain(query: dict) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"], query["params"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return f"{query['name']} ({query['ms']:.0f} ms):\n{plan}"


# --- The report -------------------------------------------------------------------------


def section(about, size, timings, busy, queries, slowest_plan, verdicts) -> str:
    year_ms, ratio, marks = verdicts
    rows = [
        [f"{n:,}", f"{days}", *(f"{timings[n][days][what]:.1f}" for what in TIMED)]
        for n in (size.small, size.large)
        for days in RANGES
    ]
    per_query = [[q["name"], f"{q['ms']:.1f}"] for q in queries]
    plan = "\n".join("    " + line for line in slowest_plan.splitlines())
    return (
        "## Reporting figures\n\n"
        + about
        + f"The figures of docs/domain.md §11 for the requests received in the last 30 and "
        f"365 days, with {size.small:,} and {size.large:,} requests received evenly over a "
        "year (three policies, four lines of business, 15% expedited; decided ones with "
        "their decisions, a third of approvals automatic, 4% of people's decisions late; "
        "about one denial in seventy appealed), each size in its own database, vacuumed "
        f"and analyzed. p50 of {SAMPLES} calls after {WARMUP} warm-up ones (a call over a "
        f"second: one warm-up, and at least {MIN_SAMPLES} calls within {BUDGET_S:g} s): the "
        "selector "
        "`metrics_report`, the daily volume the dashboard charts (`daily_volume`), and "
        "`GET /api/v1/metrics/` through Django's test client in process (an auditor "
        "signed in, `DEBUG=0`; no HTTP server, so no network or gunicorn time).\n\n"
        + table(["requests", "days", "selector ms", "daily volume ms", "API ms"], rows)
        + "\n\nOther work kept the machine "
        + " and ".join(f"{busy[n]:.0f}% busy before the {n:,} timings" for n in busy)
        + f" (quiet is at most {harness.QUIET_BUSY_PERCENT:g}%)."
        + f"\n\n365 days at {size.large:,}: **{year_ms:.0f} ms** (target at most "
        f"{TARGET_MS:g} ms): **{marks[0]}**. 30 days, {size.large:,} over {size.small:,}: "
        f"**{ratio:.2f}** (target at most {TARGET_RATIO:g}): **{marks[1]}**.\n\n"
        f"The queries of one `metrics_report` for 365 days at {size.large:,}, once each:\n\n"
        + table(["query", "ms"], per_query)
        + "\n\nThe slowest, `EXPLAIN (ANALYZE, BUFFERS)`:\n\n"
        + plan
        + "\n"
    )


TIMED = ("selector", "daily", "api")
