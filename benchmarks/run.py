"""`make bench`: the claims API at the point of service, against a baseline, on PostgreSQL.

    .venv/bin/python -m benchmarks.run [--quick] [--rebuild] [-v]

1. Points Django at BENCH_DATABASE_URL (default
   postgres://postgres@127.0.0.1:5432/priorauth_bench; --quick uses NAME_quick
   beside it), creating the database if missing, migrates it and loads the
   Kesimpta policy.
2. Loads 100,000 members with 1,000,000 paid claims (COPY), unless they are
   already there; --rebuild forces it. Claims an earlier run added are deleted
   first, so every run starts from the same history.
3. Counts the SQL queries of one adjudication: paid, rejected, paid under an
   override (-v prints them).
4. Waits (a bounded time) for other work on the machine to stop, starts gunicorn
   and runs, in the same run, a closed-loop load on POST /api/v1/claims/ and on a
   baseline endpoint (same authentication, one indexed read), in alternating
   rounds; a round disturbed by other work on the machine is measured again (a
   bounded number of times). Prints requests/s, p50, p99 and errors for each, and
   the CPU each request cost the server and the database.
5. Compares with the targets (PASS/MISS; a miss does not fail the run) and
   rewrites its section of docs/benchmarks.md (full runs only, unless --docs).

Exit status: 0 when the benchmark ran (whatever the numbers), 1 when it broke, 130 on Ctrl-C.
"""

import argparse
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import warnings
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DOCS = BASE_DIR / "docs" / "benchmarks.md"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/priorauth_bench"
POLICY_FILE = BASE_DIR / "policies" / "data" / "kesimpta.yaml"
SECTION = "claims"
DEFAULT_APP = "priorauth.wsgi:application"
TITLE = "Claims API at point of service"

# The targets.
TARGET_RATIO = 0.7  # claims requests/s over baseline requests/s, at least
TARGET_P99_MS = 20.0  # claims p99 latency, at most
TARGET_QUERIES = 5  # SQL queries per adjudication (authentication aside), at most
# Before loading, wait (--quiet-wait) for the machine to be at most this busy.
QUIET_BUSY_PERCENT = 25.0
# A measured round during which the rest of the machine used more CPU than this is repeated.
DISTURBED_CORES = 0.25

CLAIMS_PATH = "/api/v1/claims/"
CLAIMS_USER = "bench-claims"
PHARMACIST_USER = "bench-pharmacist"
INTAKE_USER = "bench-intake"
OVERRIDE_MEMBER = "BENCH-OVR1"
NPI = "1234567893"  # passes the NPI check digit


@dataclass(frozen=True)
class Size:
    members: int
    claims: int
    seconds: float
    warmup: float


FULL = Size(members=100_000, claims=1_000_000, seconds=20.0, warmup=3.0)
QUICK = Size(members=10_000, claims=100_000, seconds=5.0, warmup=2.0)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--quick", action="store_true", help="10,000 members, 100,000 claims, 5 s per load"
    )
    parser.add_argument("--rebuild", action="store_true", help="reload the data even if present")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each query's SQL")
    parser.add_argument(
        "--seconds", type=float, help="measured seconds per load (default 20; quick 5)"
    )
    parser.add_argument("--warmup", type=float, help="warm-up seconds per load (default 3)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=2,
        help="measure each endpoint in this many alternating rounds (2: ABBA)",
    )
    parser.add_argument("--clients", type=int, default=4, help="concurrent client threads (4)")
    parser.add_argument(
        "--workers", type=int, help="gunicorn workers (default 2 x CPUs, at least 4)"
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=120.0,
        help="seconds to wait at most for other work on the machine to stop (120)",
    )
    parser.add_argument(
        "--app",
        default=DEFAULT_APP,
        help=f"WSGI application for gunicorn, to try a change out ({DEFAULT_APP})",
    )
    parser.add_argument(
        "--docs",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="rewrite this benchmark's section of docs/benchmarks.md (default: full runs only)",
    )
    args = parser.parse_args(argv)
    size = QUICK if args.quick else FULL
    args.size = size
    args.seconds = size.seconds if args.seconds is None else args.seconds
    args.warmup = size.warmup if args.warmup is None else args.warmup
    cpus = len(os.sched_getaffinity(0))
    args.workers = args.workers or max(4, 2 * cpus)
    if not 1 <= args.seconds <= 300 or not 0 <= args.warmup <= 60:
        parser.error("--seconds must be 1-300 and --warmup 0-60")
    if not 0 <= args.quiet_wait <= 600:
        parser.error("--quiet-wait must be 0-600")
    if not 1 <= args.rounds <= 10:
        parser.error("--rounds must be 1-10")
    if not 1 <= args.clients <= 64 or not 1 <= args.workers <= 64:
        parser.error("--clients and --workers must be 1-64")
    if args.docs is None:
        args.docs = not args.quick and args.app == DEFAULT_APP
    return args


