"""A year of override requests for the reporting benchmark, loaded by COPY (this is data,
not behaviour: the services are not used and no history rows are written).

Requests are received evenly over the year ending now, across the three shipped
policies, the four lines of business and both urgencies; those whose clock has run
are mostly decided (some automatically, a few late), some withdrawn, a few still open
past due; recent ones are partly open. About one denial in seventy is appealed, and
most appeals are decided. The same seed gives the same rows. Import after
django.setup().
"""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction

from benchmarks.data import PRESCRIBER_NPI, _columns, _copy, _text, bench_user
from policies.models import Policy, ProductNDC
from priorauth import roles
from priorauth.models import (
    Appeal,
    AppealDecision,
    Decision,
    Member,
    OverrideRequest,
    Prescriber,
    Prescription,
)
from priorauth.services import system_user

POLICY_WEIGHTS = {  # share of the requests each shipped policy receives
    "cigna-ms-kesimpta-dqm": 5,
    "inflammatory-humira-dqm": 3,
    "migraine-emgality-dqm": 2,
}
LINES_OF_BUSINESS = ("commercial",) * 5 + ("medicare",) * 2 + ("medicaid",) * 2 + ("exchange",)
REQUESTS_PER_MEMBER = 5
EXPEDITED_SHARE = 0.15
AUTOMATIC_SHARE = 0.35  # of the approvals: decided by the real-time determination
LATE_SHARE = 0.04  # of the people's decisions: made after the clock ran out
APPEALED_SHARE = 1 / 70  # of the denials decided more than ten days ago
CHUNK = 50_000
MEMBER_PREFIX = "RPT"
DENIAL_REASON = "Bench: the attested criterion's evidence is missing."


@dataclass
class Ids:
    """The next primary key of each table: the loader writes the ids itself, so a
    request's prescription and decision are known without reading them back."""

    prescription: int = 1
    request: int = 1
    decision: int = 1
    appeal: int = 1
    appeal_decision: int = 1


@dataclass
class Chunk:
    """The COPY lines of one chunk of requests, per table."""

    prescriptions: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)
    appeals: list[str] = field(default_factory=list)
    appeal_decisions: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Context:
    now: datetime
    n_members: int
    policies: list[tuple[int, int, str]]  # (policy id, criterion id, an NDC), by weight
    prescriber: int
    person: int  # the pharmacist who decides
    machine: int  # the system user of automatic decisions
    physician: int  # who decides appeals
    clocks: dict[str, timedelta]


def loaded_requests() -> int:
    return OverrideRequest.objects.count()


def build(n_requests: int, *, progress: Callable[[str], None], seed: int = 20261129) -> None:
    """Replace every member, request, decision and appeal by a year of n_requests."""
    rng = random.Random(seed)
    context = _context(n_requests)
    with transaction.atomic():
        _truncate()
        started = time.monotonic()
        _copy_members(context.n_members, rng, context.now)
        ids = Ids()
        columns = _all_columns()
        span = timedelta(days=365) / n_requests
        first = context.now - timedelta(days=365)
        for start in range(0, n_requests, CHUNK):
            chunk = Chunk()
            for n in range(start, min(start + CHUNK, n_requests)):
                received = first + span * (n + rng.random())
                _request(chunk, ids, received, context, rng)
            _copy_chunk(chunk, columns)
            progress(f"\r  requests {min(start + CHUNK, n_requests):,} / {n_requests:,}")
        _reset_sequences()
        progress(f" ({time.monotonic() - started:.1f} s)\n")


