"""What the claims benchmark reports: the console summary and its section of
docs/benchmarks.md, with the targets' verdicts."""

from dataclasses import dataclass

from benchmarks.claims import (
    CLAIMS_PATH,
    DISTURBED_CORES,
    TARGET_P99_MS,
    TARGET_QUERIES,
    TARGET_RATIO,
    TITLE,
)
from benchmarks.report import table, verdict

LOADS = ("claims", "baseline")
CPU_HEADER = [
    "load",
    "gunicorn",
    "postgres",
    "client",
    "other",
    "machine busy",
    "CPU ms per request (gunicorn + postgres)",
]


@dataclass
class Figures:
    """The numbers both the console and the markdown report, worked out once."""

    claims: object  # load.LoadResult
    baseline: object  # load.LoadResult
    endpoints: tuple  # (label, LoadResult) in the order of the tables
    ratio: float
    cpus: int
    checks: list[tuple[str, str, str, str]]  # what, measured, target, verdict
    cost: dict[str, float]  # server CPU ms per request, by load
    cost_ratio: float
    cpu_rows: list[list[str]]
    disturbed: dict[str, float]  # loads during which other work used too much CPU


def summarize(args, counts, request_counts, results, context) -> tuple[str, str]:
    """The console summary and the markdown section."""
    figures = work_out(counts, results, context)
    return console_text(args, counts, figures), markdown_text(
        args, counts, request_counts, context, figures
    )


def work_out(counts, results, context) -> Figures:
    claims, baseline = results["claims"], results["baseline"]
    ratio = claims.rps / baseline.rps if baseline.rps else 0.0
    cpus = int(context["machine"]["CPUs (nproc)"])
    cost = {name: r.cpu_ms_per_request("gunicorn", "postgres") for name, r in results.items()}
    disturbed = {name: results[name].other_cores(cpus) for name in LOADS}
    return Figures(
        claims=claims,
        baseline=baseline,
        endpoints=((f"POST {CLAIMS_PATH}", claims), ("GET baseline", baseline)),
        ratio=ratio,
        cpus=cpus,
        checks=target_checks(ratio, claims.percentile(99), counts),
        cost=cost,
        cost_ratio=cost["baseline"] / cost["claims"] if cost["claims"] else 0.0,
        cpu_rows=[cpu_row(name, results[name], cpus) for name in LOADS],
        disturbed={name: cores for name, cores in disturbed.items() if cores > DISTURBED_CORES},
    )


def target_checks(ratio: float, p99: float, counts) -> list[tuple[str, str, str, str]]:
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
    return [(what, value, target, verdict(ok)) for what, value, target, ok in checks]


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


def outcomes_text(result) -> str:
    total = sum(result.outcomes.values())
    if not total:
        return "no answers"
    return ", ".join(
        f"{count / total:.0%} {name}" for name, count in sorted(result.outcomes.items())
    )


def console_text(args, counts, f: Figures) -> str:
    lines = ["", f"{TITLE}: {args.clients} clients, {args.workers} gunicorn workers"]
    lines.append(
        f"  {'endpoint':<22}{'requests':>10}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}"
    )
    for label, r in f.endpoints:
        lines.append(
            f"  {label:<22}{r.requests:>10,}{r.rps:>9,.0f}{r.percentile(50):>9.1f}"
            f"{r.percentile(99):>9.1f}{r.errors:>8}"
        )
    lines.append(f"  claims outcomes: {outcomes_text(f.claims)}")
    lines.append(
        f"  server CPU per request: claims {f.cost['claims']:.1f} ms, baseline "
        f"{f.cost['baseline']:.1f} ms (ratio {f.cost_ratio:.2f}: the throughput ratio on a "
        "machine with nothing else running)"
    )
    lines.append(
        f"  CPU, cores used of {f.cpus}: "
        + "; ".join(
            f"{row[0]}: gunicorn {row[1]}, postgres {row[2]}, client {row[3]}, other {row[4]}"
            for row in f.cpu_rows
        )
    )
    lines.append("")
    for what, value, target, mark in f.checks:
        lines.append(f"  {what:<44}{value:>10}   target {target:<9} {mark}")
    if f.disturbed:
        lines.append("  NOTE: other work on the machine took CPU during the loads: numbers are low")
    for c in counts:
        if c.outcome != c.expected:
            lines.append(f"  NOTE: case {c.case} came out {c.outcome}, expected {c.expected}")
    return "\n".join(lines)