def say(text: str = "", end: str = "\n") -> None:
    sys.stdout.write(text + end)
    sys.stdout.flush()


# --- Database and Django -------------------------------------------------------------


def bench_database_url(*, quick: bool) -> str:
    """BENCH_DATABASE_URL; a quick run uses a sibling database (NAME_quick), so it never
    replaces the full data set (which takes a minute to rebuild)."""
    url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL
    if not quick:
        return url
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_quick"))


def configure_environment(database_url: str) -> dict[str, str]:
    """The environment for Django, here and in gunicorn: production-like, on the bench database."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
            "DATABASE_URL": database_url,
            # DEBUG off: what production runs (no query log kept, no debug pages).
            "DEBUG": "0",
            "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
            # Plain HTTP on loopback.
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "SECURE_HSTS_SECONDS": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "ERROR"),
            "PRIORAUTH_VAR_DIR": tempfile.gettempdir(),
        }
    )
    return dict(os.environ)


def ensure_database(database_url: str) -> bool:
    """Create the bench database if it does not exist; True if it was created."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    params = dj_database_url.parse(database_url)
    if params["ENGINE"] != "django.db.backends.postgresql":
        raise SystemExit(f"BENCH_DATABASE_URL must name PostgreSQL, not {params['ENGINE']}")
    connect = {
        "host": params["HOST"] or None,
        "port": params["PORT"] or None,
        "user": params["USER"] or None,
        "password": params["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
        "connect_timeout": 5,
    }
    with psycopg.connect(**{k: v for k, v in connect.items() if v is not None}) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [params["NAME"]]
        ).fetchone()
        if exists:
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(params["NAME"])))
        return True


def postgres_info() -> dict[str, str]:
    from django.db import connection

    info = {}
    with connection.cursor() as cursor:
        for name in ("server_version", "shared_buffers", "synchronous_commit", "fsync"):
            cursor.execute(f"SHOW {name}")
            info[name] = cursor.fetchone()[0]
    return info


# --- Users ------------------------------------------------------------------------------


def bench_user(username: str, role: str):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user, _ = get_user_model().objects.get_or_create(username=username)
    user.set_unusable_password()
    user.save()
    user.groups.set([Group.objects.get(name=role)])
    return user


def token_for(user) -> str:
    from rest_framework.authtoken.models import Token

    return Token.objects.get_or_create(user=user)[0].key


# --- Query counts -------------------------------------------------------------------


TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def is_statement(sql: str) -> bool:
    """A query in the count: transaction control is not (tests/api/test_claim_queries.py)."""
    return not sql.lstrip().upper().startswith(TRANSACTION_CONTROL)


@dataclass
class QueryCount:
    case: str
    expected: str
    outcome: str
    queries: list[str]  # everything sent, transaction control included

    @property
    def count(self) -> int:
        return sum(1 for sql in self.queries if is_statement(sql))

    @property
    def control(self) -> int:
        return len(self.queries) - self.count


def captured(fn):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        result = fn()
    return result, [q["sql"] for q in context.captured_queries]


def claim_kwargs(member_id: str, today, **extra) -> dict:
    from benchmarks.data import KESIMPTA_NDC

    kwargs = {
        "member_id": member_id,
        "ndc": KESIMPTA_NDC,
        "quantity": Decimal("1"),
        "days_supply": 28,
        "channel": "retail",
        "date_of_service": today,
    }
    kwargs.update(extra)
    return kwargs


def _outcome(claim) -> str:
    if claim.status == "paid" and claim.override_id:
        return "paid (override)"
    return str(claim.status)


