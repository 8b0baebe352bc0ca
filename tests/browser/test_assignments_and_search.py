"""Assignments and search in a real Chromium, at 1366x768 and 390x844 (issue 13, items 3
and 4): deciding a colleague's case asks in a dialog (or, without JavaScript, on a page)
and reassigns it; the deny reason starts empty with the policy's sentence offered; search
finds a closed request by NDC. Screenshots in tests/artifacts/."""

import re

import pytest
from playwright.sync_api import expect

from priorauth import services
from priorauth.models import Decision, OverrideRequest
from tests.support import factories
from tests.support.browser import LAPTOP, log_in

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
VIEWPORTS = {"laptop": LAPTOP, "phone": PHONE}
POLICY_SENTENCE = "Any other exception is considered not medically necessary."


@pytest.fixture(params=sorted(VIEWPORTS))
def viewport(request):
    return request.param


def _page(browser, live_server, viewport: str, *, javascript: bool = True):
    context = browser.new_context(
        viewport=VIEWPORTS[viewport], base_url=live_server.url, java_script_enabled=javascript
    )
    context.set_default_timeout(15_000)
    return context, context.new_page()


@pytest.fixture
def held(kesimpta, pharmacist):
    """Two requests Dana Reyes (pharmacist) took."""
    pharmacist.first_name, pharmacist.last_name = "Dana", "Reyes"
    pharmacist.save()
    held = []
    for member_id in ("B1", "B2"):
        factories.member(member_id, first_name="Robin", last_name=f"Held {member_id}")
        request = factories.kesimpta_request(member_id, criterion_number=None)
        services.override_request_take(request_id=request.pk, by=pharmacist)
        held.append(request)
    return held


def test_taking_over_a_colleagues_case_asks_in_a_dialog_and_reassigns_it(
    browser, live_server, held, pharmacist2, viewport, screenshot
):
    context, page = _page(browser, live_server, viewport)
    approve_me, deny_me = held
    log_in(page, "pharmacist2")
    page.goto(f"/requests/{approve_me.pk}/")
    notice = "Assigned to Dana Reyes. Deciding it reassigns it to you."
    expect(page.locator("#take-over-notice")).to_have_text(notice)
    page.get_by_label("Criterion that is met").select_option("1")
    page.get_by_role("button", name="Approve…").click()
    dialog = page.locator("#approve-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(notice)
    expect(dialog.locator("[data-when-criterion='1']")).to_contain_text(
        "Creates authorization for 4 pens per 28 days at retail or 6 pens per 84 days at "
        "home delivery until"
    )
    screenshot(page, f"take-over-approve-dialog-{viewport}")
    dialog.get_by_role("button", name="Approve", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("Approved. Override")
    approve_me.refresh_from_db()
    assert (approve_me.status, approve_me.assigned_to) == ("approved", pharmacist2)

    # Deny: the reason starts empty; the policy's sentence is one click away.
    page.goto(f"/requests/{deny_me.pk}/")
    reason = page.get_by_label("Reason (quoted in the notice)")
    expect(reason).to_have_value("")
    page.get_by_role("link", name="Use the policy's sentence").click()
    expect(reason).to_have_value(POLICY_SENTENCE)
    reason.fill("")
    page.get_by_role("button", name="Deny…").click()  # empty: refused beside the field
    expect(page.locator("#deny-error")).to_have_text("A denial needs a reason.")
    page.get_by_label("Reason (quoted in the notice)").fill("No sign that treatment starts now.")
    page.get_by_role("button", name="Deny…").click()
    dialog = page.locator("#deny-dialog")
    expect(dialog).to_contain_text("The member will be told:")
    expect(dialog).to_contain_text("“No sign that treatment starts now.”")
    screenshot(page, f"take-over-deny-dialog-{viewport}")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    assert Decision.objects.filter(request=deny_me).count() == 0
    context.close()


def test_without_javascript_the_confirmation_is_a_page(
    browser, live_server, held, pharmacist2, viewport, screenshot
):
    context, page = _page(browser, live_server, viewport, javascript=False)
    deny_me = held[1]
    log_in(page, "pharmacist2")
    page.goto(f"/requests/{deny_me.pk}/")
    page.get_by_role("link", name="Use the policy's sentence").click()  # the server fills it
    expect(page.get_by_label("Reason (quoted in the notice)")).to_have_value(POLICY_SENTENCE)
    page.get_by_role("button", name="Deny…").click()
    expect(page.get_by_role("heading", name=f"Deny request {deny_me.pk}?")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_text(
        "Assigned to Dana Reyes. Deciding it reassigns it to you."
    )
    expect(page.get_by_text(f"“{POLICY_SENTENCE}”")).to_be_visible()
    screenshot(page, f"take-over-deny-page-{viewport}")
    page.get_by_role("button", name="Deny", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/requests/{deny_me.pk}/$"))
    deny_me.refresh_from_db()
    assert (deny_me.status, deny_me.assigned_to) == ("denied", pharmacist2)
    reasons = list(
        OverrideRequest.history.filter(id=deny_me.pk).values_list(
            "history_change_reason", flat=True
        )
    )
    assert "reassigned from pharmacist to pharmacist2 to decide" in reasons
    context.close()


def test_search_finds_a_closed_request_by_ndc(
    browser, live_server, kesimpta, pharmacist, viewport, screenshot
):
    factories.member("S1", first_name="Sasha", last_name="Closed")
    closed = factories.kesimpta_request("S1", criterion_number=None)
    override = factories.approve(closed).override
    context, page = _page(browser, live_server, viewport)
    log_in(page, "pharmacist")
    if viewport == "laptop":
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    else:
        page.goto("/search/")
    page.get_by_label("Member, number, drug, NDC or NPI").fill("00078-1007-68")
    page.get_by_label("Status").select_option("closed")
    page.get_by_role("button", name="Search").click()
    results = page.locator("table.search-results")
    expect(results).to_contain_text(f"Request {closed.pk}")
    expect(results).to_contain_text("Closed, Sasha")
    expect(results).to_contain_text("00078-1007-68")
    expect(results).to_contain_text("approved")
    screenshot(page, f"search-by-ndc-{viewport}")
    page.get_by_label("Member, number, drug, NDC or NPI").fill(override.authorization_number)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=f"Request {closed.pk}").click()
    expect(page).to_have_url(re.compile(rf"/requests/{closed.pk}/$"))
    context.close()