def _context(n_requests: int) -> Context:
    from django.utils import timezone

    policies = []
    for code, weight in POLICY_WEIGHTS.items():
        policy = Policy.objects.filter(code=code).order_by("-effective_from").first()
        criterion = policy.criteria.order_by("number").first()
        ndc = ProductNDC.objects.filter(product__policy=policy).values_list("ndc", flat=True)[0]
        policies += [(policy.pk, criterion.pk, ndc)] * weight
    prescriber, _ = Prescriber.objects.get_or_create(npi=PRESCRIBER_NPI)
    return Context(
        now=timezone.now(),
        n_members=max(1, n_requests // REQUESTS_PER_MEMBER),
        policies=policies,
        prescriber=prescriber.pk,
        person=bench_user("bench-pharmacist", roles.CLINICAL_PHARMACIST).pk,
        machine=system_user().pk,
        physician=bench_user("bench-physician", roles.PHYSICIAN_REVIEWER).pk,
        clocks={u: timedelta(hours=h) for u, h in settings.PRIORAUTH_CLOCK_HOURS.items()},
    )


def _truncate() -> None:
    """Empty the review tables (this database is the benchmark's own)."""
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {Member._meta.db_table} RESTART IDENTITY CASCADE")


def _copy_members(n_members: int, rng: random.Random, now: datetime) -> None:
    given = ["id", "member_id", "first_name", "last_name", "date_of_birth", "line_of_business"]
    given += ["plan_name", "created_at", "coverage_start"]
    columns, suffix = _columns(Member, given)
    joined = now - timedelta(days=400)
    lines = (
        f"{n}\t{MEMBER_PREFIX}{n:07d}\tBench\tMember{n}\t1970-01-01\t"
        f"{rng.choice(LINES_OF_BUSINESS)}\tBench plan\t{joined.isoformat()}\t"
        f"{joined.date().isoformat()}{suffix}\n"
        for n in range(1, n_members + 1)
    )
    _copy(Member._meta.db_table, columns, lines)


def _request(chunk: Chunk, ids: Ids, received: datetime, context: Context, rng) -> None:
    """One request, its prescription, and its decision and appeal if it has them."""
    urgency = "expedited" if rng.random() < EXPEDITED_SHARE else "standard"
    policy, criterion, ndc = rng.choice(context.policies)
    member = rng.randint(1, context.n_members)
    clock = context.clocks[urgency]
    status, decided_at, automatic = _outcome(received, clock, context.now, rng)
    request = ids.request
    chunk.prescriptions.append(
        f"{ids.prescription}\t{member}\t{context.prescriber}\t{ndc}\t1.000\t28\tretail\t"
        f"{received.isoformat()}\n"
    )
    chunk.requests.append(
        f"{request}\t{member}\t{ids.prescription}\t{policy}\t{criterion}\t{urgency}\t"
        f"{status}\t{{}}\t{received.isoformat()}\t{(received + clock).isoformat()}\n"
    )
    ids.prescription += 1
    ids.request += 1
    if decided_at is None:
        return
    approve = status == "approved"
    chunk.decisions.append(
        f"{ids.decision}\t{request}\t{'approve' if approve else 'deny'}\t"
        f"{criterion if approve else _text(None)}\t{'' if approve else DENIAL_REASON}\t"
        f"{context.machine if automatic else context.person}\t{decided_at.isoformat()}\t"
        f"{_text(automatic)}\n"
    )
    ids.decision += 1
    appealable = not approve and decided_at < context.now - timedelta(days=10)
    if appealable and rng.random() < APPEALED_SHARE:
        _appeal(chunk, ids, request, member, urgency, criterion, decided_at, context, rng)


def _outcome(received: datetime, clock: timedelta, now: datetime, rng):
    """(status, decided_at, automatic): what became of a request received then."""
    roll = rng.random()
    if roll < 0.06:
        return "withdrawn", None, False
    if roll < 0.062:  # stuck: open however old
        return rng.choice(("pending", "in_review", "needs_info")), None, False
    approve = roll < 0.78
    if approve and rng.random() < AUTOMATIC_SHARE:
        return "approved", received + timedelta(seconds=rng.uniform(1, 20)), True
    if rng.random() < LATE_SHARE:
        took = clock + timedelta(hours=rng.uniform(0.5, 48))
    else:
        took = clock * min(0.98, rng.lognormvariate(-1.6, 0.8))
    if received + took > now:  # not decided yet
        return rng.choice(("pending", "in_review", "needs_info")), None, False
    return ("approved" if approve else "denied"), received + took, False


def _appeal(chunk, ids, request, member, urgency, criterion, denied_at, context, rng) -> None:
    received = denied_at + timedelta(hours=rng.uniform(1, 24 * 7))
    due = received + context.clocks[urgency]
    roll = rng.random()
    status = "withdrawn" if roll < 0.05 else "pending" if roll < 0.08 else "decided"
    chunk.appeals.append(
        f"{ids.appeal}\t{request}\t{member}\t{urgency}\tBench: the denial overlooked the "
        f"chart.\t{status}\t{received.isoformat()}\t{due.isoformat()}\n"
    )
    if status == "decided":
        overturn = rng.random() < 0.4
        decided = received + (due - received) * rng.uniform(0.1, 0.95)
        chunk.appeal_decisions.append(
            f"{ids.appeal_decision}\t{ids.appeal}\t{'overturn' if overturn else 'uphold'}\t"
            f"{criterion if overturn else _text(None)}\t{'' if overturn else DENIAL_REASON}\t"
            f"{context.physician}\t{roles.PHYSICIAN_REVIEWER}\t{decided.isoformat()}\n"
        )
        ids.appeal_decision += 1
    ids.appeal += 1


# The columns each table's lines give, in order; the rest take their defaults.
GIVEN = {
    Prescription: [
        "id",
        "member_id",
        "prescriber_id",
        "ndc",
        "quantity",
        "days_supply",
        "channel",
        "created_at",
    ],
    OverrideRequest: [
        "id",
        "member_id",
        "prescription_id",
        "policy_id",
        "attested_criterion_id",
        "urgency",
        "status",
        "answers",
        "received_at",
        "due_at",
    ],
    Decision: [
        "id",
        "request_id",
        "outcome",
        "criterion_id",
        "reason",
        "decided_by_id",
        "decided_at",
        "automatic",
    ],
    Appeal: [
        "id",
        "request_id",
        "member_id",
        "urgency",
        "reason",
        "status",
        "received_at",
        "due_at",
    ],
    AppealDecision: [
        "id",
        "appeal_id",
        "outcome",
        "criterion_id",
        "reason",
        "decided_by_id",
        "decided_role",
        "decided_at",
    ],
}


def _all_columns() -> dict:
    return {model: _columns(model, given) for model, given in GIVEN.items()}


def _copy_chunk(chunk: Chunk, columns: dict) -> None:
    """COPY a chunk's lines, parents first (the foreign keys are checked at commit)."""
    for model, lines in (
        (Prescription, chunk.prescriptions),
        (OverrideRequest, chunk.requests),
        (Decision, chunk.decisions),
        (Appeal, chunk.appeals),
        (AppealDecision, chunk.appeal_decisions),
    ):
        names, suffix = columns[model]
        if lines:
            text = "".join(line[:-1] + suffix + "\n" for line in lines)
            _copy(model._meta.db_table, names, iter([text]))


def _reset_sequences() -> None:
    """The ids were written by the loader: move each table's sequence past them."""
    with connection.cursor() as cursor:
        for model in (Member, *GIVEN):
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            )


def vacuum_analyze() -> None:
    """What autovacuum would have done by now: statistics and the visibility map."""
    with connection.cursor() as cursor:
        for model in (Member, *GIVEN):
            cursor.execute(f"VACUUM (ANALYZE) {model._meta.db_table}")