def count_adjudication_queries(today, claims_user, pays, rejects) -> list[QueryCount]:
    from priorauth import services

    adjudicate = services.claim_adjudicate
    # Warm-up: first-use work (imports, policy lookups' plans) is not what we measure.
    adjudicate(submitted_by=claims_user, **claim_kwargs(pays[-1], today))
    counts = []
    for case, expected, member in (
        ("a) pays under the plain limit", "paid", pays[0]),
        ("b) rejected: early refill", "rejected", rejects[0]),
    ):
        claim, queries = captured(
            lambda m=member: adjudicate(submitted_by=claims_user, **claim_kwargs(m, today))
        )
        counts.append(QueryCount(case, expected, _outcome(claim), queries))
    try:
        counts.append(_override_case(today, claims_user))
    except Exception as exc:  # optional case: say why, measure the rest
        say(f"    c) could not set up an override: {type(exc).__name__}: {exc}")
    return counts


def _override_case(today, claims_user) -> QueryCount:
    """A member with supply on hand, an approved one-time override (criterion 1), a claim today."""
    from priorauth import roles, services
    from priorauth.models import Member

    if not Member.objects.filter(member_id=OVERRIDE_MEMBER).exists():
        services.member_create(
            member_id=OVERRIDE_MEMBER,
            first_name="Override",
            last_name="Bench",
            date_of_birth=date(1985, 6, 1),
            line_of_business="commercial",
            plan_name="Bench PPO",
        )
    services.claim_adjudicate(
        submitted_by=claims_user,
        **claim_kwargs(OVERRIDE_MEMBER, today, date_of_service=today - timedelta(days=10)),
    )
    intake = bench_user(INTAKE_USER, roles.INTAKE)
    pharmacist = bench_user(PHARMACIST_USER, roles.CLINICAL_PHARMACIST)
    request = services.override_request_submit(
        member_id=OVERRIDE_MEMBER,
        ndc=claim_kwargs(OVERRIDE_MEMBER, today)["ndc"],
        quantity=Decimal("4"),
        days_supply=28,
        channel="retail",
        prescriber_npi=NPI,
        urgency="standard",
        criterion_number=1,
        clinical_notes="Benchmark: induction dosing.",
        submitted_by=intake,
    )
    services.override_request_decide(
        request_id=request.pk, outcome="approve", by=pharmacist, criterion_number=1
    )
    claim, queries = captured(
        lambda: services.claim_adjudicate(
            submitted_by=claims_user, **claim_kwargs(OVERRIDE_MEMBER, today)
        )
    )
    return QueryCount("c) paid under an override", "paid (override)", _outcome(claim), queries)


def count_request_queries(token: str, pays: list[str], today) -> dict[str, int]:
    """Queries of a whole API request (authentication and role check included), in process."""
    from django.test import Client

    from benchmarks.urls import BASELINE_PREFIX

    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {token}")
    body = json.dumps({**claim_kwargs(pays[1], today), "quantity": "1"}, default=str)
    response, claim_queries = captured(
        lambda: client.post(CLAIMS_PATH, body, content_type="application/json")
    )
    if response.status_code != 201:
        raise RuntimeError(
            f"POST {CLAIMS_PATH} answered {response.status_code}: {response.content}"
        )
    response, baseline_queries = captured(lambda: client.get(f"/{BASELINE_PREFIX}{pays[1]}/"))
    if response.status_code != 200:
        raise RuntimeError(f"baseline answered {response.status_code}: {response.content}")
    return {
        "claims": sum(map(is_statement, claim_queries)),
        "claims control": sum(not is_statement(q) for q in claim_queries),
        "baseline": sum(map(is_statement, baseline_queries)),
    }


