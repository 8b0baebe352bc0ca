"""Issue 15's "done when": a draft of Kesimpta with 1 pen per 30 days at retail shows, on
the demo data, exactly the claims that a direct re-adjudication under it would reject."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from priorauth import services
from priorauth.models import ImpactStatus
from tests.support.impact import changed_claims, draft_with_limit, readjudicate_under

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(kesimpta):
    call_command("seed_demo", "--members", "40", "--force", stdout=io.StringIO())
    return kesimpta


def test_tightening_retail_shows_exactly_what_a_direct_readjudication_rejects(seeded):
    today = timezone.localdate()
    draft = draft_with_limit(seeded, channel="retail", max_quantity="1", per_days=30, today=today)
    report = services.impact_report_run_now(policy_id=draft.pk, days=90, today=today)
    assert report.status == ImpactStatus.DONE, report.error
    assert report.summary["old_version_differs_from_stored"] == 0
    rejected, paid = changed_claims(report)
    assert rejected, "a tighter retail limit must reject some demo refill"

    direct = readjudicate_under(draft, first_day=report.first_day, last_day=report.last_day)

    assert rejected == direct.now_rejected
    assert paid == direct.now_paid == set()
    assert report.summary["now_rejected"] == len(rejected)
    assert report.summary["by_channel"]["retail"]["now_rejected"] == len(rejected)
    assert "home_delivery" not in report.summary["by_channel"]
