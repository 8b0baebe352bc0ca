"""Steps that drive the real HTTP API, shared by scenario, API, web and browser tests."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import time_machine
from django.conf import settings

KESIMPTA_NDC = "00078100768"
# A valid NPI (the check digit holds); synthetic, not a real prescriber.
VALID_NPI = "1234567893"


def at_noon(day: date):
    """Freeze the clock at noon on `day` in the plan's time zone."""
    moment = datetime.combine(day, time(12, 0), tzinfo=ZoneInfo(settings.TIME_ZONE))
    return time_machine.travel(moment, tick=False)


def create_member(client, member_id: str = "M1", **overrides):
    body = {
        "member_id": member_id,
        "first_name": "Test",
        "last_name": f"Member {member_id}",
        "date_of_birth": "1980-04-01",
        "line_of_business": "commercial",
        # Covered long before any date a test uses: tests of the limit are not about
        # eligibility; tests of eligibility give their own dates.
        "coverage_start": "2000-01-01",
    }
    body.update(overrides)
    return client.post("/api/v1/members/", body, format="json")


def submit_claim(client, **fields):
    body = {"ndc": KESIMPTA_NDC, "channel": "retail", "quantity": "1", "days_supply": 28}
    body.update(fields)
    return client.post("/api/v1/claims/", body, format="json")


def submit_request(client, **fields):
    body = {
        "ndc": KESIMPTA_NDC,
        "quantity": "4",
        "days_supply": 28,
        "channel": "retail",
        "prescriber_npi": VALID_NPI,
        "urgency": "standard",
        "criterion_number": 1,
        "clinical_notes": "New to therapy; loading doses weeks 0, 1, 2 and 4.",
    }
    body.update(fields)
    return client.post("/api/v1/override-requests/", body, format="json")


def decide(client, request_id: int, **fields):
    return client.post(f"/api/v1/override-requests/{request_id}/decision/", fields, format="json")