# --- The server ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """gunicorn on 127.0.0.1 with sync workers; stopped on exit, error or Ctrl-C."""

    def __init__(self, *, workers: int, env: dict[str, str], ready_path: str, token: str, app: str):
        self.app = app
        self.workers = workers
        self.env = env
        self.ready_path = ready_path
        self.token = token
        self.port = free_port()
        # Open for the server's whole life; closed in stop().
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115
            prefix="bench-gunicorn-", suffix=".log", delete=False
        )
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Gunicorn":
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                self.app,
                "--chdir",
                str(BASE_DIR),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--worker-class",
                "sync",
                "--timeout",
                "30",
                "--graceful-timeout",
                "5",
                "--log-level",
                "warning",
            ],
            env=self.env,
            cwd=BASE_DIR,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.stop()
        self.log.close()
        if exc_type is None:
            Path(self.log.name).unlink(missing_ok=True)
        else:
            say(f"\n  gunicorn's log: {self.log.name}")

    def _wait_ready(self, timeout: float = 30.0) -> None:
        import http.client

        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited ({self.process.returncode}):\n{self.log_tail()}"
                )
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            try:
                conn.request(
                    "GET", self.ready_path, headers={"Authorization": f"Token {self.token}"}
                )
                response = conn.getresponse()
                body = response.read()
                if response.status == 200:
                    return
                last = f"HTTP {response.status}: {body[:300]!r}"
            except OSError as exc:
                last = str(exc)
            finally:
                conn.close()
            time.sleep(0.2)
        raise RuntimeError(
            f"gunicorn did not answer in {timeout:.0f} s ({last}):\n{self.log_tail()}"
        )

    def pids(self) -> list[int]:
        from benchmarks.load import children_of

        if self.process is None:
            return []
        return [self.process.pid, *children_of(self.process.pid)]

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        workers = self.pids()[1:]
        self.process.terminate()  # the master stops its workers gracefully
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        for pid in workers:  # only if one outlived its master: our own children, by pid
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def log_tail(self, lines: int = 30) -> str:
        self.log.flush()
        text = Path(self.log.name).read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])


# --- Loads -----------------------------------------------------------------------------


def run_loads(args, server: Gunicorn, token: str, today) -> tuple[dict, int]:
    """Each endpoint's merged measurement, and how many disturbed rounds were repeated."""
    from django.db import connection

    from benchmarks import load
    from benchmarks.data import KESIMPTA_NDC, member_id
    from benchmarks.urls import BASELINE_PREFIX

    database = connection.settings_dict["NAME"]
    n = args.size.members
    headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
    post_headers = {**headers, "Content-Type": "application/json"}
    today_text = today.isoformat()

    def claim(rng):
        body = {
            "member_id": member_id(rng.randint(1, n)),
            "ndc": KESIMPTA_NDC,
            "quantity": "1",
            "days_supply": 28,
            "channel": "retail",
            "date_of_service": today_text,
        }
        return "POST", CLAIMS_PATH, json.dumps(body).encode()

    def baseline(rng):
        return "GET", f"/{BASELINE_PREFIX}{member_id(rng.randint(1, n))}/", None

    def cpu_pids():
        return {"gunicorn": server.pids(), "postgres": load.postgres_pids(database)}

    loads = {
        "baseline": ("GET baseline", baseline, headers, None),
        "claims": (f"POST {CLAIMS_PATH}", claim, post_headers, load.json_field("status")),
    }

    def run(name: str, seconds: float, seed: int, measure: bool):
        _, make, hdrs, outcome = loads[name]
        return load.run_load(
            name=name,
            port=server.port,
            headers=hdrs,
            make=make,
            clients=args.clients,
            seconds=seconds,
            seed=seed,
            outcome_of=outcome if measure else None,
            cpu_pids=cpu_pids if measure else None,
        )

    if args.warmup:
        say(f"  warm-up: {args.warmup:g} s each ...")
        for name in loads:
            run(name, args.warmup, seed=1, measure=False)
    # Alternate the two in rounds (ABBA), so other work on the machine, or the
    # claims table growing, weighs on both alike.
    order = [name for r in range(args.rounds) for name in (list(loads)[:: 1 if r % 2 == 0 else -1])]
    share = args.seconds / args.rounds
    cpus = len(os.sched_getaffinity(0))
    repeats_left = args.rounds * 2  # bounded: at most twice the planned rounds again
    results: dict[str, load.LoadResult] = {}
    seed = 2
    for name in order:
        while True:
            say(f"  {loads[name][0]}: {share:g} s ...", end="")
            result = run(name, share, seed=seed, measure=True)
            seed += 1
            other = result.other_cores(cpus)
            say(f" {result.requests:,} requests, {result.rps:,.0f}/s", end="")
            if other > DISTURBED_CORES and repeats_left:
                # Other work on the machine took CPU from this round: measure it again.
                repeats_left -= 1
                say(f"; other work used {other:.2f} cores, measuring again")
                continue
            say(f"; other work used {other:.2f} cores" if other > DISTURBED_CORES else "")
            break
        for sample in result.error_samples:
            say(f"    error: {sample}")
        results[name] = results[name].merge(result) if name in results else result
    return results, args.rounds * 2 - repeats_left


def machine_busy(seconds: float = 2.0) -> float:
    from benchmarks.load import cpu_snapshot, cpu_used

    before = cpu_snapshot({})
    time.sleep(seconds)
    return cpu_used(before, cpu_snapshot({}), seconds)["machine busy %"]


