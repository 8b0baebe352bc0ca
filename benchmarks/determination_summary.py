"""What the determination benchmark reports: the month's tallies, the loads, the queries,
the console summary and its section of docs/benchmarks.md, with the targets' verdicts."""

from collections import Counter
from dataclasses import dataclass

from benchmarks import load
from benchmarks.claims import DISTURBED_CORES
from benchmarks.claims_summary import outcomes_text
from benchmarks.determination import TARGET_DETERMINATION_QUERIES, TARGET_P99_MS, TITLE
from benchmarks.determination_data import SPREAD
from benchmarks.determination_load import LOADS, REQUESTS_PATH
from benchmarks.determination_month import describe_mix
from benchmarks.report import table, verdict

# Why a request pended, by the subject of the findings against it.
REASONS = {
    "evidence": "evidence: the fill history does not hold",
    "question": "answer: not one that approves (or missing)",
    "criterion": "criterion never approved automatically",
    "no criterion": "no criterion attested",
    "grant": "more than the criterion grants",
    "override": "an override already in force",
    "setting": "automatic approval turned off",
}

# The kinds of request in the month, as the tables name them, in their order.
VARIANTS = {
    "initiating": "initiating, no fill",
    "established": "on the drug, answers as if initiating",
    "answer": "other: an answer that does not approve",
    "criterion": "other: a criterion for a pharmacist",
    "no criterion": "other: no criterion",
}


@dataclass
class Month:
    """The month's answers, counted."""

    requests: int
    automatic: Counter  # policy -> approved by system
    by_policy: Counter  # policy -> requests answered
    by_variant: Counter  # (policy, variant) -> requests
    automatic_by_variant: Counter  # (policy, variant) -> approved by system
    reasons: Counter  # reason -> pended requests with it
    pended: int
    denied: int
    errors: list[str]
    unexpected: Counter  # (policy, variant, expected, got) -> requests
    latency: load.LoadResult


def is_automatic(answer: dict) -> bool:
    return answer.get("status") == "approved" and answer.get("decided_by") == "system"


def pend_reasons(answer: dict, *, attested: bool) -> set[str]:
    """The kinds of reason the determination gave against approval."""
    findings = (answer.get("determination") or {}).get("findings", [])
    kinds = set()
    for finding in findings:
        if finding["supports"]:
            continue
        subject = finding["subject"]
        kinds.add("no criterion" if subject == "criterion" and not attested else subject)
    return kinds


def tally(answered) -> Month:
    month = Month(
        requests=len(answered),
        automatic=Counter(),
        by_policy=Counter(),
        by_variant=Counter(),
        automatic_by_variant=Counter(),
        reasons=Counter(),
        pended=0,
        denied=0,
        errors=[],
        unexpected=Counter(),
        latency=load.LoadResult(name="month", clients=0),
    )
    for entry in answered:
        planned = entry.planned
        if entry.error:
            month.errors.append(entry.error)
            continue
        month.latency.latencies_ms.append(entry.latency_ms)
        variant = (planned.policy_code, planned.variant)
        month.by_policy[planned.policy_code] += 1
        month.by_variant[variant] += 1
        got = "approved" if is_automatic(entry.answer) else "pended"
        if got == "approved":
            month.automatic[planned.policy_code] += 1
            month.automatic_by_variant[variant] += 1
        elif entry.answer.get("status") == "denied":
            month.denied += 1
        else:
            month.pended += 1
            attested = planned.body["criterion_number"] is not None
            month.reasons.update(pend_reasons(entry.answer, attested=attested))
        if got != planned.expected:
            month.unexpected[(*variant, planned.expected, got)] += 1
    return month


def share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "-"


def policy_rows(month: Month) -> list[list[str]]:
    rows = [
        [f"`{code}`", f"{n:,}", f"{month.automatic[code]:,}", share(month.automatic[code], n)]
        for code, n in sorted(month.by_policy.items())
    ]
    answered = sum(month.by_policy.values())
    total = sum(month.automatic.values())
    rows.append(["**all**", f"{answered:,}", f"{total:,}", f"**{share(total, answered)}**"])
    return rows


def variant_rows(month: Month) -> list[list[str]]:
    order = list(VARIANTS)
    keys = sorted(month.by_variant, key=lambda k: (k[0], order.index(k[1])))
    return [
        [
            f"`{code}`",
            VARIANTS[variant],
            f"{month.by_variant[(code, variant)]:,}",
            f"{month.automatic_by_variant[(code, variant)]:,}",
        ]
        for code, variant in keys
    ]


def reason_rows(month: Month) -> list[list[str]]:
    return [
        [REASONS.get(kind, kind), f"{n:,}", share(n, month.pended)]
        for kind, n in month.reasons.most_common()
    ]


