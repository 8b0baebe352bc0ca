"""Round trips to PostgreSQL per API request, counted on the wire (benchmarks/round_trips.py):
the claim check stays at the floor of a durable write (issue 14, ADR 0020).

Counts, not timings: a request on an open connection, the way a gunicorn worker serves
it, with Django's health check included."""

from datetime import date, timedelta

import pytest
from django.db import connection

from benchmarks.round_trips import count_request, through_proxy
from benchmarks.urls import BASELINE_PREFIX, DURABLE_WRITE_PREFIX
from tests.support.steps import at_noon, create_member, decide, submit_claim, submit_request

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("benchmarks.urls"),
]

TODAY = date(2026, 6, 1)
# The durable-write floor: health check, token with roles, BEGIN, lock, INSERT, COMMIT.
FLOOR = 6


@pytest.fixture
def scene(kesimpta, as_intake, as_claims, as_pharmacist):
    """Members whose claim today pays (M1, M2), is rejected as an early refill (M3), or
    pays under an approved one-time override (M4); M5 for the durable write."""
    with at_noon(TODAY - timedelta(days=10)):
        for member_id in ("M1", "M2", "M3", "M4", "M5"):
            assert create_member(as_intake, member_id).status_code == 201
        for member_id in ("M3", "M4"):
            answer = submit_claim(as_claims, member_id=member_id)
            assert answer.json()["status"] == "paid"
    with at_noon(TODAY):
        request_id = submit_request(as_intake, member_id="M4").json()["id"]
        answer = decide(as_pharmacist, request_id, decision="approve", criterion_number=1)
        assert answer.status_code == 200, answer.content
    connection.close()


def round_trips_of(as_claims, *requests):
    """The round trips of each request after the first, each sent on the connection the
    one before used: the first opens it (and a claim fills the policy cache), as a
    worker's first request does."""
    counts = []
    with at_noon(TODAY), through_proxy(connection) as proxy:
        for send, expected_status, outcome in requests:
            answer, round_trips = count_request(proxy, lambda send=send: send(as_claims))
            assert answer.status_code == expected_status, answer.content
            if outcome is not None:
                assert (answer.json()["status"], answer.json()["override"] is not None) == outcome
            counts.append(round_trips)
    return counts[1:]


def described(**requests) -> str:
    """Each request's round trips and the SQL that opened each, for a failure's message."""
    return "\n".join(
        f"{name}: {len(trips)}\n" + "\n".join(f"  {trip}" for trip in trips)
        for name, trips in requests.items()
    )


def claim_for(member_id):
    return lambda client: submit_claim(client, member_id=member_id)


def durable_write(client):
    return client.post(f"/{DURABLE_WRITE_PREFIX}M5/")


def bare_read(client):
    return client.get(f"/{BASELINE_PREFIX}M5/")


def test_a_paid_and_a_rejected_claim_make_no_more_round_trips_than_a_durable_write(
    scene, as_claims
):
    paid, rejected, override, write, read = round_trips_of(
        as_claims,
        (claim_for("M2"), 201, ("paid", False)),
        (claim_for("M1"), 201, ("paid", False)),
        (claim_for("M3"), 201, ("rejected", False)),
        (claim_for("M4"), 201, ("paid", True)),
        (durable_write, 201, None),
        (bare_read, 200, None),
    )
    shown = described(paid=paid, rejected=rejected, override=override, write=write, read=read)
    assert len(write) <= FLOOR, shown
    assert len(paid) <= FLOOR, shown
    assert len(rejected) <= FLOOR, shown
    # + the override used up and its history row
    assert len(override) <= FLOOR + 2, shown
    # health check, token with roles, the read: nothing is counted twice or left out
    assert len(read) == 3, shown


def test_the_health_check_is_a_round_trip_of_its_own(scene, as_claims):
    """The count sees what Django's query log does not: with the health check switched
    off, the same bare read makes one round trip fewer."""
    with_check = round_trips_of(as_claims, (bare_read, 200, None), (bare_read, 200, None))
    connection.settings_dict["CONN_HEALTH_CHECKS"] = False
    try:
        without_check = round_trips_of(as_claims, (bare_read, 200, None), (bare_read, 200, None))
    finally:
        connection.settings_dict["CONN_HEALTH_CHECKS"] = True
    assert [len(with_check[0]), len(without_check[0])] == [3, 2], described(
        with_check=with_check[0], without_check=without_check[0]
    )