def wait_until_quiet(limit: float, threshold: float = QUIET_BUSY_PERCENT) -> float:
    """Wait (at most `limit` s) for other work on the machine to stop; the last busy %."""
    deadline = time.monotonic() + limit
    busy = machine_busy()
    waited = False
    while busy > threshold and time.monotonic() < deadline:
        say(f"\r  the machine is {busy:3.0f}% busy with other work; waiting ...", end="")
        waited = True
        busy = machine_busy()
    if waited:
        say("")
    if busy > threshold:
        say(f"  still {busy:.0f}% busy: measuring anyway, the numbers will be low")
    return busy


# --- Reporting --------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def cpu_row(name: str, r, cpus: int) -> list[str]:
    """Cores used by the server, the database, the client and everything else."""
    server, database, client = (r.cpu.get(k, 0.0) for k in ("gunicorn", "postgres", "client"))
    busy = r.cpu.get("machine busy %", 0.0)
    other = r.other_cores(cpus)
    return [
        name,
        f"{server:.2f}",
        f"{database:.2f}",
        f"{client:.2f}",
        f"{other:.2f}",
        f"{busy:.0f}%",
        f"{r.cpu_ms_per_request('gunicorn'):.1f} + {r.cpu_ms_per_request('postgres'):.1f}",
    ]


CPU_HEADER = [
    "load",
    "gunicorn",
    "postgres",
    "client",
    "other",
    "machine busy",
    "CPU ms per request (gunicorn + postgres)",
]


