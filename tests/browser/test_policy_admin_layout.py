"""The policy admin at 1,366 pixels: no page is wider than the screen, and a grant that
contradicts its criterion's text is saved with a warning the admin sees."""

import pytest
from playwright.sync_api import expect

from policies.models import CriterionGrant
from tests.support.browser import log_in
from tests.support.pages import DEMO_PASSWORD, policy_admin_pages, seed_everything

pytestmark = pytest.mark.django_db(transaction=True)

SCREEN = 1366  # the page fixture's viewport (tests.support.browser.LAPTOP)


def test_no_policy_admin_page_is_wider_than_a_1366_pixel_screen(page, db, screenshot):
    seed_everything()
    too_wide = {}
    for user in ("policyadmin", "auditor"):
        log_in(page, user, DEMO_PASSWORD)
        for spec in policy_admin_pages():
            if spec.user != user:
                continue
            page.goto(spec.path)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > SCREEN:
                too_wide[spec.name] = width
                screenshot(page, f"too-wide-{spec.name}")
        page.context.clear_cookies()
    assert too_wide == {}, f"wider than {SCREEN} px: {too_wide}"


def test_a_grant_that_contradicts_the_text_is_saved_and_the_admin_is_warned(page, db, screenshot):
    seed_everything()
    spec = next(p for p in policy_admin_pages() if p.name == "admin-policy-change")
    log_in(page, "policyadmin", DEMO_PASSWORD)
    page.goto(spec.path)
    page.get_by_label("Grant at retail: quantity").first.fill("5")
    page.get_by_label("Reason for change").fill("P&T: five pens at retail")
    page.get_by_role("button", name="Save and continue editing").first.click()

    warning = page.locator("ul.messagelist li.warning").first
    expect(warning).to_contain_text("Criterion 1's text says 4 pens per 28 days at retail")
    expect(warning).to_contain_text("its grant is 5 per 28 days at retail")
    expect(page.locator("ul.messagelist li.success")).to_be_visible()
    expect(page.get_by_label("Grant at retail: quantity").first).to_have_value("5")
    screenshot(page, "policy-admin-grant-warning")
    assert CriterionGrant.objects.filter(max_quantity=5, channel="retail").exists()
