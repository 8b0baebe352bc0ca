"""What the claims benchmark reports: the console summary and its section of
docs/benchmarks.md, with the targets' verdicts."""

import re
from dataclasses import dataclass

from benchmarks.claims import (
    CLAIMS_PATH,
    DISTURBED_CORES,
    TARGET_P99_FACTOR,
    TARGET_RATIO,
    TITLE,
)
from benchmarks.report import table, verdict

LOADS = ("claims", "durable", "baseline")
LABELS = {
    "claims": f"POST {CLAIMS_PATH}",
    "durable": "POST durable write",
    "baseline": "GET bare read",
}
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

    results: dict  # load name -> load.LoadResult
    endpoints: tuple  # (label, LoadResult) in the order of the tables
    ratio: float  # claims / durable write, requests per second
    p99_ratio: float  # claims p99 / durable write p99
    read_ratio: float  # claims / bare read, requests per second (the old headline)
    cpus: int
    checks: list[tuple[str, str, str, str]]  # what, measured, target, verdict
    cost: dict[str, float]  # server CPU ms per request (gunicorn + postgres), by load
    cost_ratio: float  # durable write's CPU per request / the claim's
    cpu_rows: list[list[str]]
    disturbed: dict[str, float]  # loads during which other work used too much CPU

    @property
    def claims(self):
        return self.results["claims"]


def summarize(args, counts, request_counts, round_trips, results, context) -> tuple[str, str]:
    """The console summary and the markdown section."""
    figures = work_out(round_trips, results, context)
    return console_text(args, counts, round_trips, figures), markdown_text(
        args, counts, request_counts, round_trips, context, figures
    )


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


def work_out(round_trips, results, context) -> Figures:
    claims, durable, baseline = (results[name] for name in LOADS)
    ratio = _ratio(claims.rps, durable.rps)
    p99_ratio = _ratio(claims.percentile(99), durable.percentile(99))
    cpus = int(context["machine"]["CPUs (nproc)"])
    cost = {name: r.cpu_ms_per_request("gunicorn", "postgres") for name, r in results.items()}
    disturbed = {name: results[name].other_cores(cpus) for name in LOADS}
    return Figures(
        results=results,
        endpoints=tuple((LABELS[name], results[name]) for name in LOADS),
        ratio=ratio,
        p99_ratio=p99_ratio,
        read_ratio=_ratio(claims.rps, baseline.rps),
        cpus=cpus,
        checks=target_checks(ratio, p99_ratio, round_trips),
        cost=cost,
        cost_ratio=_ratio(cost["durable"], cost["claims"]),
        cpu_rows=[cpu_row(name, results[name], cpus) for name in LOADS],
        disturbed={name: cores for name, cores in disturbed.items() if cores > DISTURBED_CORES},
    )


