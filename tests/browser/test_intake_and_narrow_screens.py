"""Intake in a real Chromium at 1366x768 and 390x844: errors tied to their fields with the
focus on the first, the criterion list following the NDC, answering a pharmacist's
question; and every main page fitting a 390 px phone with "Sign out" in view."""

import re

import pytest
from playwright.sync_api import expect

from policies.files import load_policy_file
from priorauth import services
from priorauth.models import OverrideRequest, RequestStatus
from tests.support import factories
from tests.support.browser import LAPTOP, log_in
from tests.support.paths import HUMIRA_FILE

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
SIZES = {"laptop": LAPTOP, "phone": PHONE}
QUESTION = "Please send the date of the first dose."


@pytest.fixture(params=sorted(SIZES))
def sized(request, browser, live_server):
    """(page, size name): a page at each of the two viewports."""
    context = browser.new_context(viewport=SIZES[request.param], base_url=live_server.url)
    context.set_default_timeout(15_000)
    yield context.new_page(), request.param
    context.close()


@pytest.fixture
def world(kesimpta, intake, pharmacist):
    humira = load_policy_file(HUMIRA_FILE).policy
    factories.member("M1", first_name="Robin", last_name="Narrowscreen-Longname")
    pended = factories.kesimpta_request(
        "M1", submitted_by=intake, clinical_notes="New start; induction weeks 0, 1, 2 and 4."
    )
    services.override_request_pend(request_id=pended.pk, reason=QUESTION, by=pharmacist)
    factories.member("M2", first_name="Alex", last_name="Queue")
    waiting = factories.kesimpta_request("M2", submitted_by=intake, urgency="expedited")
    return {"pended": pended, "waiting": waiting, "kesimpta": kesimpta, "humira": humira}


def test_intake_errors_are_summarised_tied_to_fields_and_focus_the_first(
    sized, intake, world, screenshot
):
    page, size = sized
    log_in(page, "intake")
    page.goto("/requests/new/")
    page.get_by_label("Drug NDC").fill("00078-1007-6")
    page.get_by_label("Quantity").fill("4")
    page.get_by_role("button", name="Submit request").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(page.locator("#id_member_id")).to_be_focused()  # the first field at fault
    expect(page.locator("#id_member_id")).to_have_attribute("aria-invalid", "true")
    described = page.locator("#id_member_id").get_attribute("aria-describedby")
    assert all(page.locator(f"#{i}").count() == 1 for i in described.split())
    screenshot(page, f"intake-errors-{size}")
    # The summary's link puts the focus on its field.
    summary.get_by_role("link", name="Days supply").click()
    expect(page.locator("#id_days_supply")).to_be_focused()


def test_the_ndc_typo_is_explained_in_the_words_typed(sized, intake, world, screenshot):
    page, size = sized
    log_in(page, "intake")
    page.goto("/requests/new/")
    for label, value in {
        "Member ID": "M1",
        "Drug NDC": "00078-1007-6",
        "Quantity": "4",
        "Days supply": "28",
        "Prescriber NPI": "1234567893",
    }.items():
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name="Submit request").click()
    error = page.locator("#id_ndc_error")
    expect(error).to_contain_text("NDC 00078-1007-6 is not managed")
    expect(error).to_contain_text("10 digits given: did you mean 00078-1007-68?")
    expect(page.locator("#id_ndc")).to_be_focused()
    screenshot(page, f"intake-ndc-typo-{size}")


def test_the_criterion_list_follows_the_ndc(sized, intake, world):
    page, _ = sized
    log_in(page, "intake")
    page.goto("/requests/new/")
    groups = page.locator("#id_criterion_number optgroup")
    expect(groups).to_have_count(2)  # every policy's, before the NDC is known
    page.get_by_label("Drug NDC").fill("00074-0554-02")
    page.get_by_label("Quantity").focus()  # leaving the NDC asks for its policy's list
    expect(groups).to_have_count(1)
    expect(groups.first).to_have_attribute("label", world["humira"].title)
    expect(page.locator("#id_criterion_number_helptext")).to_contain_text("00074-0554-02")


def test_intake_answers_the_pharmacists_question(sized, intake, world, screenshot):
    page, size = sized
    pended = world["pended"]
    log_in(page, "intake")
    page.goto("/requests/mine/")
    expect(page.locator(".awaiting .question")).to_contain_text(QUESTION)
    screenshot(page, f"my-requests-question-{size}")
    page.get_by_label(f"Your answer on request {pended.pk}").fill("First dose on 2026-11-02.")
    page.get_by_role("button", name="Send the answer").click()
    expect(page.get_by_role("status").first).to_contain_text("back in the pharmacists' queue")
    after = OverrideRequest.objects.get(pk=pended.pk)
    assert after.status == RequestStatus.PENDING
    assert after.clinical_notes.endswith("First dose on 2026-11-02.")


def test_intake_withdraws_after_confirming(sized, intake, world):
    page, _ = sized
    waiting = world["waiting"]
    log_in(page, "intake")
    page.goto("/requests/mine/")
    page.get_by_role("link", name=f"Withdraw request {waiting.pk}").click()
    expect(page.get_by_role("heading", name=f"Withdraw request {waiting.pk}?")).to_be_visible()
    assert OverrideRequest.objects.get(pk=waiting.pk).status == RequestStatus.PENDING
    page.get_by_role("button", name=f"Withdraw request {waiting.pk}").click()
    expect(page.get_by_role("status").first).to_contain_text(f"Request {waiting.pk} withdrawn")
    assert OverrideRequest.objects.get(pk=waiting.pk).status == RequestStatus.WITHDRAWN


def _fits_the_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide"
    box = page.get_by_role("button", name="Sign out").bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]


def test_every_main_page_fits_a_390_px_phone(
    browser, live_server, world, pharmacist, intake, screenshot
):
    context = browser.new_context(viewport=PHONE, base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        log_in(page, "pharmacist")
        for name, path in {
            "queue": "/queue/",
            "case": f"/requests/{world['waiting'].pk}/",
        }.items():
            page.goto(path)
            _fits_the_phone(page)
            screenshot(page, f"narrow-{name}")
        # The queue's rows are cards, their cells labelled, and still a table's cells.
        first = page.goto("/queue/") and page.locator("table.queue tbody tr").first
        assert (
            page.locator("table.queue tbody td").first.evaluate(
                "td => getComputedStyle(td, '::before').content"
            )
            == '"Due"'
        )
        expect(first.get_by_role("cell").first).to_be_visible()
        expect(page.get_by_role("columnheader", name="Member")).to_have_count(1)
        page.get_by_role("button", name="Sign out").click()
        log_in(page, "intake")
        for name, path in {"my-requests": "/requests/mine/", "intake": "/requests/new/"}.items():
            page.goto(path)
            _fits_the_phone(page)
            screenshot(page, f"narrow-{name}")
        page.get_by_role("button", name="Submit request").click()  # with its errors too
        _fits_the_phone(page)
        screenshot(page, "narrow-intake-errors")
    finally:
        context.close()


def test_the_header_keeps_one_line_on_a_laptop(page, intake, world):
    log_in(page, "intake")
    page.goto("/requests/mine/")
    nav = page.get_by_role("navigation", name="Main").bounding_box()
    sign_out = page.get_by_role("button", name="Sign out").bounding_box()
    assert abs(nav["y"] - sign_out["y"]) < 20
    assert re.search(r"/requests/mine/$", page.url)