def load_rows(results: dict) -> list[list[str]]:
    rows = []
    for name in reversed(LOADS):
        r = results[name]
        rows.append(
            [
                f"`POST {REQUESTS_PATH}` {name}",
                f"{r.requests:,}",
                f"{r.rps:,.0f}",
                f"{r.percentile(50):.1f}",
                f"{r.percentile(99):.1f}",
                str(r.errors),
                outcomes_text(r),
                f"{r.cpu_ms_per_request('gunicorn'):.1f} + {r.cpu_ms_per_request('postgres'):.1f}",
            ]
        )
    return rows


def query_rows(determinations, submissions) -> list[list[str]]:
    rows = []
    for c in determinations:
        ok = c.count <= TARGET_DETERMINATION_QUERIES
        target = f"<= {TARGET_DETERMINATION_QUERIES}"
        rows.append([c.case, c.outcome, str(c.count), str(c.control), target, verdict(ok)])
    for c in submissions:
        rows.append([c.case, c.outcome, str(c.count), str(c.control), "", ""])
    return rows


def target_checks(month: Month, results: dict, determinations) -> list[list[str]]:
    with_answers = results["with answers"]
    p99 = with_answers.percentile(99)
    checks = [
        [
            f"p99 with answers, {with_answers.clients} clients",
            f"{p99:.1f} ms",
            f"<= {TARGET_P99_MS:g} ms",
            verdict(p99 <= TARGET_P99_MS),
        ]
    ]
    for c in determinations:
        ok = c.count <= TARGET_DETERMINATION_QUERIES
        target = f"<= {TARGET_DETERMINATION_QUERIES}"
        checks.append([f"queries, {c.case}", str(c.count), target, verdict(ok)])
    denied = ["requests denied by the system", str(month.denied), "0", verdict(not month.denied)]
    return [*checks, denied]


def summarize(args, counts, measured, context) -> tuple[str, str]:
    determinations, submissions = counts
    answered, results, repeated, used = measured
    month = tally(answered)
    checks = target_checks(month, results, determinations)
    notes = findings_notes(month, used, context, results)
    console = console_text(args, month, results, used, determinations + submissions, checks, notes)
    markdown = markdown_text(
        args, month, results, used, (determinations, submissions), checks, notes, context, repeated
    )
    return console, markdown


def findings_notes(month: Month, used: dict, context: dict, results: dict) -> list[str]:
    """What a reader must know to trust the numbers (nothing, on a clean run)."""
    notes = []
    for (code, variant, expected, got), n in sorted(month.unexpected.items()):
        notes.append(f"{n:,} {code} requests ({variant}) came out {got}, planned {expected}")
    if month.errors:
        notes.append(f"{len(month.errors):,} month requests failed, e.g. {month.errors[0]}")
    sequence = context["size"].sequence
    for name, n in used.items():
        if n > sequence:
            notes.append(
                f"the load {name} sent {n:,} requests, more than the {sequence:,} planned: "
                "members were used again (an approved one pends on its override)"
            )
    cpus = int(context["machine"]["CPUs (nproc)"])
    for name in LOADS:
        other = results[name].other_cores(cpus)
        if other > DISTURBED_CORES:
            notes.append(f"other work on the machine used {other:.2f} cores during {name}")
    return notes


def console_text(args, month, results, used, counts, checks, notes) -> str:
    lines = ["", f"{TITLE}: the month, {month.requests:,} requests ({describe_mix()})"]
    for code, n, automatic, part in policy_rows(month):
        name, part = code.strip("`*"), part.strip("*")
        lines.append(f"  {name:<28} {n:>6} requests, {automatic:>6} automatic ({part})")
    lines.append("  pended, by reason (a request may have several):")
    lines += [f"    {reason:<48}{n:>6}" for reason, n, _ in reason_rows(month)]
    lines.append(
        f"  month answers: p50 {month.latency.percentile(50):.1f} ms, "
        f"p99 {month.latency.percentile(99):.1f} ms ({args.clients} clients)"
    )
    lines.append("")
    lines.append(
        f"  {'load':<22}{'requests':>10}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}"
    )
    for name in reversed(LOADS):
        r = results[name]
        lines.append(
            f"  {name:<22}{r.requests:>10,}{r.rps:>9,.0f}{r.percentile(50):>9.1f}"
            f"{r.percentile(99):>9.1f}{r.errors:>8}   {outcomes_text(r)}"
        )
    lines.append("")
    for what, value, target, mark in checks:
        lines.append(f"  {what:<44}{value:>10}   target {target:<9} {mark}")
    lines += [f"  NOTE: {note}" for note in notes]
    return "\n".join(lines)


def criteria_text(criteria: dict) -> str:
    """What the loaded policies ask and which criteria the system may approve under."""
    lines = []
    for code, rows in sorted(criteria.items()):
        described = []
        for number, auto, questions, evidence in rows:
            asks = ", ".join(questions) or "no questions"
            looks = ", ".join(evidence) or "no evidence"
            how = "auto-approvable" if auto else "pharmacist only"
            described.append(f"criterion {number} ({how}; {asks}; {looks})")
        lines.append(f"`{code}`: " + "; ".join(described))
    return ". ".join(lines) + "."


