"""The claim check's cost in SQL queries stays small and does not grow with history."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from priorauth import services
from tests.steps import KESIMPTA_NDC, at_noon, create_member

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 1)


def adjudicate(on, **fields):
    values = dict(member_id="M1", ndc=KESIMPTA_NDC, channel="retail", days_supply=28)
    values.update(fields)
    with CaptureQueriesContext(connection) as queries:
        claim = services.claim_adjudicate(date_of_service=on, **values)
    return claim, [
        q["sql"]
        for q in queries.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE", "BEGIN"))
    ]


@pytest.fixture
def member_with_history(kesimpta, as_intake):
    with at_noon(TODAY):
        create_member(as_intake, "M1")
        for months_ago in range(24, 0, -1):
            claim, _ = adjudicate(TODAY - timedelta(days=28 * months_ago), quantity=1)
            assert claim.status == "paid"


def test_a_claim_that_pays_takes_four_queries_whatever_the_history(member_with_history):
    with at_noon(TODAY):
        claim, queries = adjudicate(TODAY, quantity=1)
    assert claim.status == "paid"
    # lock member, policy + limit, fills in reach, insert claim
    assert len(queries) == 4, "\n".join(queries)


def test_a_rejected_claim_takes_five_queries(member_with_history):
    with at_noon(TODAY):
        adjudicate(TODAY, quantity=1)
        claim, queries = adjudicate(TODAY, quantity=1)
    assert claim.status == "rejected"
    # ... plus the look-up of an override in force
    assert len(queries) == 5, "\n".join(queries)
