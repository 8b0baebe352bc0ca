"""GET /api/v1/metrics/ (docs/domain.md §7, §11): the selector's figures as JSON, for the
roles that watch them; a bad range is a 400 with field messages; no PHI log entry."""

import pytest

from priorauth import selectors
from priorauth.api.metrics import metrics_document
from priorauth.models import PHIAccess
from tests.support.cast import token_client
from tests.support.metrics import END, NOW, START, at, build_week
from tests.support.steps import at_noon

pytestmark = pytest.mark.django_db
RANGE = {"from": START.isoformat(), "to": END.isoformat()}


@pytest.fixture
def week(kesimpta, intake, pharmacist, pharmacist2, physician):
    return build_week(
        intake=intake, pharmacist=pharmacist, pharmacist2=pharmacist2, physician=physician
    )


def test_the_answer_is_the_selectors_figures_and_no_phi_read_is_logged(week, auditor):
    with at(NOW):
        response = token_client(auditor).get("/api/v1/metrics/", RANGE)
        expected = metrics_document(selectors.metrics_report(start=START, end=END, now=NOW))
    assert response.status_code == 200
    body = response.json()
    assert body == expected
    overall = body["overall"]
    assert (overall["received"], overall["approved_percent"], overall["hours_p90"]) == (
        9,
        "33.3",
        "67.2",
    )
    assert [g["group"] for g in body["by_urgency"]] == ["expedited", "standard"]
    assert body["appeals"] == {"open": 2, "past_due": 1, "due_soon": 1}
    assert (body["start"], body["end"], body["zone"]) == (
        "2026-11-02",
        "2026-11-08",
        "America/New_York",
    )
    assert PHIAccess.objects.count() == 0


def test_the_default_range_is_the_last_30_days_ending_today(db, pharmacist):
    with at_noon(END):
        body = token_client(pharmacist).get("/api/v1/metrics/").json()
    assert (body["start"], body["end"]) == ("2026-10-10", "2026-11-08")
    assert body["overall"]["received"] == 0
    assert body["overall"]["approved_percent"] is None
    assert body["overall"]["hours_mean"] is None


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        (
            {"from": "2026-11-09", "to": "2026-11-08"},
            {
                "from": [
                    "The range starts on 2026-11-09, after it ends (2026-11-08): swap the dates."
                ]
            },
        ),
        ({"from": "2026-02-30"}, {"from": ["Enter a date as YYYY-MM-DD, e.g. 2026-11-02."]}),
        ({"to": "11/08/2026"}, {"to": ["Enter a date as YYYY-MM-DD, e.g. 2026-11-02."]}),
        (
            {"from": "2025-01-01", "to": "2026-01-02"},
            {"to": ["A range is at most 366 days; this one is 367."]},
        ),
    ],
)
def test_a_bad_range_is_a_400_with_field_messages(db, auditor, query, errors):
    response = token_client(auditor).get("/api/v1/metrics/", query)
    assert response.status_code == 400
    assert response.json() == errors


def test_366_days_is_allowed(db, auditor):
    response = token_client(auditor).get(
        "/api/v1/metrics/", {"from": "2024-01-01", "to": "2024-12-31"}
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("pharmacist", 200),
        ("physician", 200),
        ("auditor", 200),
        ("policy_admin", 200),
        ("intake", 403),
        ("claims_system", 403),
        ("stranger", 403),
    ],
)
def test_who_may_read_the_figures(everyone, role, status):
    assert token_client(everyone[role]).get("/api/v1/metrics/").status_code == status