def markdown_text(args, month, results, used, counts, checks, notes, context, repeated) -> str:
    determinations, submissions = counts
    m, pg, size = context["machine"], context["postgres"], context["size"]
    data_note = (
        "the data from an earlier run reused"
        if context["data_reused"]
        else f"data built or laid in {context['data_seconds']:.0f} s"
    )
    by_case = {c.case[:2]: c.count for c in submissions}
    answers_extra = by_case["d)"] - by_case["c)"]
    approval_extra = by_case["e)"] - by_case["d)"]
    notes_text = "".join(f"\n\n**Note:** {note}." for note in notes)
    return f"""
## {TITLE}

`make bench` runs it (`.venv/bin/python -m benchmarks determination`; `--quick` is a smoke
run that leaves this file alone). Last full run: {context["started"]:%Y-%m-%d %H:%M} UTC,
{context["run_seconds"]:.0f} s in all ({data_note}).

**Machine:** {m["CPUs (nproc)"]} CPUs ({m["CPU"]}), {m["memory"]} memory, Linux
{m["kernel"]}; Python {m["Python"]}, Django {context["django"]}, gunicorn
{context["gunicorn"]}; PostgreSQL {pg["server_version"]} on the same machine
(shared_buffers {pg["shared_buffers"]}, synchronous_commit {pg["synchronous_commit"]},
fsync {pg["fsync"]}). Other work on the machine just before the load:
{context["background_busy"]:.0f}% busy.

**Data:** the claims benchmark's {args.size.members:,} members and {args.size.claims:,} paid
claims (every member on Kesimpta, the last fill 1-70 days ago, plus other drugs); on top,
{context["n_new"]:,} members new to the three drugs (no claims) and
{context["layer_fills"]:,} paid Humira and Emgality fills (4 each at the plan limit, the
last 1-150 days ago) for {1 / SPREAD:.0%} of the members each; {context["claim_rows"]:,} rows in the
claims table. The three shipped policy files: {criteria_text(context["criteria"])}
Automatic approval {"on" if context["auto_approve"] else "OFF"} (`PRIORAUTH_AUTO_APPROVE`).

**The month:** {month.requests:,} requests, all received on the day of the run,
submitted through the API by {args.clients} clients side by side, each for a member and
policy no other request of the run uses. Mix (seeded): {describe_mix()}. *Initiating*: a
member with no fill of the drug, the criterion the system may approve under, every
question answered with an answer that approves. *Established*: a member with paid fills
in the look-back, answering the same. *Other*: a pharmacist's case: an answer that does
not approve (Kesimpta "additional induction dosing"), a criterion never approved
automatically (Humira weekly maintenance), or no criterion attested. Quantities: the
criterion's grant, at retail (80%) or home delivery (20%).

{table(["policy", "requests", "approved by `system`", "share"], policy_rows(month))}

{table(["policy", "kind", "requests", "approved by `system`"], variant_rows(month))}

Pended: {month.pended:,} requests; denied by the system: {month.denied} (the determination
never denies). The reasons the determination gave against approval, by kind (a request
may have several):

{table(["reason", "requests", "of the pended"], reason_rows(month))}

The month's answers took p50 {month.latency.percentile(50):.1f} ms and p99
{month.latency.percentile(99):.1f} ms.

**Load:** gunicorn with {args.workers} sync workers, `DEBUG=0`, persistent database
connections; {args.clients} closed-loop client threads on loopback; {args.warmup:g} s
warm-up, then {args.seconds:g} s per load in {args.rounds} alternating rounds ({repeated}
round(s) measured again because other work on the machine used more than
{DISTURBED_CORES:g} cores). Both loads send the same {size.sequence:,} planned requests
in the same order, a second month of the same mix on members the month did not use: one
with the answers, one without (the criterion still attested, so the determination runs and
pends on the unanswered question). Within a load no two requests share a member and
policy (sent: {", ".join(f"{name} {n:,}" for name, n in used.items())}).

{
        table(
            [
                "endpoint",
                "requests",
                "req/s",
                "p50 ms",
                "p99 ms",
                "errors",
                "outcomes",
                "CPU ms per request (gunicorn + postgres)",
            ],
            load_rows(results),
        )
    }

SQL queries (transaction control counted apart), Kesimpta criterion 1, in process:

{
        table(
            ["case", "outcome", "queries", "+ BEGIN/COMMIT", "target", ""],
            query_rows(determinations, submissions),
        )
    }

The determination reads the member's paid fills of the policy's products in the
look-back and the override in force; the criterion, its questions and evidence come from
the per-process policy cache. Answers that pend cost {answers_extra} queries more than no
answers (both run the determination); an automatic approval adds {approval_extra}: the
decision, the override and its grants, and the history rows, through the same approval
as a pharmacist's.

**Targets:**

{table(["what", "measured", "target", ""], checks)}{notes_text}
"""
