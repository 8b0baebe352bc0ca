"""Real-time determination: a synthetic month of override requests for the three shipped
policies, and POST /api/v1/override-requests/ with answers against the same requests
without them, on PostgreSQL.

    .venv/bin/python -m benchmarks determination [--quick] [-v]

1. Uses the claims benchmark's data (100,000 members, 1,000,000 paid Kesimpta and other
   claims; built if missing, benchmarks/claims.py) and loads the three shipped policy
   files. Lays its own seeded rows once (benchmarks/determination_data.py): members new
   to Kesimpta, and Humira / Emgality paid fills for 10% of the members each. The
   requests an earlier run submitted are removed first.
2. Plans a month of requests (benchmarks/determination_month.py, seeded): per policy, a
   stated mix of members initiating with no fill, members on the drug answering as if
   initiating, and pharmacists' cases; each request for a member and policy no other
   request of the run uses.
3. Counts the SQL queries of the determination alone and of a submission without
   answers, with answers pended and approved (-v prints them);
   benchmarks/determination_queries.py.
4. Waits (a bounded time) for other work on the machine to stop and times the parts of
   a submission in process with one client (the service, the answer's re-read, its
   serialization; benchmarks/determination_costs.py). Starts gunicorn and
   warms it up, submits the month through the API and tallies the answers
   (benchmarks/determination_tally.py): the share approved by `system`, per policy,
   the pend reasons by kind, and any request that came out otherwise than planned.
   Then a closed-loop load with answers and one with the same bodies without answers,
   in alternating rounds (benchmarks/determination_load.py).
5. Compares with the targets (PASS/MISS; a miss does not fail the run), rewrites its
   section of docs/benchmarks.md (full runs only, unless --docs) and removes what it
   submitted, so the other benchmarks find the database as they left it.
"""

import random
import time
from dataclasses import dataclass

from benchmarks import harness
from benchmarks.report import publish, say

SECTION = "determination"
TITLE = "Real-time determination"

# The targets.
TARGET_P99_MS = 100.0  # POST /api/v1/override-requests/ with answers, p99, at most
TARGET_DETERMINATION_QUERIES = 2  # SQL queries the determination adds, at most


@dataclass(frozen=True)
class Size:
    month: int  # requests in the month
    sequence: int  # requests planned for each load (each sent at most once per load)


FULL = Size(month=3_000, sequence=8_000)
QUICK = Size(month=400, sequence=2_000)


def run(args, bench: harness.Bench) -> None:
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from benchmarks import (
        claims,
        data,
        determination_costs,
        determination_data,
        determination_load,
    )
    from benchmarks import determination_queries as queries
    from benchmarks.determination_month import Planner, member_pools, new_members_needed
    from benchmarks.determination_summary import summarize

    size = QUICK if args.quick else FULL
    say(f"{TITLE} ({'quick' if args.quick else 'full'} run)")
    today = timezone.localdate()
    data_seconds, reused = claims.prepare_data(args, bench.policy, today)
    policies = determination_data.load_policies()
    removed = determination_data.remove_run_requests()
    if removed:
        say(f"  removed {removed:,} requests an earlier run submitted")
    n_new = new_members_needed(size.month, size.sequence)
    layer_seconds = determination_data.ensure_layer(
        n_members=args.size.members, n_new=n_new, policies=policies, today=today
    )
    user = determination_data.intake_user()
    pools = member_pools(policies, n_members=args.size.members, n_new=n_new, rng=random.Random(1))
    planner = Planner(pools, today)
    # Drawn first, so the month is the same whatever the counts and timings draw after it.
    month, sequence = planner.draw(size.month), planner.draw(size.sequence)
    counts = queries.count_and_show(args, planner, user)
    token = data.token_for(user)
    context = claims.run_context(
        bench, data_seconds=data_seconds + layer_seconds, data_reused=reused and not layer_seconds
    )
    context.update(
        size=size,
        n_new=n_new,
        auto_approve=settings.PRIORAUTH_AUTO_APPROVE,
        criteria={code: criteria_rows(plan.criteria) for code, plan in pools.items()},
    )
    context["layer_fills"] = determination_data.layer_fill_count()
    connection.close()
    context["background_busy"] = harness.wait_until_quiet(args.quiet_wait)
    # Timed on the quiet machine too, like the loads.
    context["costs"] = determination_costs.measure(planner, user, token)
    connection.close()  # idle while the server works
    measured = determination_load.measure(args, bench.env, token, month, sequence)
    context["run_seconds"] = time.monotonic() - bench.clock

    console, markdown = summarize(args, counts, measured, context)
    say(console)
    publish(SECTION, markdown, skipped_because=args.docs_skipped_because)
    say(f"  removed the {determination_data.remove_run_requests():,} requests this run submitted")
    say(f"  run time {time.monotonic() - bench.clock:.0f} s")


def criteria_rows(criteria: dict) -> list[tuple]:
    """(number, auto_approve, question ids, evidence) of each criterion, for the report."""
    return [
        (
            c.number,
            c.rules.auto_approve,
            [q.id for q in c.rules.questions],
            [f"{e.clause} {e.days}" for e in c.rules.evidence],
        )
        for c in criteria.values()
    ]
