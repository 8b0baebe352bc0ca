"""A pharmacist works a case end to end in a real Chromium; others cannot reach decisions."""

import re

import pytest
from playwright.sync_api import expect

from priorauth.models import Decision, Override
from tests.support import factories
from tests.support.browser import log_in
from tests.support.data import SEED_CRITERION

pytestmark = pytest.mark.django_db(transaction=True)


def submit(member_id: str, urgency: str, intake=None):
    factories.member(member_id, first_name="Robin", last_name=f"Case {member_id}")
    return factories.kesimpta_request(
        member_id,
        urgency=urgency,
        clinical_notes="New to ofatumumab; induction weeks 0, 1, 2, 4.",
        submitted_by=intake,
    )


@pytest.fixture
def queue(kesimpta, intake):
    standard = [submit(f"S{n}", "standard", intake) for n in range(3)]
    expedited = submit("E1", "expedited", intake)
    return {"standard": standard, "expedited": expedited}


def test_a_pharmacist_approves_the_expedited_request_at_the_top_of_the_queue(
    page, pharmacist, queue, screenshot
):
    log_in(page, "pharmacist")
    expect(page).to_have_url(re.compile(r"/queue/$"))
    first_row = page.locator("table.queue tbody tr").first
    expect(first_row).to_contain_text("Expedited")
    expect(first_row).to_contain_text("E1")
    screenshot(page, "queue")

    first_row.get_by_role("link", name=re.compile("Case E1")).click()
    expect(page.get_by_role("heading", name=re.compile("Criterion 1"))).to_be_visible()
    expect(page.locator(".criterion.attested .criterion-text")).to_have_text(SEED_CRITERION)
    expect(page.get_by_text("the member appears new to this therapy")).to_be_visible()
    screenshot(page, "case")

    page.get_by_label("Criterion that is met").select_option("1")
    page.get_by_role("button", name="Approve…").click()
    dialog = page.locator("#approve-dialog")
    expect(dialog).to_contain_text("Creates authorization for 4 pens per 28 days at retail")
    dialog.get_by_role("button", name="Approve", exact=True).click()
    expect(page.locator(".override-created")).to_be_visible()
    override = Override.objects.get()
    expect(page.get_by_role("status").first).to_contain_text(override.authorization_number)
    expect(page.locator(".override-created")).to_contain_text(override.authorization_number)

    page.get_by_role("link", name="Determination notice").click()
    expect(page.get_by_role("heading", name="Coverage determination: approved")).to_be_visible()
    expect(page.locator(".notice .auth-number")).to_have_text(override.authorization_number)
    screenshot(page, "notice")


def test_a_denial_without_a_reason_is_refused_in_the_page(page, pharmacist, queue):
    log_in(page, "pharmacist")
    page.goto(f"/requests/{queue['expedited'].pk}/")
    reason = page.get_by_label("Reason (quoted in the notice)")
    expect(reason).to_have_value("")  # the policy's sentence is offered, not assumed
    page.get_by_role("button", name="Deny…").click()
    expect(page.locator("#deny-error")).to_have_text("A denial needs a reason.")
    assert Decision.objects.count() == 0


def test_an_intake_user_cannot_reach_the_decision_form(page, queue):
    log_in(page, "intake")
    expect(page).to_have_url(re.compile(r"/requests/mine/$"))
    expect(page.get_by_role("link", name="Work queue")).to_have_count(0)
    page.goto(f"/requests/{queue['expedited'].pk}/")
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(page.get_by_role("button", name="Approve…")).to_have_count(0)


def test_the_case_page_can_be_worked_with_the_keyboard(page, pharmacist, queue):
    log_in(page, "pharmacist")
    page.goto(f"/requests/{queue['expedited'].pk}/")
    page.get_by_label("Criterion that is met").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Approve…")).to_be_focused()
    page.keyboard.press("Enter")
    # The dialog takes the focus: its first button confirms.
    expect(
        page.locator("#approve-dialog").get_by_role("button", name="Approve", exact=True)
    ).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".override-created")).to_be_visible()