def endpoint_rows(f: Figures) -> list[list[str]]:
    return [
        [
            f"`{label}`",
            f"{r.requests:,}",
            f"{r.rps:,.0f}",
            f"{r.percentile(50):.1f}",
            f"{r.percentile(99):.1f}",
            str(r.errors),
        ]
        for label, r in f.endpoints
    ]


def query_rows(counts) -> list[list[str]]:
    return [
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


def disturbed_warning(f: Figures) -> str:
    if not f.disturbed:
        return ""
    during = " and ".join(f"{cores:.2f} cores during {name}" for name, cores in f.disturbed.items())
    return (
        f"\n**Disturbed run:** other work on the machine used {during}; the"
        " throughput and latency below are lower than the server can do. The CPU per"
        " request is the figure to compare.\n"
    )


def markdown_text(args, counts, request_counts, context, f: Figures) -> str:
    m = context["machine"]
    pg = context["postgres"]
    data_note = (
        "the data from an earlier run reused"
        if context["data_reused"]
        else f"the data built in {context['data_seconds']:.0f} s"
    )
    return f"""
## {TITLE}

`make bench` runs it (`.venv/bin/python -m benchmarks claims`; `--quick` is a smoke run
that leaves this file alone). Last full run: {context["started"]:%Y-%m-%d %H:%M} UTC,
{context["run_seconds"]:.0f} s in all ({data_note}).

**Machine:** {m["CPUs (nproc)"]} CPUs ({m["CPU"]}), {m["memory"]} memory, Linux
{m["kernel"]}; Python {m["Python"]}, Django {context["django"]}, gunicorn
{context["gunicorn"]}; PostgreSQL {pg["server_version"]} on the same machine
(shared_buffers {pg["shared_buffers"]}, synchronous_commit {pg["synchronous_commit"]},
fsync {pg["fsync"]}). Other work on the machine just before the load:
{context["background_busy"]:.0f}% busy.
{disturbed_warning(f)}
**Data:** {args.size.members:,} members, {args.size.claims:,} paid claims (~10 per
member: Kesimpta 1 pen / 28 days at retail every 28 days, the last one 1-70 days
ago, plus other drugs) and the Kesimpta policy; {context["claim_rows"]:,} rows in
the claims table when the load started.

**Load:** gunicorn with {args.workers} sync workers, `DEBUG=0`, persistent database
connections; {args.clients} closed-loop client threads (stdlib `http.client`) on
loopback; {args.warmup:g} s warm-up, then {args.seconds:g} s per endpoint in
{args.rounds} alternating rounds ({context["repeated"]} round(s) measured again because
other work on the machine used more than {DISTURBED_CORES:g} cores). Claims: a random
member each, today, 1 pen for 28 days at retail ({outcomes_text(f.claims)}). Baseline:
`GET /bench/baseline/<member_id>/`, the same token authentication and
`IsAuthenticated`, one indexed read.

{table(["endpoint", "requests", "req/s", "p50 ms", "p99 ms", "errors"], endpoint_rows(f))}

Throughput ratio claims / baseline: **{f.ratio:.2f}**. Server CPU per request
(gunicorn + postgres): claims {f.cost["claims"]:.1f} ms, baseline {f.cost["baseline"]:.1f} ms,
a ratio of {f.cost_ratio:.2f}, which is what the throughput ratio tends to when the
server has the machine to itself.

SQL queries of one adjudication (`services.claim_adjudicate`, authentication aside;
transaction control counted apart, as in `tests/api/test_claim_queries.py`):

{table(["case", "outcome", "queries", "+ BEGIN/COMMIT", "target", ""], query_rows(counts))}

A whole API request, authentication and role check included: claims
{request_counts["claims"]} queries (+ {request_counts["claims control"]} BEGIN/COMMIT),
baseline {request_counts["baseline"]}. Each request also starts with the connection
health check (`SELECT 1`, from `conn_health_checks`), which Django does not log.

CPU during the loads (cores used on average, of {f.cpus}; "other" is everything else
on the machine):

{table(CPU_HEADER, f.cpu_rows)}

**Targets:**

{table(["what", "measured", "target", ""], [list(c) for c in f.checks])}
"""
