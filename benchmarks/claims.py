"""The claims API at the point of service, against the floor of a durable write, on
PostgreSQL (issue 14).

    .venv/bin/python -m benchmarks claims [--quick] [--rebuild] [-v]

1. Loads 100,000 members with 1,000,000 paid claims (COPY), unless they are
   already there; --rebuild forces it. Claims an earlier run added are deleted
   first, so every run starts from the same history.
2. Counts the SQL queries of one adjudication: paid, rejected, paid under an
   override (-v prints them); benchmarks/claims_queries.py. Then the round trips to
   PostgreSQL of whole API requests, on the wire through a counting proxy: the same
   three claims, the durable write and the bare read (-v prints what opened each);
   benchmarks/claims_round_trips.py.
3. Waits (a bounded time) for other work on the machine to stop, starts gunicorn
   and runs, in the same run, a closed-loop load on POST /api/v1/claims/, on the
   durable write (the same token authentication and role check, lock the member, insert
   one claim, commit: benchmarks/views.py) and on the bare read (the same
   authentication, one indexed read), in alternating rounds; a round disturbed by
   other work on the machine is measured again (a bounded number of times);
   benchmarks/claims_load.py. Prints requests/s, p50, p99 and errors for each, and the
   CPU each request cost the server and the database.
4. Compares with the targets (PASS/MISS; a miss does not fail the run): claims ÷
   durable write in throughput, claims p99 ÷ durable-write p99, round trips per claim;
   and rewrites its section of docs/benchmarks.md (full runs only, unless --docs);
   benchmarks/claims_summary.py.

Import without Django set up (`python -m benchmarks` reads the sizes before setting
it up); the parts that need Django are imported when the benchmark runs.
"""

import time
from dataclasses import dataclass

from benchmarks import harness
from benchmarks.report import publish, say

SECTION = "claims"
TITLE = "Claims API at point of service"

# Issue 14's targets, against the durable write measured in the same run.
TARGET_RATIO = 0.85  # claims requests/s over durable-write requests/s, at least
TARGET_P99_FACTOR = 1.25  # claims p99 over the durable write's p99, at most
# Round trips to PostgreSQL per API request, health check and authentication included.
TARGET_ROUND_TRIPS = {"paid": 6, "rejected": 6, "paid under an override": 8}
# A measured round during which the rest of the machine used more CPU than this is repeated.
DISTURBED_CORES = 0.25

CLAIMS_PATH = "/api/v1/claims/"
OVERRIDE_MEMBER = "BENCH-OVR1"


@dataclass(frozen=True)
class Size:
    members: int
    claims: int
    seconds: float
    warmup: float


FULL = Size(members=100_000, claims=1_000_000, seconds=20.0, warmup=3.0)
QUICK = Size(members=10_000, claims=100_000, seconds=5.0, warmup=2.0)


def run(args, bench: harness.Bench) -> None:
    from django.db import connection
    from django.utils import timezone

    from benchmarks import claims_load, claims_queries, claims_round_trips, data
    from benchmarks.claims_summary import summarize

    say(f"{TITLE} ({'quick' if args.quick else 'full'} run)")
    today = timezone.localdate()
    data_seconds, reused = prepare_data(args, bench.policy, today)
    claims_user = data.claims_system_user()
    token = data.token_for(claims_user)
    pays, rejects = data.sample_members(today, count=5)
    if len(pays) < 5 or len(rejects) < 1:
        raise RuntimeError("the data has no member whose claim would pay/reject today")
    counts, request_counts = claims_queries.count_and_show(
        args, today, claims_user, token, pays[:3], rejects
    )
    round_trips = claims_round_trips.count_and_show(
        args, today, claims_user, token, pays[3:], rejects
    )
    context = run_context(bench, data_seconds=data_seconds, data_reused=reused)
    connection.close()  # idle while the server works
    context["background_busy"] = harness.wait_until_quiet(args.quiet_wait)
    results, context["repeated"] = claims_load.measure(args, bench.env, token, today)
    context["run_seconds"] = time.monotonic() - bench.clock

    console, markdown = summarize(args, counts, request_counts, round_trips, results, context)
    say(console)
    publish(SECTION, markdown, skipped_because=args.docs_skipped_because)
    say(f"  run time {context['run_seconds']:.0f} s")


def prepare_data(args, policy, today) -> tuple[float, bool]:
    """Load the data set unless it is already there; the seconds taken and whether it was."""
    from benchmarks import data

    clock = time.monotonic()
    size = args.size
    members, seeded = data.seeded_counts()
    reused = not args.rebuild and (members, seeded) == (size.members, size.claims)
    if reused:
        say(f"  data: {members:,} members and {seeded:,} claims already loaded (--rebuild reloads)")
        removed = data.discard_run_claims()
        if removed:
            say(f"  removed {removed:,} claims earlier runs added")
    else:
        if not args.rebuild and members:
            say(f"  data: found {members:,} members / {seeded:,} claims; rebuilding")
        data.build(
            n_members=size.members,
            n_claims=size.claims,
            policy_id=policy.pk,
            today=today,
            progress=lambda text: say(text, end=""),
        )
        data.discard_run_claims()
        say("  VACUUM ANALYZE ...", end="")
        analyze_clock = time.monotonic()
        data.vacuum_analyze()
        say(f" {time.monotonic() - analyze_clock:.1f} s")
    return time.monotonic() - clock, reused


def run_context(bench: harness.Bench, **measured) -> dict:
    """What the report says about the run: when, on what, and the data it ran on."""
    import django
    import gunicorn

    from benchmarks.report import machine
    from priorauth.models import Claim

    return {
        "started": bench.started,
        "machine": machine(),
        "postgres": harness.postgres_info(),
        "django": django.get_version(),
        "gunicorn": gunicorn.__version__,
        **measured,
        "claim_rows": Claim.objects.count(),
    }
