"""A pharmacist uploads a chart note on the case page, opens it, and leaves a note for the
other reviewers, at a laptop's and a phone's size (ADR 0016)."""

import pytest
from playwright.sync_api import expect

from priorauth.models import Attachment, Note, PHIAccess
from tests.support import factories
from tests.support.browser import LAPTOP, log_in
from tests.support.documents import pdf_bytes

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@pytest.fixture(params=[("laptop", LAPTOP), ("phone", PHONE)], ids=["1366x768", "390x844"])
def sized_page(request, browser, live_server):
    label, viewport = request.param
    context = browser.new_context(viewport=viewport, base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.size_label = label
    yield page
    context.close()


def test_a_pharmacist_uploads_a_pdf_opens_it_and_adds_a_note(
    sized_page, kesimpta, intake, pharmacist, screenshot
):
    page = sized_page
    pharmacist.first_name, pharmacist.last_name = "Rosa", "Lindqvist"
    pharmacist.save()
    factories.member("B1", first_name="Robin", last_name="Case")
    case = factories.kesimpta_request("B1", submitted_by=intake)
    log_in(page, "pharmacist")
    page.goto(f"/requests/{case.pk}/")

    page.get_by_label("Add documents").set_input_files(
        {"name": "chart-note-week-0.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("status").first).to_contain_text("1 document added.")
    link = page.get_by_role("link", name="chart-note-week-0.pdf")
    expect(link).to_be_visible()
    expect(page.locator("#documents")).to_contain_text("Rosa Lindqvist")
    attachment = Attachment.objects.get()
    screenshot(page, f"attachments-case-{page.size_label}")

    # It opens in a new tab, inline, as a PDF; the read is recorded.
    reads_before = PHIAccess.objects.filter(action="document view").count()
    with page.context.expect_event(
        "response", lambda r: r.url.endswith(f"/attachments/{attachment.pk}/")
    ) as served:
        link.click()
    response = served.value
    assert response.status == 200
    headers = response.all_headers()
    assert headers["content-type"] == "application/pdf"
    assert headers["content-disposition"].startswith("inline")
    assert headers["x-content-type-options"] == "nosniff"
    assert "script-src 'none'" in headers["content-security-policy"]
    assert PHIAccess.objects.filter(action="document view").count() == reads_before + 1
    # Chromium hands the PDF to its viewer (the tab's body is the viewer's page); the bytes
    # served, fetched again with the same session, are the document's.
    fetched = page.context.request.get(f"/attachments/{attachment.pk}/")
    assert fetched.body() == pdf_bytes()
    opened = page.context.pages[-1]
    opened.wait_for_timeout(500)  # let the viewer draw before the picture
    screenshot(opened, f"attachments-document-{page.size_label}")
    assert PHIAccess.objects.filter(action="document view").count() == reads_before + 2

    # A note for the other reviewers: an empty one is refused beside the field first.
    page.bring_to_front()
    page.get_by_role("button", name="Add note").click()
    expect(page.locator("#note-error")).to_have_text("Write the note first.")
    page.get_by_label("Add a note").fill("Called Dr Park's office: week 0 dose given 11/01.")
    page.get_by_role("button", name="Add note").click()
    notes = page.locator("#notes .note-list li")
    expect(notes).to_have_count(1)
    expect(notes.first).to_contain_text("Rosa Lindqvist")
    expect(notes.first).to_contain_text("week 0 dose given")
    assert Note.objects.get().author == pharmacist
    page.locator("#notes").scroll_into_view_if_needed()
    screenshot(page, f"attachments-notes-{page.size_label}")
