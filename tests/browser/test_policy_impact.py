"""A policy admin, in a browser, runs "Show the impact" on a draft of Kesimpta with a
tighter retail limit and reads the summary (the replay runs as a Celery task, in the
server's process here: tests/impact/conftest.py)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from policies.files import load_policy_file
from priorauth import roles, services
from tests.impact.conftest import tasks_run_here  # noqa: F401 - a fixture
from tests.support import factories
from tests.support.browser import log_in
from tests.support.cast import make_user
from tests.support.impact import draft_with_limit
from tests.support.paths import KESIMPTA_FILE

pytestmark = pytest.mark.django_db(transaction=True)


def test_show_the_impact_from_the_version_page(
    page,
    django_user_model,
    screenshot,
    tasks_run_here,  # noqa: F811
):
    admin_user = make_user(django_user_model, "policyadmin", roles.POLICY_ADMIN)
    admin_user.is_staff = True
    admin_user.save(update_fields=["is_staff"])
    current = load_policy_file(KESIMPTA_FILE).policy
    today = timezone.localdate()
    factories.member("B1")
    for offset in (40, 12):
        services.claim_adjudicate(
            member_id="B1", ndc="00078100768", quantity=Decimal(1), days_supply=28,
            channel="retail", date_of_service=today - timedelta(days=offset),
            received_on=today - timedelta(days=offset),
        )  # fmt: skip
    draft = draft_with_limit(current, channel="retail", max_quantity="1", per_days=30, today=today)

    log_in(page, "policyadmin")
    page.goto(f"/admin/policies/policy/{draft.pk}/change/")
    expect(page.locator("#policy-impact")).to_contain_text("No replay of this version yet.")
    page.get_by_role("button", name="Show the impact").click()

    summary = page.locator("#impact-summary")
    expect(summary).to_contain_text("What this version would change")
    expect(summary.locator('[data-figure="now_rejected"]')).to_have_text("2")
    expect(summary.locator('[data-figure="members_affected"]')).to_have_text("1")
    expect(page.get_by_role("img", name="Claims whose outcome would change")).to_be_visible()
    expect(page.get_by_text("Your role does not read members")).to_be_visible()
    screenshot(page, "policy-impact-summary")

    page.get_by_role("link", name="Back to the version").click()
    expect(page.locator("#policy-impact")).to_contain_text("may be made effective")