def summarize(args, counts, request_counts, results, context) -> tuple[str, str]:
    """The console summary and the markdown section."""
    from benchmarks.report import table

    claims, baseline = results["claims"], results["baseline"]
    ratio = claims.rps / baseline.rps if baseline.rps else 0.0
    p99 = claims.percentile(99)
    cpus = int(context["machine"]["CPUs (nproc)"])
    checks = [
        (
            "claims/baseline throughput",
            f"{ratio:.2f}",
            f">= {TARGET_RATIO:g}",
            ratio >= TARGET_RATIO,
        ),
        ("claims p99 latency", f"{p99:.1f} ms", f"<= {TARGET_P99_MS:g} ms", p99 <= TARGET_P99_MS),
    ]
    for c in counts:
        checks.append(
            (f"queries, {c.case}", str(c.count), f"<= {TARGET_QUERIES}", c.count <= TARGET_QUERIES)
        )
    checks = [(what, value, target, verdict(ok)) for what, value, target, ok in checks]
    endpoints = ((f"POST {CLAIMS_PATH}", claims), ("GET baseline", baseline))
    cpu_rows = [cpu_row(name, results[name], cpus) for name in ("claims", "baseline")]

    lines = ["", f"{TITLE}: {args.clients} clients, {args.workers} gunicorn workers"]
    lines.append(
        f"  {'endpoint':<22}{'requests':>10}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}"
    )
    for label, r in endpoints:
        lines.append(
            f"  {label:<22}{r.requests:>10,}{r.rps:>9,.0f}{r.percentile(50):>9.1f}"
            f"{r.percentile(99):>9.1f}{r.errors:>8}"
        )
    lines.append(f"  claims outcomes: {outcomes_text(claims)}")
    cost = {name: r.cpu_ms_per_request("gunicorn", "postgres") for name, r in results.items()}
    cost_ratio = cost["baseline"] / cost["claims"] if cost["claims"] else 0.0
    lines.append(
        f"  server CPU per request: claims {cost['claims']:.1f} ms, baseline "
        f"{cost['baseline']:.1f} ms (ratio {cost_ratio:.2f}: the throughput ratio on a machine "
        "with nothing else running)"
    )
    lines.append(
        f"  CPU, cores used of {cpus}: "
        + "; ".join(
            f"{row[0]}: gunicorn {row[1]}, postgres {row[2]}, client {row[3]}, other {row[4]}"
            for row in cpu_rows
        )
    )
    lines.append("")
    for what, value, target, mark in checks:
        lines.append(f"  {what:<44}{value:>10}   target {target:<9} {mark}")
    if any(results[n].other_cores(cpus) > DISTURBED_CORES for n in ("claims", "baseline")):
        lines.append("  NOTE: other work on the machine took CPU during the loads: numbers are low")
    for c in counts:
        if c.outcome != c.expected:
            lines.append(f"  NOTE: case {c.case} came out {c.outcome}, expected {c.expected}")
    console = "\n".join(lines)

    m = context["machine"]
    pg = context["postgres"]
    rows = [
        [
            f"`{label}`",
            f"{r.requests:,}",
            f"{r.rps:,.0f}",
            f"{r.percentile(50):.1f}",
            f"{r.percentile(99):.1f}",
            str(r.errors),
        ]
        for label, r in endpoints
    ]
    query_rows = [
        [
            c.case,
            c.outcome,
            str(c.count),
            str(c.control),
            f"<= {TARGET_QUERIES}",
            verdict(c.count <= TARGET_QUERIES),
        ]
        for c in counts
    ]
    data_note = (
        "the data from an earlier run reused"
        if context["data_reused"]
        else f"the data built in {context['data_seconds']:.0f} s"
    )
    disturbed = {name: results[name].other_cores(cpus) for name in ("claims", "baseline")}
    disturbed = {name: cores for name, cores in disturbed.items() if cores > DISTURBED_CORES}
    warning = ""
    if disturbed:
        during = " and ".join(
            f"{cores:.2f} cores during {name}" for name, cores in disturbed.items()
        )
        warning = (
            f"\n**Disturbed run:** other work on the machine used {during}; the"
            " throughput and latency below are lower than the server can do. The CPU per"
            " request is the figure to compare.\n"
        )
    markdown = f"""
## {TITLE}

`make bench` runs it (`.venv/bin/python -m benchmarks.run`; `--quick` is a smoke run
that leaves this file alone). Last full run: {context["started"]:%Y-%m-%d %H:%M} UTC,
{context["run_seconds"]:.0f} s in all ({data_note}).

**Machine:** {m["CPUs (nproc)"]} CPUs ({m["CPU"]}), {m["memory"]} memory, Linux
{m["kernel"]}; Python {m["Python"]}, Django {context["django"]}, gunicorn
{context["gunicorn"]}; PostgreSQL {pg["server_version"]} on the same machine
(shared_buffers {pg["shared_buffers"]}, synchronous_commit {pg["synchronous_commit"]},
fsync {pg["fsync"]}). Other work on the machine just before the load:
{context["background_busy"]:.0f}% busy.
{warning}
**Data:** {args.size.members:,} members, {args.size.claims:,} paid claims (~10 per
member: Kesimpta 1 pen / 28 days at retail every 28 days, the last one 1-70 days
ago, plus other drugs) and the Kesimpta policy; {context["claim_rows"]:,} rows in
the claims table when the load started.

**Load:** gunicorn with {args.workers} sync workers, `DEBUG=0`, persistent database
connections; {args.clients} closed-loop client threads (stdlib `http.client`) on
loopback; {args.warmup:g} s warm-up, then {args.seconds:g} s per endpoint in
{args.rounds} alternating rounds ({context["repeated"]} round(s) measured again because
other work on the machine used more than {DISTURBED_CORES:g} cores). Claims: a random
member each, today, 1 pen for 28 days at retail ({outcomes_text(claims)}). Baseline:
`GET /bench/baseline/<member_id>/`, the same token authentication and
`IsAuthenticated`, one indexed read.

{table(["endpoint", "requests", "req/s", "p50 ms", "p99 ms", "errors"], rows)}

Throughput ratio claims / baseline: **{ratio:.2f}**. Server CPU per request
(gunicorn + postgres): claims {cost["claims"]:.1f} ms, baseline {cost["baseline"]:.1f} ms,
a ratio of {cost_ratio:.2f}, which is what the throughput ratio tends to when the
server has the machine to itself.

SQL queries of one adjudication (`services.claim_adjudicate`, authentication aside;
transaction control counted apart, as in `tests/api/test_claim_queries.py`):

{table(["case", "outcome", "queries", "+ BEGIN/COMMIT", "target", ""], query_rows)}

A whole API request, authentication and role check included: claims
{request_counts["claims"]} queries (+ {request_counts["claims control"]} BEGIN/COMMIT),
baseline {request_counts["baseline"]}. Each request also starts with the connection
health check (`SELECT 1`, from `conn_health_checks`), which Django does not log.

CPU during the loads (cores used on average, of {cpus}; "other" is everything else
on the machine):

{table(CPU_HEADER, cpu_rows)}

**Targets:**

{table(["what", "measured", "target", ""], [list(c) for c in checks])}
"""
    return console, markdown


