"""The SQL queries a claim costs, counted in process: one adjudication (paid, rejected,
paid under an override) and a whole API request.

Import after django.setup().
"""

import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from benchmarks import data
from benchmarks.claims import CLAIMS_PATH, OVERRIDE_MEMBER
from benchmarks.report import say
from benchmarks.urls import BASELINE_PREFIX
from priorauth import services
from priorauth.models import Member

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


def count_and_show(
    args, today, claims_user, token: str, pays: list[str], rejects: list[str]
) -> tuple[list[QueryCount], dict[str, int]]:
    """Count the queries of the three adjudication cases and of a whole request, printing
    them as they come (with -v, each query's SQL). `pays`: three members whose claim
    today pays; `rejects`: one whose claim rejects."""
    say("  counting queries per adjudication ...")
    counts = count_adjudication_queries(today, claims_user, pays, rejects)
    for c in counts:
        say(f"    {c.case:<32} {c.outcome:<16} {c.count} queries (+ {c.control} BEGIN/COMMIT)")
        if args.verbose:
            show_queries(c)
    request_counts = count_request_queries(token, pays, today)
    say(
        f"    whole API request (auth + role check included): claims {request_counts['claims']}"
        f" (+ {request_counts['claims control']} BEGIN/COMMIT), "
        f"bare read {request_counts['baseline']}"
    )
    return counts, request_counts


def show_queries(count: QueryCount) -> None:
    """Each query's SQL: the counted ones numbered, transaction control marked '-'."""
    number = 0
    for sql in count.queries:
        if is_statement(sql):
            number += 1
            say(f"      {number}. {sql}")
        else:
            say(f"      -  {sql}")


def captured(fn):
    with CaptureQueriesContext(connection) as context:
        result = fn()
    return result, [q["sql"] for q in context.captured_queries]


def claim_kwargs(member_id: str, today, **extra) -> dict:
    kwargs = {
        "member_id": member_id,
        "ndc": data.KESIMPTA_NDC,
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
    """A claim today paid under a one-time override approved just before."""
    approve_override(today, claims_user)
    claim, queries = captured(
        lambda: services.claim_adjudicate(
            submitted_by=claims_user, **claim_kwargs(OVERRIDE_MEMBER, today)
        )
    )
    return QueryCount("c) paid under an override", "paid (override)", _outcome(claim), queries)


def approve_override(today, claims_user) -> None:
    """OVERRIDE_MEMBER with supply on hand (a fill 10 days ago) and an approved one-time
    override (criterion 1): its claim today pays under the override and uses it up."""
    if not Member.objects.filter(member_id=OVERRIDE_MEMBER).exists():
        services.member_create(
            member_id=OVERRIDE_MEMBER,
            first_name="Override",
            last_name="Bench",
            date_of_birth=date(1985, 6, 1),
            line_of_business="commercial",
            plan_name="Bench PPO",
            # Covered before the fill 10 days ago, or that fill is refused (65).
            coverage_start=today - timedelta(days=400),
        )
    # A member made by a run from before coverage dates was covered from its own day only.
    member = Member.objects.get(member_id=OVERRIDE_MEMBER)
    if not member.is_covered_on(today - timedelta(days=10)):
        services.member_coverage_change(
            member_id=OVERRIDE_MEMBER,
            coverage_start=today - timedelta(days=400),
            coverage_end=None,
            reason="benchmark: covered before its fills",
            by=claims_user,
        )
    # Pays the first time in a run (a run's claims are deleted at its start), rejected after.
    services.claim_adjudicate(
        submitted_by=claims_user,
        **claim_kwargs(OVERRIDE_MEMBER, today, date_of_service=today - timedelta(days=10)),
    )
    request = services.override_request_submit(
        member_id=OVERRIDE_MEMBER,
        ndc=data.KESIMPTA_NDC,
        quantity=Decimal("4"),
        days_supply=28,
        channel="retail",
        prescriber_npi=data.PRESCRIBER_NPI,
        urgency="standard",
        criterion_number=1,
        clinical_notes="Benchmark: induction dosing.",
        submitted_by=data.intake_user(),
    )
    services.override_request_decide(
        request_id=request.pk, outcome="approve", by=data.pharmacist_user(), criterion_number=1
    )


def count_request_queries(token: str, pays: list[str], today) -> dict[str, int]:
    """Queries of a whole API request (authentication and role check included), in process."""
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
