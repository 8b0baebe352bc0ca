"""Appeals in a real Chromium (docs/domain.md §10): intake appeals a denial from "My
requests"; a pharmacist who did not deny it overturns it, or a physician reviewer upholds
it; the denier is told why they cannot; the notice says what follows."""

import re

import pytest
from playwright.sync_api import expect

from priorauth.models import Appeal, Override
from tests.support import factories
from tests.support.browser import log_in

pytestmark = pytest.mark.django_db(transaction=True)

REASON = "Neurology note: newly diagnosed and treatment-naive; this is initiation."


@pytest.fixture
def denied(kesimpta, intake, pharmacist):
    return factories.denied(
        "A1",
        submitted_by=intake,
        denied_by=pharmacist,
        first_name="Robin",
        last_name="Appellant",
        reason="No evidence that treatment is being initiated.",
    )


def file_the_appeal(page, denied) -> Appeal:
    log_in(page, "intake")
    expect(page).to_have_url(re.compile(r"/requests/mine/$"))
    page.get_by_role("link", name=f"Appeal the denial of request {denied.pk}").click()
    expect(
        page.get_by_role("heading", name=f"Appeal the denial of request {denied.pk}")
    ).to_be_visible()
    expect(page.get_by_text("No evidence that treatment is being initiated.")).to_be_visible()
    page.get_by_role("button", name="File the appeal").click()  # nothing typed yet
    expect(page.locator("#id_reason_error")).to_have_text("Say why the denial should be reversed.")
    expect(page.get_by_label("Why the denial should be reversed")).to_be_focused()
    page.get_by_label("Why the denial should be reversed").fill(REASON)
    page.get_by_label("Urgency").select_option("expedited")
    page.get_by_label("Clinical notes").fill("Consult note of 2026-10-30 attached.")
    page.get_by_role("button", name="File the appeal").click()
    expect(page).to_have_url(re.compile(r"/requests/mine/$"))
    appeal = Appeal.objects.get()
    expect(page.get_by_role("status").first).to_contain_text(
        f"Appeal {appeal.pk} of request {denied.pk} received; it will be decided by"
    )
    expect(page.locator("table.grid")).to_contain_text(f"Appeal {appeal.pk}: pending")
    sign_out(page)
    return appeal


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def open_from_the_queue(page, username: str, appeal: Appeal) -> None:
    log_in(page, username)
    row = page.locator("table.queue tbody tr").filter(has_text="Appellant")
    expect(row).to_contain_text("Appeal")  # the marker, in words
    row.get_by_role("link", name=re.compile("Appellant")).click()
    expect(page).to_have_url(re.compile(rf"/appeals/{appeal.pk}/$"))
    expect(
        page.get_by_role("heading", name=re.compile(f"Appeal {appeal.pk} of request"))
    ).to_be_visible()


def test_intake_appeals_and_a_pharmacist_who_did_not_deny_overturns(
    page, denied, pharmacist2, screenshot
):
    appeal = file_the_appeal(page, denied)

    log_in(page, "pharmacist")  # the denier
    page.goto(f"/appeals/{appeal.pk}/")
    expect(page.locator("#why-not")).to_contain_text(f"You denied request {denied.pk}")
    expect(page.get_by_role("button", name="Overturn")).to_have_count(0)
    sign_out(page)

    open_from_the_queue(page, "pharmacist2", appeal)
    expect(page.locator(".appeal-reason")).to_have_text(REASON)
    expect(page.locator(".denier")).to_have_text("pharmacist")
    expect(page.get_by_role("button", name="Uphold")).to_have_count(0)
    screenshot(page, "appeal-case")
    page.get_by_label("Criterion that is met").select_option("1")
    page.get_by_role("button", name="Overturn…").click()
    dialog = page.locator("#overturn-dialog")
    expect(dialog).to_contain_text("Creates authorization for 4 pens per 28 days at retail")
    dialog.get_by_role("button", name="Overturn", exact=True).click()
    expect(page.locator(".override-created")).to_be_visible()
    override = Override.objects.get()
    expect(page.get_by_role("status").first).to_contain_text(override.authorization_number)

    page.get_by_role("link", name="Appeal notice").click()
    expect(page.get_by_role("heading", name="Appeal decision: denial overturned")).to_be_visible()
    expect(page.locator(".notice .auth-number")).to_have_text(override.authorization_number)
    expect(page.locator(".authorized")).to_contain_text("4 pens per 28 days at retail")
    screenshot(page, "appeal-notice-overturned")


def test_a_physician_reviewer_upholds_and_the_notice_names_the_next_level(
    page, denied, physician, screenshot
):
    appeal = file_the_appeal(page, denied)
    open_from_the_queue(page, "physician", appeal)
    page.get_by_role("button", name="Uphold…").click()  # no reason yet
    expect(page.locator("#uphold-error")).to_have_text("A denial needs a reason.")
    page.get_by_label("Reason (quoted in the notice)").fill(
        "No claim or note shows a start; the prescriber's letter describes maintenance."
    )
    page.get_by_role("button", name="Uphold…").click()
    dialog = page.locator("#uphold-dialog")
    expect(dialog).to_contain_text("The member will be told:")
    dialog.get_by_role("button", name="Uphold", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("Upheld.")

    page.get_by_role("link", name="Appeal notice").click()
    expect(page.get_by_role("heading", name="Appeal decision: denial upheld")).to_be_visible()
    expect(page.locator(".decider")).to_contain_text("physician, Physician reviewer")
    expect(page.locator(".next-level")).to_have_text(
        "an external review by an Independent Review Organization"
    )
    screenshot(page, "appeal-notice-upheld")
    assert Appeal.objects.get().decision.decided_role == "Physician reviewer"
    assert not Override.objects.exists()
