"""What the determination benchmark reports: the console summary and its section of
docs/benchmarks.md (the numbers come from benchmarks/determination_tally.py)."""

from benchmarks.claims import DISTURBED_CORES
from benchmarks.claims_summary import outcomes_text
from benchmarks.determination import TITLE
from benchmarks.determination_costs import PARTS, SAMPLES
from benchmarks.determination_data import SPREAD
from benchmarks.determination_load import LOADS
from benchmarks.determination_month import describe_mix
from benchmarks.determination_tally import (
    Month,
    cost_rows,
    findings_notes,
    latency_text,
    load_rows,
    policy_rows,
    query_rows,
    reason_rows,
    tally,
    target_checks,
    variant_rows,
)
from benchmarks.report import table


def summarize(args, counts, measured, context) -> tuple[str, str]:
    determinations, submissions = counts
    results, repeated, used = measured.results, measured.repeated, measured.used
    month = tally(measured.answered)
    checks = target_checks(month, results, determinations)
    notes = findings_notes(month, measured, context)
    console = console_text(args, month, results, used, determinations + submissions, checks, notes)
    markdown = markdown_text(
        args, month, results, used, (determinations, submissions), checks, notes, context, repeated
    )
    return console, markdown


def console_text(args, month, results, used, counts, checks, notes) -> str:
    lines = ["", f"{TITLE}: the month, {month.requests:,} requests ({describe_mix()})"]
    for code, n, automatic, part in policy_rows(month):
        name, part = code.strip("`*"), part.strip("*")
        lines.append(f"  {name:<28} {n:>6} requests, {automatic:>6} automatic ({part})")
    lines.append("  pended, by reason (a request may have several):")
    lines += [f"    {reason:<48}{n:>6}" for reason, n, _ in reason_rows(month)]
    lines.append(f"  month answers ({args.clients} clients): {latency_text(month)}")
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


def planned_text(month: Month) -> str:
    """Whether each request came out as the rule says for its member's history."""
    otherwise = sum(month.unexpected.values())
    if not otherwise and not month.errors:
        return (
            "Every request came out as planned: approved exactly when the rule allows it "
            "for the member's fill history and the answers, so the share approved is the "
            "share of new starts in the mix."
        )
    return f"{otherwise:,} requests came out otherwise than planned (see the notes)."


def reread_text(costs) -> str:
    by_case = {c.case: c for c in costs.cases}
    pended, approved = by_case["answers, pended"], by_case["answers, approved"]
    part = "answer re-read"
    return (
        f"The answer's re-read takes {pended.wall_ms[part]:.1f} ms of a pended request's "
        f"{pended.wall_ms['whole request']:.1f} ms "
        f"({pended.wall_ms[part] / pended.wall_ms['whole request']:.0%}) and "
        f"{approved.wall_ms[part]:.1f} ms of an approved one's "
        f"{approved.wall_ms['whole request']:.1f} ms; an automatic approval costs the service "
        f"{approved.wall_ms['service'] - pended.wall_ms['service']:.1f} ms more than a pend."
    )


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
    costs_samples = SAMPLES
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

{planned_text(month)}

Pended: {month.pended:,} requests; denied by the system: {month.denied} (the determination
never denies). The reasons the determination gave against approval, by kind (a request
may have several):

{table(["reason", "requests", "of the pended"], reason_rows(month))}

The month's answers, {args.clients} clients side by side on a warmed-up server:
{latency_text(month)}.

**Load:** gunicorn with {args.workers} sync workers, `DEBUG=0`, persistent database
connections; {args.clients} closed-loop client threads on loopback; {args.warmup:g} s
warm-up, then {args.seconds:g} s per load in {args.rounds} alternating rounds ({repeated}
round(s) measured again because other work on the machine used more than
{DISTURBED_CORES:g} cores). Both loads send the same {size.sequence:,} planned requests
in the same order, a second month of the same mix on members the month did not use: one
with the answers, one without (the criterion still attested, so the determination runs and
pends on the unanswered question). Within a load no two requests share a member and
policy: the loads went {" and ".join(f"{n:,} ({name})" for name, n in used.items())} requests
into the {size.sequence:,} planned, warm-up and rounds measured again included.

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

Where the time goes, in process with one client (no load, no profiler; medians of
{costs_samples} requests; CPU of the Python process / wall ms, the wall adding the waits on
PostgreSQL). *Whole request* is the API request through the middleware, authentication
and input checks; inside it, *service* is `services.override_request_submit`, *answer
re-read* `selectors.request_for_api` (the request read again with its decision and
override for the answer) and *serialization* the answer's serializer:

{table(["case", *PARTS], cost_rows(context["costs"]))}

{reread_text(context["costs"])}

**Targets:**

{table(["what", "measured", "target", ""], checks)}{notes_text}
"""
