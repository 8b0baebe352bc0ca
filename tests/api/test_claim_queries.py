"""The claim check's cost in SQL queries stays small and does not grow with history."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from priorauth import services
from tests.support.steps import KESIMPTA_NDC, at_noon, create_member, submit_claim

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 1)


def statements(queries) -> list[str]:
    """Each SQL statement sent, transaction control aside. On PostgreSQL the claim check
    sends its lock and its read in one string (selectors/claim_check.py): two statements,
    one round trip (tests/benchmarks/test_round_trips.py counts those). Only that string
    is split: other SQL may hold a ";" inside a value."""
    sent = []
    for query in queries.captured_queries:
        lock, together, read = query["sql"].partition(" FOR UPDATE; ")
        sent.extend([lock + " FOR UPDATE", read] if together else [lock])
    return [sql for sql in sent if not sql.startswith(("SAVEPOINT", "RELEASE", "BEGIN"))]


def adjudicate(on, **fields):
    values = dict(member_id="M1", ndc=KESIMPTA_NDC, channel="retail", days_supply=28)
    values.update(fields)
    with CaptureQueriesContext(connection) as queries:
        claim = services.claim_adjudicate(date_of_service=on, received_on=on, **values)
    return claim, statements(queries)


@pytest.fixture
def member_with_history(kesimpta, as_intake):
    with at_noon(TODAY):
        create_member(as_intake, "M1")
        for months_ago in range(24, 0, -1):
            claim, _ = adjudicate(TODAY - timedelta(days=28 * months_ago), quantity=1)
            assert claim.status == "paid"


def warm_up(as_intake):
    """Another member's claim today: the policy for this NDC and day is now cached."""
    create_member(as_intake, "M2")
    claim, _ = adjudicate(TODAY, member_id="M2", quantity=1)
    assert claim.status == "paid"


def test_a_claim_that_pays_takes_three_queries_whatever_the_history(member_with_history, as_intake):
    with at_noon(TODAY):
        warm_up(as_intake)
        claim, queries = adjudicate(TODAY, quantity=1)
    assert claim.status == "paid"
    # lock the member, read its fills in reach and its grant in force (one statement;
    # both in one round trip on PostgreSQL, selectors/claim_check.py), insert the claim
    # (the policy is cached)
    assert len(queries) == 3, "\n".join(queries)
    assert "JOIN" in queries[1] and queries[2].startswith("INSERT")


def test_a_rejected_claim_takes_three_queries_too(member_with_history):
    with at_noon(TODAY):
        adjudicate(TODAY, quantity=1)  # pays, and warms the cache for today
        claim, queries = adjudicate(TODAY, quantity=1)
    assert claim.status == "rejected"
    # the override in force was read with the fills, before the rule needed it
    assert len(queries) == 3, "\n".join(queries)


def test_the_first_claim_after_a_policy_change_reads_the_policy_again(member_with_history):
    from policies.models import QuantityLimit

    with at_noon(TODAY):
        adjudicate(TODAY, quantity=1)
        limit = QuantityLimit.objects.get(channel="retail")
        limit.max_quantity = 2
        limit.save()  # in this process: the cached answer is dropped at once
        claim, queries = adjudicate(TODAY, quantity=1)
    assert claim.status == "paid"
    assert claim.limit_max_quantity == 2
    # + the policy and its limit, + the NDCs of all its versions (the member's line of
    # business), + two look-ups for each of the three other lines of business, which no
    # policy manages here: the member's line of business is not known before the round
    # trip that locks the member also reads the fills of every policy that may apply
    assert len(queries) == 3 + 2 + 3 * 2, "\n".join(queries)


def test_without_the_cache_every_claim_reads_the_policy(member_with_history, settings):
    settings.PRIORAUTH_POLICY_CACHE_SECONDS = 0
    with at_noon(TODAY):
        claim, queries = adjudicate(TODAY, quantity=1)
    assert claim.status == "paid"
    assert len(queries) == 3 + 2 + 3 * 2, "\n".join(queries)


def claim_over_http(client):
    with CaptureQueriesContext(connection) as queries:
        answer = submit_claim(client, member_id="M1", date_of_service=TODAY.isoformat())
    return answer, statements(queries)


@pytest.mark.parametrize(
    ("authentication", "expected"),
    [
        # the token, its user and the user's roles in one query, then the claim check's three
        ("priorauth.api.authentication.TokenAuthentication", 4),
        # DRF's own: the token and its user, then the roles, then the claim check's three
        ("rest_framework.authentication.TokenAuthentication", 5),
    ],
)
def test_a_claim_through_the_api_takes_four_queries(
    member_with_history, as_intake, as_claims, monkeypatch, authentication, expected
):
    from django.utils.module_loading import import_string

    from priorauth.api.views import ClaimSubmitView

    monkeypatch.setattr(ClaimSubmitView, "authentication_classes", [import_string(authentication)])
    with at_noon(TODAY):
        warm_up(as_intake)
        answer, queries = claim_over_http(as_claims)
    assert answer.status_code == 201, answer.content
    assert answer.json()["status"] == "paid"
    assert len(queries) == expected, "\n".join(queries)