def target_checks(ratio: float, p99_ratio: float, round_trips) -> list[tuple[str, str, str, str]]:
    checks = [
        (
            "claims / durable write, throughput",
            f"{ratio:.2f}",
            f">= {TARGET_RATIO:g}",
            ratio >= TARGET_RATIO,
        ),
        (
            "claims p99 / durable-write p99",
            f"{p99_ratio:.2f}",
            f"<= {TARGET_P99_FACTOR:g}",
            p99_ratio <= TARGET_P99_FACTOR,
        ),
    ]
    for c in round_trips:
        if c.target is not None:
            checks.append(
                (f"round trips, {c.case}", str(c.count), f"<= {c.target}", c.count <= c.target)
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


def console_text(args, counts, round_trips, f: Figures) -> str:
    lines = ["", f"{TITLE}: {args.clients} clients, {args.workers} gunicorn workers"]
    lines.append(
        f"  {'endpoint':<24}{'requests':>10}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}"
    )
    for label, r in f.endpoints:
        lines.append(
            f"  {label:<24}{r.requests:>10,}{r.rps:>9,.0f}{r.percentile(50):>9.1f}"
            f"{r.percentile(99):>9.1f}{r.errors:>8}"
        )
    lines.append(f"  claims outcomes: {outcomes_text(f.claims)}")
    lines.append(
        f"  claims / durable write: {f.ratio:.2f} in throughput, p99 {f.p99_ratio:.2f}x;"
        f" claims / bare read {f.read_ratio:.2f}"
    )
    lines.append(
        "  server CPU per request (gunicorn + postgres): "
        + ", ".join(f"{name} {f.cost[name]:.1f} ms" for name in LOADS)
        + f" (durable/claims {f.cost_ratio:.2f}: the throughput ratio on a machine with"
        " nothing else running)"
    )
    lines.append(
        f"  PostgreSQL CPU per claim {database_ms_per_claim(f):.2f} ms: about"
        f" {1000 / max(database_ms_per_claim(f), 0.001):,.0f} claims/s per PostgreSQL core"
    )
    lines.append(
        f"  CPU, cores used of {f.cpus}: "
        + "; ".join(
            f"{row[0]}: gunicorn {row[1]}, postgres {row[2]}, client {row[3]}, other {row[4]}"
            f" (machine {row[5]} busy)"
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
    return [[c.case, c.outcome, str(c.count), str(c.control)] for c in counts]


def round_trip_rows(round_trips) -> list[list[str]]:
    return [
        [
            c.case,
            c.outcome,
            str(c.count),
            f"<= {c.target}" if c.target is not None else "",
            verdict(c.count <= c.target) if c.target is not None else "",
        ]
        for c in round_trips
    ]


def round_trips_opened_by(round_trips) -> str:
    """A table of the paid claim's round trips: the statements sent in each burst."""
    paid = next((c for c in round_trips if c.case == "paid"), None)
    if paid is None:
        return ""
    rows = [
        [str(number), "; ".join(_first_words(sql) for sql in trip.statements) or "(no SQL)"]
        for number, trip in enumerate(paid.trips, 1)
    ]
    return table(["round trip", "statements sent in it"], rows)


def _first_words(sql: str) -> str:
    """`SELECT priorauth_member FOR UPDATE`, `INSERT priorauth_claim`, `BEGIN`, `SELECT 1`:
    the verb and the statement's own table (not a subquery's)."""
    words = sql.split()
    if not words:
        return "`?`"
    verb = words[0].upper()
    named = _top_level_table(sql)
    if named is None:
        return f"`{' '.join(words[:2])}`"
    locks = " FOR UPDATE" if "FOR UPDATE" in sql.upper() else ""
    return f"`{verb} {named}{locks}`"


def _top_level_table(sql: str) -> str | None:
    """The first table after FROM, INTO or UPDATE outside any parentheses."""
    depth = 0
    outside = []
    for char in sql:
        depth += char == "("
        outside.append(char if depth == 0 else " ")
        depth -= char == ")"
    named = re.search(r'\b(?:FROM|INTO|UPDATE)\s+"?(\w+)', "".join(outside), re.IGNORECASE)
    return named.group(1) if named else None


def database_ms_per_claim(f: Figures) -> float:
    return f.claims.cpu_ms_per_request("postgres")


def database_capacity(f: Figures) -> str:
    """What one PostgreSQL core carries, from the database CPU a claim cost (the notes'
    "Scaling out" works from it)."""
    ms = database_ms_per_claim(f)
    if not ms or ms != ms:  # no claims, or NaN
        return ""
    return (
        f"**Database CPU per claim:** {ms:.2f} ms (PostgreSQL's processes: this database's"
        " backends and the server's own, the WAL writer included), so one PostgreSQL core"
        f" carries about {1000 / ms:,.0f} claims per second at full use."
    )


def disturbed_warning(f: Figures) -> str:
    if not f.disturbed:
        return ""
    during = " and ".join(f"{cores:.2f} cores during {name}" for name, cores in f.disturbed.items())
    return (
        f"\n**Disturbed run:** other work on the machine used {during}; the"
        " throughput and latency below are lower than the server can do. The CPU per"
        " request is the figure to compare.\n"
    )


def markdown_text(args, counts, request_counts, round_trips, context, f: Figures) -> str:
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
member each, today, 1 pen for 28 days at retail ({outcomes_text(f.claims)}). Durable
write: `POST /bench/durable-write/<member_id>/`, the floor any durable claim stands on:
the claims endpoint's token authentication and role check, lock the member's row,
insert one claim row, commit, nothing else (`benchmarks/views.py`). Bare read: `GET
/bench/baseline/<member_id>/`, the same token authentication and `IsAuthenticated`,
one indexed read.

{table(["endpoint", "requests", "req/s", "p50 ms", "p99 ms", "errors"], endpoint_rows(f))}

**Claims ÷ durable write: {f.ratio:.2f}** in throughput; claims p99 ÷ durable-write p99:
**{f.p99_ratio:.2f}**. (Claims ÷ bare read: {f.read_ratio:.2f}.) Server CPU per request
(gunicorn + postgres): claims {f.cost["claims"]:.1f} ms, durable write
{f.cost["durable"]:.1f} ms, bare read {f.cost["baseline"]:.1f} ms; durable/claims
{f.cost_ratio:.2f}, which is what the throughput ratio tends to when the server has the
machine to itself.

Round trips to PostgreSQL per whole API request, counted on the wire by a proxy between
Django and PostgreSQL (`benchmarks/round_trips.py`: a burst of client→server bytes
followed by the client waiting for the answer), on a connection a request before had
opened, as in a gunicorn worker: the connection's health check (`SELECT 1`, from
`conn_health_checks`) and the authentication are included.

{table(["request", "outcome", "round trips", "target", ""], round_trip_rows(round_trips))}

A paid claim's round trips and the statements sent in each (the verb and the
statement's own table):

{round_trips_opened_by(round_trips)}

SQL queries of one adjudication in process (`services.claim_adjudicate`, authentication
aside; transaction control counted apart, as in `tests/api/test_claim_queries.py`), for
reference: Django's query log shows a pipelined burst as several queries and does not
see the health check, so the round trips above are the figure the targets use.

{table(["case", "outcome", "queries", "+ BEGIN/COMMIT"], query_rows(counts))}

A whole API request in Django's query log, authentication and role check included:
claims {request_counts["claims"]} queries (+ {request_counts["claims control"]}
BEGIN/COMMIT), bare read {request_counts["baseline"]}.

CPU during the loads (cores used on average, of {f.cpus}; "other" is everything else
on the machine):

{table(CPU_HEADER, f.cpu_rows)}

{database_capacity(f)}

**Targets** (issue 14, against the durable write in the same run):

{table(["what", "measured", "target", ""], [list(c) for c in f.checks])}
"""
