"""Eligibility and the claim window (docs/domain.md §8): no claim pays outside coverage or
past the filing window, whatever its quantity, and neither kind of reject uses anything."""

from datetime import date, timedelta

import pytest

from priorauth.models import Claim, Member, Override, OverrideStatus
from tests.support.steps import at_noon, create_member, decide, submit_claim, submit_request

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 1)
COVERED_FROM = date(2026, 4, 1)  # inside the 90-day filing window of TODAY
COVERED_TO = date(2026, 12, 31)


@pytest.fixture
def member(kesimpta, as_intake):
    with at_noon(TODAY):
        response = create_member(
            as_intake,
            "M1",
            coverage_start=COVERED_FROM.isoformat(),
            coverage_end=COVERED_TO.isoformat(),
        )
    assert response.status_code == 201, response.json()
    return response.json()


@pytest.fixture
def long_covered(kesimpta, as_intake):
    """A member covered for years: only the filing window can refuse their claims."""
    with at_noon(TODAY):
        assert create_member(as_intake, "M9").status_code == 201
    return "M9"


def claim_on(as_claims, on: date, today: date = TODAY, member_id: str = "M1", **fields):
    with at_noon(today):
        response = submit_claim(
            as_claims, member_id=member_id, date_of_service=on.isoformat(), **fields
        )
    assert response.status_code == 201, response.json()
    return response.json()


def test_a_member_is_created_with_the_coverage_it_was_given(member):
    assert (member["coverage_start"], member["coverage_end"]) == ("2026-04-01", "2026-12-31")


def test_a_member_created_without_dates_is_covered_from_that_day_on(kesimpta, as_intake):
    with at_noon(TODAY):
        response = as_intake.post(
            "/api/v1/members/",
            {
                "member_id": "M3",
                "first_name": "A",
                "last_name": "B",
                "date_of_birth": "1980-01-01",
                "line_of_business": "commercial",
            },
            format="json",
        )
    assert (response.json()["coverage_start"], response.json()["coverage_end"]) == (
        TODAY.isoformat(),
        None,
    )


def test_coverage_that_ends_before_it_starts_is_refused_and_nothing_is_written(kesimpta, as_intake):
    with at_noon(TODAY):
        response = create_member(
            as_intake, "M4", coverage_start="2026-05-01", coverage_end="2026-04-30"
        )
    assert response.status_code == 400
    assert response.json()["coverage_end"] == [
        "Coverage cannot end (2026-04-30) before it starts (2026-05-01)."
    ]
    assert not Member.objects.filter(member_id="M4").exists()


@pytest.mark.parametrize(
    ("on", "today"),
    [
        (COVERED_FROM - timedelta(days=1), TODAY),
        (COVERED_TO + timedelta(days=1), COVERED_TO + timedelta(days=5)),
    ],
)
def test_a_claim_outside_coverage_is_rejected_65(member, as_claims, on, today):
    body = claim_on(as_claims, on, today=today)
    assert (body["status"], body["reject_code"]) == ("rejected", "65")
    assert body["message"] == (
        f"Patient not covered (NCPDP 65): member M1 is not covered on {on} "
        "(coverage 2026-04-01 to 2026-12-31)."
    )
    assert body["limit"] is None and body["override"] is None


@pytest.mark.parametrize("on", [COVERED_FROM, COVERED_TO])
def test_the_first_and_last_days_of_coverage_are_covered(member, as_claims, on):
    body = claim_on(as_claims, on, today=max(on, TODAY))
    assert body["status"] == "paid", body["message"]


def test_a_claim_filed_on_the_last_day_of_the_window_is_checked_against_the_limit(
    long_covered, as_claims, settings
):
    settings.PRIORAUTH_TIMELY_FILING_DAYS = 90
    body = claim_on(as_claims, TODAY - timedelta(days=90), member_id=long_covered)
    assert body["status"] == "paid"
    body = claim_on(as_claims, TODAY - timedelta(days=90), member_id=long_covered)
    assert (body["status"], body["reject_code"]) == ("rejected", "76")


def test_a_claim_a_day_older_than_the_window_is_rejected_81(long_covered, as_claims, settings):
    settings.PRIORAUTH_TIMELY_FILING_DAYS = 90
    on = TODAY - timedelta(days=91)
    body = claim_on(as_claims, on, member_id=long_covered)
    assert (body["status"], body["reject_code"]) == ("rejected", "81")
    assert body["message"] == (
        f"Claim too old (NCPDP 81): the date of service {on} is more than 90 days before "
        f"{TODAY}; claims for {TODAY - timedelta(days=90)} or later are accepted."
    )


def test_a_claim_dated_year_one_for_millions_of_pens_pays_nothing(long_covered, as_claims):
    body = claim_on(as_claims, date(1, 1, 1), member_id=long_covered, quantity="9999999")
    assert (body["status"], body["reject_code"]) == ("rejected", "81")
    assert Claim.objects.filter(status="paid").count() == 0


def test_rejects_for_coverage_or_age_use_no_override(member, as_claims, as_intake, as_pharmacist):
    with at_noon(TODAY):
        request_id = submit_request(as_intake, member_id="M1").json()["id"]
        decide(as_pharmacist, request_id, decision="approve", criterion_number=1)
    override = Override.objects.get()
    for on, code in ((TODAY - timedelta(days=200), "81"), (date(2026, 3, 31), "65")):
        body = claim_on(as_claims, on, quantity="4")
        assert (body["reject_code"], body["override"]) == (code, None)
    override.refresh_from_db()
    assert override.status == OverrideStatus.ACTIVE
    assert claim_on(as_claims, TODAY, quantity="4")["override"] is not None


def test_a_member_read_shows_the_coverage(member, as_pharmacist):
    with at_noon(TODAY):
        body = as_pharmacist.get("/api/v1/members/M1/").json()
    assert (body["coverage_start"], body["coverage_end"]) == ("2026-04-01", "2026-12-31")
