"""A policy admin, in a browser, prepares a future version of Kesimpta, raises its retail
limit, and sees the change with its diff; then the claim check uses the new limit only
from the new version's first day (through the HTTP API)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from policies.files import load_policy_file
from policies.models import Policy, QuantityLimit
from priorauth import roles
from tests.support.browser import log_in
from tests.support.cast import make_user, token_client
from tests.support.paths import KESIMPTA_FILE
from tests.support.steps import at_noon, create_member, submit_claim

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_policy_admin_raises_the_retail_limit_on_a_future_version(
    page, django_user_model, screenshot
):
    admin_user = make_user(django_user_model, "policyadmin", roles.POLICY_ADMIN)
    admin_user.is_staff = True  # the admin site needs it (seed_demo sets it for policy admins)
    admin_user.save(update_fields=["is_staff"])
    current = load_policy_file(KESIMPTA_FILE).policy
    starts = timezone.localdate() + timedelta(days=30)

    log_in(page, "policyadmin")
    page.goto("/admin/policies/policy/")
    page.get_by_role("link", name=current.title).click()
    page.get_by_role("link", name="Prepare a new version").click()
    page.get_by_label("First day in force").fill(starts.isoformat())
    page.get_by_label("Reason for change").fill("2026 annual review")
    page.get_by_role("button", name="Prepare the new version").click()
    expect(page.get_by_text(f"Prepared the version from {starts}")).to_be_visible()

    page.locator('input[name="limits-0-max_quantity"]').fill("2")
    page.get_by_label("Reason for change").fill("P&T decision: two pens per 28 days")
    page.get_by_role("button", name="Save and continue editing").first.click()

    history = page.locator(".policy-history")
    newest = history.locator(".change-set").first
    expect(newest).to_contain_text("policyadmin")
    expect(newest).to_contain_text("P&T decision: two pens per 28 days")
    expect(newest.locator("tr.diff-changed")).to_contain_text("Limit (retail) changed")
    expect(newest.locator("del")).to_have_text("1")
    expect(newest.locator("ins")).to_have_text("2")
    screenshot(page, "policy-admin-new-version-diff")

    new = Policy.objects.get(code=current.code, effective_from=starts)
    current.refresh_from_db()
    assert current.effective_to == starts - timedelta(days=1)
    assert QuantityLimit.objects.get(policy=new, channel="retail").max_quantity == Decimal(2)
    assert QuantityLimit.objects.get(policy=current, channel="retail").max_quantity == Decimal(1)

    # The claim check, through the API, once both days are in the past.
    claims = token_client(make_user(django_user_model, "claims", roles.CLAIMS_SYSTEM))
    intake = token_client(make_user(django_user_model, "intake", roles.INTAKE))
    with at_noon(starts + timedelta(days=5)):
        statuses = {}
        for member_id, day in (("BEFORE", starts - timedelta(days=1)), ("FROM", starts)):
            assert create_member(intake, member_id).status_code == 201
            response = submit_claim(
                claims,
                member_id=member_id,
                quantity="2",
                days_supply=28,
                date_of_service=day.isoformat(),
            )
            statuses[member_id] = response.json()["status"]
    assert statuses == {"BEFORE": "rejected", "FROM": "paid"}
