"""gunicorn's worker class and number of workers for the claims endpoint on this machine
(issue 14), on PostgreSQL.

    .venv/bin/python -m benchmarks serving [--quick] [--serving-seconds S]

The claims benchmark's data and load (benchmarks/claims.py, claims_load.py): POST
/api/v1/claims/ from `--clients` closed-loop clients (4), against gunicorn with sync
workers and with gthread workers of 2 and 4 threads, 2, 3 and 4 workers each. Each
configuration gets its own server, a short warm-up and `--serving-seconds` of load
(10; quick 3) in `--rounds` rounds (2), the configurations in one order and then in the
reverse, so other work on the machine weighs on each alike. Prints requests/s, p50, p99
and the CPU per claim of each, how busy the machine was, and the requests/s per core
that other work left free (what to compare when the machine is shared); picks the
configuration with the most requests/s and rewrites its section of docs/benchmarks.md
(full runs only, unless --docs). The project's default (gunicorn.conf.py,
WEB_CONCURRENCY) is set from it by hand.
"""

import time
from dataclasses import dataclass

from benchmarks import harness
from benchmarks.report import publish, say, table

SECTION = "serving"
TITLE = "Serving: gunicorn worker class and count"
SECONDS = 10.0
QUICK_SECONDS = 3.0
WARMUP = 2.0


@dataclass(frozen=True)
class Config:
    worker_class: str
    workers: int
    threads: int = 1

    @property
    def label(self) -> str:
        if self.worker_class == "sync":
            return f"sync x {self.workers}"
        return f"gthread x {self.workers} ({self.threads} threads)"


CONFIGS = (
    *(Config("sync", workers) for workers in (2, 3, 4)),
    *(Config("gthread", workers, threads) for threads in (2, 4) for workers in (2, 3, 4)),
)


def run(args, bench: harness.Bench) -> None:
    from django.db import connection
    from django.utils import timezone

    from benchmarks import claims, data

    say(f"{TITLE} ({'quick' if args.quick else 'full'} run)")
    today = timezone.localdate()
    claims.prepare_data(args, bench.policy, today)
    token = data.token_for(data.claims_system_user())
    context = claims.run_context(bench)
    database = connection.settings_dict["NAME"]
    connection.close()  # idle while the server works
    context["background_busy"] = harness.wait_until_quiet(args.quiet_wait)
    seconds = args.serving_seconds or (QUICK_SECONDS if args.quick else SECONDS)
    results = measure(args, bench.env, token, today, database, seconds)
    context["run_seconds"] = time.monotonic() - bench.clock
    console, markdown = summarize(args, results, context, seconds)
    say(console)
    publish(SECTION, markdown, skipped_because=args.docs_skipped_because)


def measure(args, env, token: str, today, database: str, seconds: float) -> dict:
    """Each configuration's merged LoadResult, in CONFIGS' order."""
    from benchmarks.claims_load import endpoints
    from benchmarks.data import member_id
    from benchmarks.load import postgres_pids, run_load
    from benchmarks.urls import BASELINE_PREFIX

    claim = endpoints(args.size.members, token, today)["claims"]
    ready_path = f"/{BASELINE_PREFIX}{member_id(1)}/"
    results = {}
    seed = 2
    for round_number in range(args.rounds):
        order = CONFIGS if round_number % 2 == 0 else tuple(reversed(CONFIGS))
        for config in order:
            with harness.Gunicorn(
                workers=config.workers,
                worker_class=config.worker_class,
                threads=config.threads,
                env=env,
                ready_path=ready_path,
                token=token,
                app=args.app,
            ) as server:

                def pids(server=server):
                    return {"gunicorn": server.pids(), "postgres": postgres_pids(database)}

                common = dict(
                    name=config.label,
                    port=server.port,
                    headers=claim.headers,
                    make=claim.make,
                    clients=args.clients,
                )
                run_load(**common, seconds=WARMUP, seed=1)
                result = run_load(
                    **common,
                    seconds=seconds / args.rounds,
                    seed=seed,
                    outcome_of=claim.outcome_of,
                    cpu_pids=pids,
                )
            seed += 1
            say(
                f"  {config.label:<28} {result.rps:>6,.0f}/s, p99 {result.percentile(99):5.1f} ms,"
                f" machine {result.cpu.get('machine busy %', 0.0):3.0f}% busy"
            )
            results[config] = results[config].merge(result) if config in results else result
    return {config: results[config] for config in CONFIGS}