def outcomes_text(result) -> str:
    total = sum(result.outcomes.values())
    if not total:
        return "no answers"
    return ", ".join(
        f"{count / total:.0%} {name}" for name, count in sorted(result.outcomes.items())
    )


# --- Main --------------------------------------------------------------------------------


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    # Ctrl-C, even when started from a shell that ignores it in background jobs.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return _main(args)
    except KeyboardInterrupt:
        say("\ninterrupted; gunicorn stopped")
        return 130


def _main(args) -> int:
    started = datetime.now(UTC)
    clock = time.monotonic()
    database_url = bench_database_url(quick=args.quick)
    env = configure_environment(database_url)
    shown = urllib.parse.urlsplit(database_url)
    say(f"{TITLE} ({'quick' if args.quick else 'full'} run)")
    say(f"  database {shown.hostname}:{shown.port or 5432}{shown.path}")
    if ensure_database(database_url):
        say("  created the database")

    import django

    # WhiteNoise warns that collectstatic has not run; the API serves no static files.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    django.setup()
    import gunicorn
    from django.core.management import call_command
    from django.utils import timezone

    from benchmarks import data
    from benchmarks.report import machine, write_section
    from policies.files import load_policy_file
    from priorauth import roles
    from priorauth.models import Claim

    call_command("migrate", interactive=False, verbosity=0)
    policy = load_policy_file(POLICY_FILE).policy
    today = timezone.localdate()

    data_clock = time.monotonic()
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
    data_seconds = time.monotonic() - data_clock

    claims_user = bench_user(CLAIMS_USER, roles.CLAIMS_SYSTEM)
    token = token_for(claims_user)

    say("  counting queries per adjudication ...")
    pays, rejects = data.sample_members(today)
    if len(pays) < 3 or len(rejects) < 1:
        raise RuntimeError("the data has no member whose claim would pay/reject today")
    counts = count_adjudication_queries(today, claims_user, pays, rejects)
    for c in counts:
        say(f"    {c.case:<32} {c.outcome:<16} {c.count} queries (+ {c.control} BEGIN/COMMIT)")
        if args.verbose:
            number = 0
            for sql in c.queries:
                if is_statement(sql):
                    number += 1
                    say(f"      {number}. {sql}")
                else:
                    say(f"      -  {sql}")
    request_counts = count_request_queries(token, pays, today)
    say(
        f"    whole API request (auth + role check included): claims {request_counts['claims']}"
        f" (+ {request_counts['claims control']} BEGIN/COMMIT), "
        f"baseline {request_counts['baseline']}"
    )

    from django.db import connection

    claim_rows = Claim.objects.count()
    context = {
        "started": started,
        "machine": machine(),
        "postgres": postgres_info(),
        "django": django.get_version(),
        "gunicorn": gunicorn.__version__,
        "data_seconds": data_seconds,
        "data_reused": reused,
        "claim_rows": claim_rows,
    }
    connection.close()  # idle while the server works
    context["background_busy"] = wait_until_quiet(args.quiet_wait)

    from benchmarks.urls import BASELINE_PREFIX

    say(f"  starting gunicorn ({args.workers} workers) ...")
    ready_path = f"/{BASELINE_PREFIX}{data.member_id(1)}/"
    with Gunicorn(
        workers=args.workers, env=env, ready_path=ready_path, token=token, app=args.app
    ) as server:
        say(f"  listening on 127.0.0.1:{server.port}")
        results, context["repeated"] = run_loads(args, server, token, today)
    context["run_seconds"] = time.monotonic() - clock

    console, markdown = summarize(args, counts, request_counts, results, context)
    say(console)
    if args.docs:
        write_section(DOCS, SECTION, markdown)
        say(f"\n  wrote {DOCS.relative_to(BASE_DIR)}")
    else:
        why = (
            "a quick run"
            if args.quick
            else (f"--app {args.app}" if args.app != DEFAULT_APP else "--no-docs")
        )
        say(f"\n  docs/benchmarks.md not updated ({why}; --docs writes it)")
    say(f"  run time {context['run_seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except SystemExit:
        raise
    except Exception as exc:
        import traceback

        traceback.print_exc()
        say(f"\nbenchmark failed: {type(exc).__name__}: {exc}")
        sys.exit(1)
