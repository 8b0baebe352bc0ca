"""An idle session: the page warns before it ends and can renew it; after it has ended,
what the pharmacist typed is still there when they sign in again (ADR 0009)."""

import re

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from priorauth.models import Decision
from tests.support import factories
from tests.support.browser import log_in

pytestmark = pytest.mark.django_db(transaction=True)

REASON = "Criterion 1 is not met: the member has had Kesimpta for two years."


@pytest.fixture
def case(kesimpta, intake):
    factories.member("E1", first_name="Robin", last_name="Case E1")
    return factories.kesimpta_request("E1", urgency="expedited", submitted_by=intake)


def test_a_drafted_deny_reason_survives_the_end_of_the_session(page, pharmacist, case):
    log_in(page, "pharmacist")
    page.goto(f"/requests/{case.pk}/")
    page.get_by_label("Reason (quoted in the notice)").fill(REASON)

    Session.objects.all().delete()  # the server ends the session while the page is open
    page.get_by_role("button", name="Deny…").click()
    page.locator("#deny-dialog").get_by_role("button", name="Deny", exact=True).click()

    expect(page).to_have_url(re.compile(rf"/accounts/login/\?next=/requests/{case.pk}/$"))
    page.get_by_label("Username").fill("pharmacist")
    page.get_by_label("Password").fill("pass-pharmacist")
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(rf"/requests/{case.pk}/$"))
    expect(page.get_by_label("Reason (quoted in the notice)")).to_have_value(REASON)
    expect(page.get_by_text("Your unsent text was restored.")).to_be_visible()
    assert Decision.objects.count() == 0

    page.get_by_role("button", name="Deny…").click()
    page.locator("#deny-dialog").get_by_role("button", name="Deny", exact=True).click()
    expect(page.get_by_text("Denied. The determination notice is ready to print.")).to_be_visible()
    assert Decision.objects.get().reason == REASON
    assert page.evaluate("Object.keys(sessionStorage)") == []


def test_signing_out_forgets_the_drafts(page, pharmacist, case):
    log_in(page, "pharmacist")
    page.goto(f"/requests/{case.pk}/")
    page.get_by_label("Reason (quoted in the notice)").fill(REASON)
    assert page.evaluate("Object.keys(sessionStorage).length") == 1
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert page.evaluate("Object.keys(sessionStorage)") == []


def test_the_page_warns_before_the_session_ends_and_stay_signed_in_renews_it(
    page, pharmacist, screenshot
):
    page.clock.install()
    log_in(page, "pharmacist")
    expect(page).to_have_url(re.compile(r"/queue/$"))
    notice = page.locator("#session-notice")
    expect(notice).to_be_empty()

    before = Session.objects.get().expire_date
    page.clock.fast_forward("13:01")  # two minutes before the 15-minute idle end
    expect(notice).to_have_attribute("role", "status")
    expect(notice).to_contain_text("You will be signed out in about 2 minutes")
    screenshot(page, "idle-warning")
    page.get_by_role("button", name="Stay signed in").click()
    expect(notice).to_contain_text("You are still signed in.")
    assert Session.objects.get().expire_date > before

    page.clock.fast_forward("15:01")
    expect(notice).to_contain_text("Your session has ended because of inactivity.")
    expect(notice.get_by_role("link", name="Sign in again")).to_have_attribute(
        "href", "/accounts/login/?next=%2Fqueue%2F"
    )
