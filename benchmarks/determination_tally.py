"""The determination benchmark's numbers, worked out once for the console and the docs:
the month's answers counted (the share approved by `system`, the pend reasons by kind,
anything that came out otherwise than planned), the tables' rows and the targets'
verdicts."""

from collections import Counter
from dataclasses import dataclass

from benchmarks import load
from benchmarks.claims import DISTURBED_CORES
from benchmarks.claims_summary import outcomes_text
from benchmarks.determination import TARGET_DETERMINATION_QUERIES, TARGET_P99_MS
from benchmarks.determination_costs import PARTS
from benchmarks.determination_load import LOADS, REQUESTS_PATH
from benchmarks.determination_month import VARIANTS
from benchmarks.report import verdict

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

# The month's latencies: all answers, and each outcome apart.
LATENCY_GROUPS = ("all", "approved", "pended")


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
    latency: dict[str, load.LoadResult]  # "all", "approved", "pended" -> latencies


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
        latency={name: load.LoadResult(name=name, clients=0) for name in LATENCY_GROUPS},
    )
    for entry in answered:
        planned = entry.planned
        if entry.error:
            month.errors.append(entry.error)
            continue
        variant = (planned.policy_code, planned.variant)
        month.by_policy[planned.policy_code] += 1
        month.by_variant[variant] += 1
        got = "approved" if is_automatic(entry.answer) else "pended"
        for group in ("all", got):
            month.latency[group].latencies_ms.append(entry.latency_ms)
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


def findings_notes(month: Month, measured, context: dict) -> list[str]:
    """What a reader must know to trust the numbers (nothing, on a clean run)."""
    notes = []
    for (code, variant, expected, got), n in sorted(month.unexpected.items()):
        notes.append(f"{n:,} {code} requests ({variant}) came out {got}, planned {expected}")
    if month.errors:
        notes.append(f"{len(month.errors):,} month requests failed, e.g. {month.errors[0]}")
    sequence = context["size"].sequence
    for name, n in measured.used.items():
        if n > sequence:
            notes.append(
                f"the load {name} sent {n:,} requests, more than the {sequence:,} planned: "
                "members were used again (an approved one pends on its override)"
            )
    cpus = int(context["machine"]["CPUs (nproc)"])
    during = {
        "the in-process timings": context["costs"].cpu,
        "the month": measured.month_cpu,
        **{name: measured.results[name] for name in LOADS},
    }
    for name, result in during.items():
        other = result.other_cores(cpus)
        if other > DISTURBED_CORES:
            notes.append(f"other work on the machine used {other:.2f} cores during {name}")
    return notes


def cost_rows(costs) -> list[list[str]]:
    return [
        [c.case, *(f"{c.cpu_ms[part]:.1f} / {c.wall_ms[part]:.1f}" for part in PARTS)]
        for c in costs.cases
    ]


def latency_text(month: Month) -> str:
    """p50 / p99 of the month's answers, all of them and by outcome."""
    return "; ".join(
        f"{name} p50 {r.percentile(50):.1f} ms, p99 {r.percentile(99):.1f} ms"
        for name, r in month.latency.items()
        if r.latencies_ms
    )
