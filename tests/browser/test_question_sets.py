"""Question sets in a real Chromium (docs/domain.md §9): intake answers the criterion's
questions and sees the approval with its authorization number; a pharmacist opens a
request the system pended and sees the answers and the reasons."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from priorauth import services
from priorauth.models import Override, OverrideRequest
from tests.support import factories
from tests.support.browser import log_in
from tests.support.questions import INITIATING, REASON_TEXT
from tests.support.steps import KESIMPTA_NDC, VALID_NPI

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def questions(kesimpta):
    """Criterion 1 as the shipped file has it: the "reason" question, 180 days, automatic."""
    return kesimpta.criteria.get(number=1)


@pytest.fixture
def csp_reports(page):
    """Content-Security-Policy violations the browser reports on the pages visited."""
    reports = []
    page.on(
        "console",
        lambda message: (
            reports.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return reports


def fill_the_request(page, *, quantity: str = "4") -> None:
    page.get_by_label("Member ID").fill("N1")
    page.get_by_label("Drug NDC").fill("00078-1007-68")
    page.get_by_label("Quantity").fill(quantity)
    page.get_by_label("Days supply").fill("28")
    page.get_by_label("Channel").select_option("retail")
    page.get_by_label("Prescriber NPI").fill(VALID_NPI)
    page.get_by_label("Urgency").select_option("standard")
    # The option's value names the policy too ("<pk>:1"): chosen by its words.
    page.get_by_label("Criterion the prescriber attests").select_option(
        label="1. Initiating treatment or additional induction dosing"
    )
    page.get_by_label("Clinical notes").fill("Treatment-naive; first dose next week.")


def test_intake_answers_the_questions_and_sees_the_approval_with_its_number(
    page, intake, questions, csp_reports, screenshot
):
    factories.member("N1", first_name="Noor", last_name="New Start")
    log_in(page, "intake")
    page.get_by_role("link", name="New request").first.click()
    fill_the_request(page)
    page.get_by_role("button", name="Submit request").click()

    expect(page.get_by_role("heading", name=re.compile("Criterion 1: Initiating"))).to_be_visible()
    reason = page.get_by_role("group", name=re.compile(re.escape(REASON_TEXT)))
    expect(reason).to_contain_text("(required)")
    screenshot(page, "intake-questions")
    reason.get_by_label(INITIATING).check()
    page.get_by_role("button", name="Submit request").click()

    expect(page.get_by_role("heading", name="Coverage determination: approved")).to_be_visible()
    override = Override.objects.get()
    expect(page.locator(".notice .auth-number")).to_have_text(override.authorization_number)
    expect(page.get_by_role("status").first).to_contain_text("approved automatically by the system")
    expect(page.locator(".notice footer")).to_contain_text("approved automatically by the system")
    screenshot(page, "intake-approved-automatically")
    assert OverrideRequest.objects.get().decision.automatic
    assert csp_reports == []


def test_the_first_field_at_fault_has_the_focus(page, intake, questions):
    factories.member("N1")
    log_in(page, "intake")
    page.goto("/requests/new/")
    fill_the_request(page, quantity="0")
    page.get_by_role("button", name="Submit request").click()
    quantity = page.get_by_label("Quantity")
    expect(quantity).to_be_focused()
    expect(quantity).to_have_accessible_description(
        re.compile("Quantity must be a number greater than 0.")
    )
    assert not OverrideRequest.objects.exists()


def test_a_pharmacist_opens_a_pended_request_and_sees_the_answers_and_the_reasons(
    page, pharmacist, intake, questions, screenshot
):
    factories.member("P1", first_name="Pat", last_name="Pended")
    filled_on = timezone.localdate() - timedelta(days=30)
    services.claim_adjudicate(
        member_id="P1",
        ndc=KESIMPTA_NDC,
        quantity=1,
        days_supply=28,
        channel="retail",
        date_of_service=filled_on,
    )
    factories.kesimpta_request("P1", answers={"reason": INITIATING}, submitted_by=intake)

    log_in(page, "pharmacist")
    page.locator("table.queue tbody tr").first.get_by_role(
        "link", name=re.compile("Pended")
    ).click()
    found = page.get_by_role("region", name="Sent to a pharmacist by the system")
    expect(found).to_be_visible()
    answers = found.get_by_role("table")
    expect(answers.get_by_role("row", name=re.compile(re.escape(REASON_TEXT)))).to_contain_text(
        INITIATING
    )
    expect(answers).to_contain_text("Yes, it supports approval")
    reasons = found.locator("ul.reasons")
    expect(reasons).to_contain_text(f"Last paid fill {filled_on.isoformat()}, 30 days before")
    screenshot(page, "case-pended-by-the-system")
