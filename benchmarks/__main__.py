"""`make bench`: the benchmarks, on PostgreSQL, writing their sections of docs/benchmarks.md.

    .venv/bin/python -m benchmarks [claims] [serving] [queue] [expiry] [hardening]
                                   [determination] [metrics] [prescribers] [impact]
                                   [--quick] [--rebuild] [-v]

- claims: the claims API under load against the floor of a durable write and a bare
  read, its round trips to PostgreSQL and its SQL queries (benchmarks/claims.py);
- serving: the claims endpoint under gunicorn sync and gthread workers, 2-4 of them
  (benchmarks/serving.py);
- queue: the work queue page with 100 and 100,000 open requests (benchmarks/queue_page.py);
- expiry: the override expiry on 100,000 overrides (benchmarks/expiry.py);
- hardening: wrong passwords before lockout, 5xx from a fuzz of every operation as every
  role, claims paid outside coverage or the filing window (benchmarks/hardening.py);
- determination: a synthetic month of override requests with answers for the three
  shipped policies (the share determined automatically, the pend reasons) and
  POST /api/v1/override-requests/ with answers against without, and the determination's
  SQL queries (benchmarks/determination.py);
- metrics: the reporting figures for 30 and 365 days at 10,000 and 1,000,000 requests,
  each size in its own database beside the bench database (benchmarks/metrics.py);
- prescribers: manage.py import_prescribers on a 100,000-row NPPES-layout file, new,
  unchanged and updated (benchmarks/prescribers.py); also runs on SQLite
  (BENCH_DATABASE_URL=sqlite:///PATH);
- impact: a policy impact replay of 90 days under a draft of Kesimpta on the claims
  benchmark's data (benchmarks/impact.py).

With none named, all eight run, in that order (claims builds the members the others
use). Django points at BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/priorauth_bench; --quick uses NAME_quick beside it
and smaller sizes), the database is created if missing, migrated and given the
Kesimpta policy. A missed target does not fail the run. Sections are rewritten on full
runs only, unless --docs.

Exit status: 0 when the benchmarks ran (whatever the numbers), 1 when one broke, 130 on Ctrl-C.
"""

import argparse
import os
import signal
import sys
import traceback

from benchmarks import (
    claims,
    determination,
    expiry,
    hardening,
    harness,
    impact,
    metrics,
    prescribers,
    queue_page,
    serving,
)
from benchmarks.report import say

# In the order they run: claims builds the members the others use.
BENCHMARKS = {
    "claims": claims.run,
    "serving": serving.run,
    "queue": queue_page.run,
    "expiry": expiry.run,
    "hardening": hardening.run,
    "determination": determination.run,
    "metrics": metrics.run,
    "prescribers": prescribers.run,
    "impact": impact.run,
}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "benchmarks",
        nargs="*",
        metavar="BENCHMARK",
        help=f"which to run: {', '.join(BENCHMARKS)} (default: all, in that order)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="10,000 members, 100,000 claims, 5 s per load; 10,000 open requests/overrides",
    )
    parser.add_argument("--rebuild", action="store_true", help="reload the data even if present")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each query's SQL")
    add_load_arguments(parser)
    parser.add_argument(
        "--docs",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="rewrite the benchmarks' sections of docs/benchmarks.md (default: full runs only)",
    )
    args = parser.parse_args(argv)
    unknown = [name for name in args.benchmarks if name not in BENCHMARKS]
    if unknown:
        parser.error(f"no benchmark {', '.join(unknown)} (choose from {', '.join(BENCHMARKS)})")
    # Always in BENCHMARKS' order, whatever the order named.
    args.benchmarks = [
        name for name in BENCHMARKS if name in args.benchmarks or not args.benchmarks
    ]
    resolve_load_arguments(parser, args)
    args.docs_skipped_because = docs_skipped_because(args)
    return args


def add_load_arguments(parser: argparse.ArgumentParser) -> None:
    """The claims benchmark's load settings."""
    parser.add_argument(
        "--seconds", type=float, help="measured seconds per load (default 20; quick 5)"
    )
    parser.add_argument("--warmup", type=float, help="warm-up seconds per load (default 3)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=2,
        help="measure each endpoint (serving: each gunicorn configuration) in this many"
        " alternating rounds (2: ABBA)",
    )
    parser.add_argument("--clients", type=int, default=4, help="concurrent client threads (4)")
    parser.add_argument(
        "--workers", type=int, help="gunicorn workers (default 2 x CPUs, at least 4)"
    )
    parser.add_argument(
        "--serving-seconds",
        type=float,
        help="serving: measured seconds per gunicorn configuration (default 10; quick 3)",
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=120.0,
        help="seconds to wait at most for other work on the machine to stop (120)",
    )
    parser.add_argument(
        "--app",
        default=harness.DEFAULT_APP,
        help=f"WSGI application for gunicorn, to try a change out ({harness.DEFAULT_APP})",
    )


def resolve_load_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Fill in the size-dependent defaults and check the ranges."""
    size = claims.QUICK if args.quick else claims.FULL
    args.size = size
    args.seconds = size.seconds if args.seconds is None else args.seconds
    args.warmup = size.warmup if args.warmup is None else args.warmup
    cpus = len(os.sched_getaffinity(0))
    args.workers = args.workers or max(4, 2 * cpus)
    if not 1 <= args.seconds <= 300 or not 0 <= args.warmup <= 60:
        parser.error("--seconds must be 1-300 and --warmup 0-60")
    if not 0 <= args.quiet_wait <= 600:
        parser.error("--quiet-wait must be 0-600")
    if args.serving_seconds is not None and not 1 <= args.serving_seconds <= 120:
        parser.error("--serving-seconds must be 1-120")
    if not 1 <= args.rounds <= 10:
        parser.error("--rounds must be 1-10")
    if not 1 <= args.clients <= 64 or not 1 <= args.workers <= 64:
        parser.error("--clients and --workers must be 1-64")


def docs_skipped_because(args: argparse.Namespace) -> str | None:
    """Why this run leaves docs/benchmarks.md alone, or None if it rewrites it.

    Only a full run of the project's own code stands for the numbers in the docs.
    """
    if args.docs or (args.docs is None and not args.quick and args.app == harness.DEFAULT_APP):
        return None
    if args.quick:
        return "a quick run"
    return f"--app {args.app}" if args.app != harness.DEFAULT_APP else "--no-docs"


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    # Ctrl-C, even when started from a shell that ignores it in background jobs.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        bench = harness.setup(quick=args.quick)
        for name in args.benchmarks:
            BENCHMARKS[name](args, bench)
    except KeyboardInterrupt:
        say("\ninterrupted; gunicorn stopped")
        return 130
    except SystemExit:
        raise
    except Exception as exc:
        traceback.print_exc()
        say(f"\nbenchmark failed: {type(exc).__name__}: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
