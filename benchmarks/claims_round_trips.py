"""Round trips to PostgreSQL per API request, counted on the wire by a proxy
(benchmarks/round_trips.py): a paid claim, a rejected one, one paid under a one-time
override, the durable write and the bare read, each a whole request through Django
(authentication, the health check CONN_HEALTH_CHECKS runs, the role check), sent on a
connection a request before it opened, as in a gunicorn worker.

Import after django.setup().
"""

import json
from dataclasses import dataclass, field

from django.db import connection
from django.test import Client

from benchmarks.claims import CLAIMS_PATH, OVERRIDE_MEMBER, TARGET_ROUND_TRIPS
from benchmarks.claims_queries import approve_override, claim_kwargs
from benchmarks.report import say
from benchmarks.round_trips import RoundTrip, count_request, through_proxy
from benchmarks.urls import BASELINE_PREFIX, DURABLE_WRITE_PREFIX


@dataclass
class RoundTripCount:
    case: str  # one of TARGET_ROUND_TRIPS' keys, or "durable write" / "bare read"
    outcome: str
    trips: list[RoundTrip] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.trips)

    @property
    def target(self) -> int | None:
        return TARGET_ROUND_TRIPS.get(self.case)


def count_and_show(
    args, today, claims_user, token: str, pays: list[str], rejects: list[str]
) -> list[RoundTripCount]:
    """Count each case's round trips, printing them (with -v, what opened each)."""
    say("  counting round trips per request (on the wire, through a proxy) ...")
    counts = count_round_trips(today, claims_user, token, pays, rejects)
    for c in counts:
        target = f"  (target <= {c.target})" if c.target is not None else ""
        say(f"    {c.case:<28} {c.outcome:<16} {c.count} round trips{target}")
        if args.verbose:
            for number, trip in enumerate(c.trips, 1):
                say(f"      {number}. {trip}")
    return counts


def count_round_trips(today, claims_user, token: str, pays, rejects) -> list[RoundTripCount]:
    """`pays`: two members whose claim today pays; `rejects`: one whose claim rejects."""
    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {token}")

    def claim(member_id):
        body = json.dumps({**claim_kwargs(member_id, today), "quantity": "1"}, default=str)
        return lambda: client.post(CLAIMS_PATH, body, content_type="application/json")

    approve_override(today, claims_user)
    cases = [
        ("opens the connection", claim(pays[0])),
        ("paid", claim(pays[1])),
        ("rejected", claim(rejects[0])),
        ("paid under an override", claim(OVERRIDE_MEMBER)),
        ("durable write", lambda: client.post(f"/{DURABLE_WRITE_PREFIX}{rejects[0]}/")),
        ("bare read", lambda: client.get(f"/{BASELINE_PREFIX}{rejects[0]}/")),
    ]
    counts = []
    with through_proxy(connection) as proxy:
        for case, send in cases:
            response, trips = count_request(proxy, send)
            if response.status_code not in (200, 201):
                raise RuntimeError(f"{case}: HTTP {response.status_code}: {response.content}")
            counts.append(RoundTripCount(case, _outcome(response), trips))
    return counts[1:]


def _outcome(response) -> str:
    answer = response.json()
    if "status" not in answer:
        return f"HTTP {response.status_code}"
    if answer["status"] == "paid" and answer.get("override"):
        return "paid (override)"
    return answer["status"]
