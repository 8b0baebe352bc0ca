"""The reporting dashboard in a real Chromium (docs/domain.md §11): an auditor opens it,
changes the range to the known week, sees its figures and charts, and downloads the
figures CSV; the page is kept as a screenshot."""

import re

import pytest
from playwright.sync_api import expect

from priorauth.models import PHIAccess
from tests.support.browser import log_in
from tests.support.metrics import build_week

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def week(kesimpta, intake, pharmacist, pharmacist2, physician):
    return build_week(
        intake=intake, pharmacist=pharmacist, pharmacist2=pharmacist2, physician=physician
    )


def test_the_auditor_changes_the_range_and_downloads_the_figures(page, week, auditor, screenshot):
    log_in(page, "auditor")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Reports", level=1)).to_be_visible()
    expect(page.locator("#range-said")).to_contain_text("(30 days")
    page.get_by_label("From", exact=True).fill("2026-11-02")
    page.get_by_label("To", exact=True).fill("2026-11-08")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"/reports/\?from=2026-11-02&to=2026-11-08$"))
    expect(page.locator("#range-said")).to_contain_text(
        "Requests received from Nov 2, 2026 to Nov 8, 2026 (7 days"
    )
    overall = page.locator('tr[data-group="overall:all"]')
    expect(overall.locator('[data-figure="received"]')).to_have_text("9")
    expect(overall.locator('[data-figure="approved"]')).to_contain_text("3 33.3 %")
    expect(page.get_by_role("img", name="Requests received per day, by outcome")).to_be_visible()
    expect(
        page.get_by_role("img", name="Hours from receipt to decision, against the clocks")
    ).to_be_visible()
    screenshot(page, "reports-dashboard")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the figures (CSV)").click()
    download = download_info.value
    assert download.suggested_filename == "pa-figures-2026-11-02-to-2026-11-08.csv"
    first_line = download.path().read_text().splitlines()[0]
    assert first_line.startswith("grouping,group,received,approved,approved_percent,")
    assert PHIAccess.objects.filter(member=None).count() == 0  # figures are no PHI read
