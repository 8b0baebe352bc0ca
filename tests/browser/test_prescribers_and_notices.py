"""Issue 13, items 1 and 7 in Chromium at 1366x768 and 390x844: the case page shows the
prescriber with phone and fax, the notice names plan, units, decider and prescriber and
downloads as a PDF, and intake sees the prescriber's name as the NPI is typed."""

import re

import pytest
from playwright.sync_api import expect

from priorauth import services
from tests.support import factories
from tests.support.browser import log_in
from tests.support.steps import VALID_NPI

pytestmark = pytest.mark.django_db(transaction=True)

VIEWPORTS = {"laptop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def approved(kesimpta, intake, pharmacist):
    pharmacist.first_name, pharmacist.last_name = "Morgan", "Reyes"
    pharmacist.save()
    factories.listed_prescriber()
    factories.member("B1", first_name="Wren", last_name="Halloway")
    request = factories.kesimpta_request("B1", submitted_by=intake)
    services.override_request_decide(
        request_id=request.pk, outcome="approve", criterion_number=1, by=pharmacist
    )
    return request


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_the_case_page_and_the_notice_show_the_prescriber_and_the_pdf_downloads(
    page, approved, screenshot, size
):
    page.set_viewport_size(VIEWPORTS[size])
    log_in(page, "pharmacist")
    page.goto(f"/requests/{approved.pk}/")
    prescriber = page.locator("dd.prescriber").first
    expect(prescriber).to_contain_text("Avery Lindqvist, MD")
    expect(prescriber).to_contain_text("Neurology")
    expect(prescriber).to_contain_text("(212) 555-0142")
    expect(prescriber).to_contain_text("Fax (212) 555-0143")
    prescriber.scroll_into_view_if_needed()
    screenshot(page, f"prescriber-case-{size}")

    page.goto(f"/requests/{approved.pk}/notice/")
    notice = page.locator("article.notice")
    expect(notice.locator(".plan-name")).to_have_text("Northwind Health Plan")
    expect(notice.locator(".decider")).to_have_text("Morgan Reyes, Clinical pharmacist")
    expect(notice).to_contain_text("4 pens")
    expect(notice.locator("dd.prescriber")).to_contain_text("Avery Lindqvist, MD")
    screenshot(page, f"notice-prescriber-{size}")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    assert download.value.suggested_filename == f"determination-notice-request-{approved.pk}.pdf"
    with open(download.value.path(), "rb") as f:
        assert f.read(5) == b"%PDF-"


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_intake_sees_the_prescriber_named_as_the_npi_is_typed(
    page, intake, kesimpta, screenshot, size
):
    factories.listed_prescriber()
    page.set_viewport_size(VIEWPORTS[size])
    log_in(page, "intake")
    page.goto("/requests/new/")
    npi = page.get_by_label("Prescriber NPI")
    npi.fill("1234567890")  # mistyped: the check digit fails
    expect(page.locator(".prescriber-found")).to_contain_text("check digit")
    npi.fill(VALID_NPI)
    found = page.locator(".prescriber-found")
    expect(found).to_have_text(re.compile(r"Prescriber: Avery Lindqvist, MD · Neurology"))
    npi.scroll_into_view_if_needed()
    screenshot(page, f"intake-prescriber-lookup-{size}")
    npi.fill("1245319599")  # valid, but the directory does not list it
    expect(found).to_contain_text("not in the prescriber directory")