def best(results: dict) -> Config:
    """The most requests/s; on a tie (within 2 %), the lower p99."""
    top = max(r.rps for r in results.values())
    close = [c for c, r in results.items() if r.rps >= 0.98 * top]
    return min(close, key=lambda c: results[c].percentile(99))


def per_free_core(result, cpus: int) -> float:
    """Requests/s per core other work left to the server, the database and the client:
    on a shared machine, throughput follows the CPU it got, and this is comparable
    across configurations that got different shares (on a quiet machine, req/s / cpus)."""
    return result.rps / max(cpus - result.other_cores(cpus), 0.1)


def rows(results: dict, cpus: int) -> list[list[str]]:
    return [
        [
            config.label,
            f"{r.requests:,}",
            f"{r.rps:,.0f}",
            f"{r.percentile(50):.1f}",
            f"{r.percentile(99):.1f}",
            str(r.errors),
            f"{per_free_core(r, cpus):.0f}",
            f"{r.cpu_ms_per_request('gunicorn'):.1f} + {r.cpu_ms_per_request('postgres'):.1f}",
            f"{r.other_cores(cpus):.2f}",
            f"{r.cpu.get('machine busy %', 0.0):.0f}%",
        ]
        for config, r in results.items()
    ]


HEADER = [
    "gunicorn",
    "claims",
    "req/s",
    "p50 ms",
    "p99 ms",
    "errors",
    "req/s per free core",
    "CPU ms per claim (gunicorn + postgres)",
    "other cores",
    "machine busy",
]


def summarize(args, results: dict, context: dict, seconds: float) -> tuple[str, str]:
    cpus = int(context["machine"]["CPUs (nproc)"])
    chosen = best(results)
    other = max(r.other_cores(cpus) for r in results.values())
    console = [
        "",
        f"{TITLE}: POST /api/v1/claims/, {args.clients} clients, {seconds:g} s per configuration",
        f"  {'gunicorn':<30}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}"
        f"{'per free core':>15}{'other cores':>13}{'busy':>7}",
    ]
    for config, r in results.items():
        console.append(
            f"  {config.label:<30}{r.rps:>8,.0f}{r.percentile(50):>9.1f}{r.percentile(99):>9.1f}"
            f"{r.errors:>8}{per_free_core(r, cpus):>15.0f}{r.other_cores(cpus):>13.2f}"
            f"{r.cpu.get('machine busy %', 0):>6.0f}%"
        )
    steady = max(results, key=lambda c: per_free_core(results[c], cpus))
    console.append(f"  most requests/s: {chosen.label}; most per free core: {steady.label}")
    disturbed = other > 0.25
    if disturbed:
        console.append(
            f"  NOTE: other work on the machine used up to {other:.2f} cores of {cpus}:"
            " the numbers are disturbed"
        )
    m = context["machine"]
    warning = (
        f"**Disturbed run:** other work on the machine used up to {other:.2f} of its"
        f' {cpus} cores during the loads (the "other cores" column); the ranking is'
        " less certain than the table makes it look.\n\n"
        if disturbed
        else ""
    )
    markdown = f"""
## {TITLE}

`.venv/bin/python -m benchmarks serving` (part of `make bench`). Last full run:
{context["started"]:%Y-%m-%d %H:%M} UTC on {m["CPUs (nproc)"]} CPUs ({m["CPU"]}),
{m["memory"]}, PostgreSQL {context["postgres"]["server_version"]} on the same machine;
gunicorn {context["gunicorn"]}. Other work on the machine just before the load:
{context["background_busy"]:.0f}% busy.

{warning}The claims benchmark's data and load: `POST /api/v1/claims/`, a random member
each ({args.size.members:,} members), {args.clients} closed-loop clients on loopback,
`DEBUG=0`, persistent database connections. Each configuration: its own server,
{WARMUP:g} s warm-up, then {seconds:g} s in {args.rounds} rounds (the configurations in
one order, then in the reverse, and so on). "Req/s per free core": requests/s over the
cores other work on the machine left (of {cpus}); on a shared machine it is the figure
to compare, since throughput follows the CPU each configuration happened to get.

{table(HEADER, rows(results, cpus))}

Most requests per second: **{chosen.label}**; most per free core:
**{steady.label}**. The project's default (`gunicorn.conf.py`,
`WEB_CONCURRENCY`) is set from this table by hand; see the notes below for the formula
on larger machines.
"""
    return "\n".join(console), markdown
