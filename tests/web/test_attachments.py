"""Documents on the pages: reviewers add them on the case pages, intake on its request's
documents page and with the request itself; each opening is a PHI read (ADR 0016)."""

import pytest
from django.core.files.storage import InMemoryStorage, storages
from django.test import override_settings

from priorauth import services
from priorauth.models import Attachment, OverrideRequest, PHIAccess
from tests.support import factories
from tests.support.documents import EXE, HTML, pdf, pdf_bytes, png_bytes, upload
from tests.support.steps import KESIMPTA_NDC, VALID_NPI

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(kesimpta, intake):
    factories.member("M1", first_name="Avery", last_name="Quinlan")
    return factories.kesimpta_request("M1", submitted_by=intake)


@pytest.fixture
def pharmacist_client(client, pharmacist):
    pharmacist.first_name, pharmacist.last_name = "Rosa", "Lindqvist"
    pharmacist.save()
    client.force_login(pharmacist)
    return client


def _read(response) -> bytes:
    assert response.status_code == 200
    return response.content


def _stored(attachment: Attachment) -> bytes:
    with services.attachment_open(attachment) as handle:
        return handle.read()


def test_a_pharmacist_uploads_a_pdf_on_the_case_page_and_sees_it_listed(pharmacist_client, case):
    response = pharmacist_client.post(
        f"/requests/{case.pk}/attachments/", {"file": pdf("Chart note 2026-11-01.pdf")}
    )
    assert response.status_code == 302 and response["Location"] == f"/requests/{case.pk}/"
    (attachment,) = Attachment.objects.all()
    assert (attachment.filename, attachment.content_type) == (
        "Chart_note_2026-11-01.pdf",
        "application/pdf",
    )
    assert attachment.storage_key.startswith("attachments/")
    assert "Chart" not in attachment.storage_key  # a random key, not the person's name
    assert _stored(attachment) == pdf_bytes()
    page = pharmacist_client.get(f"/requests/{case.pk}/").content.decode()
    assert f'href="/attachments/{attachment.pk}/"' in page
    assert "Chart_note_2026-11-01.pdf" in page and "Rosa Lindqvist" in page


@pytest.mark.parametrize(
    ("name", "content", "declared", "message"),
    [
        ("labs.pdf", EXE, "application/pdf", "labs.pdf: the content is not a PDF"),
        ("note.pdf", HTML, "application/pdf", "note.pdf: the content is not a PDF"),
        ("scan.png", pdf_bytes(), "image/png", "the content is a PDF, but the name ends in .png"),
    ],
)
def test_a_refused_file_is_named_beside_the_upload_field_and_nothing_is_stored(
    pharmacist_client, case, settings, name, content, declared, message
):
    response = pharmacist_client.post(
        f"/requests/{case.pk}/attachments/", {"file": upload(name, content, declared)}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="documents-error"' in page and message in page
    assert 'aria-describedby="documents-help documents-error"' in page
    assert Attachment.objects.count() == 0
    assert not (settings.MEDIA_ROOT / "attachments").exists()


def test_an_oversized_file_gets_a_field_error_and_changes_nothing(
    pharmacist_client, case, settings
):
    settings.PRIORAUTH_ATTACHMENT_MAX_BYTES = 2048
    big = upload("big.pdf", pdf_bytes() + b"0" * 4096, "application/pdf")
    response = pharmacist_client.post(f"/requests/{case.pk}/attachments/", {"file": big})
    assert response.status_code == 400
    page = response.content.decode()
    assert "big.pdf: 4." in page and "KB is larger than 2.0\xa0KB" in page
    assert Attachment.objects.count() == 0


def test_a_body_far_over_the_limit_is_refused_unread(pharmacist_client, case, settings):
    settings.PRIORAUTH_ATTACHMENT_MAX_BYTES = 1024  # bodies over 5 KiB + 1 MiB are not read
    huge = upload("huge.pdf", b"%PDF-" + b"0" * (2 * 1024 * 1024), "application/pdf")
    response = pharmacist_client.post(f"/requests/{case.pk}/attachments/", {"file": huge})
    assert response.status_code == 413
    assert Attachment.objects.count() == 0


def test_one_bad_file_among_good_ones_stores_none(pharmacist_client, case):
    files = [
        pdf("a.pdf"),
        upload("b.png", HTML, "image/png"),
        upload("c.png", png_bytes(), "image/png"),
    ]
    response = pharmacist_client.post(f"/requests/{case.pk}/attachments/", {"file": files})
    assert response.status_code == 400 and "b.png: the content is not" in response.content.decode()
    assert Attachment.objects.count() == 0


def test_a_decided_request_keeps_its_documents_and_says_to_appeal(pharmacist_client, case):
    factories.approve(case)
    response = pharmacist_client.post(f"/requests/{case.pk}/attachments/", {"file": pdf()})
    assert response.status_code == 409
    assert "Send new documents with an appeal" in response.content.decode()
    assert Attachment.objects.count() == 0
    assert (
        'id="documents-file"' not in pharmacist_client.get(f"/requests/{case.pk}/").content.decode()
    )


def test_an_open_appeal_takes_documents_from_its_reviewer(
    client, kesimpta, intake, pharmacist, physician
):
    denied = factories.denied("M2", submitted_by=intake, denied_by=pharmacist)
    appeal = factories.appeal(denied, by=intake)
    client.force_login(physician)
    response = client.post(f"/appeals/{appeal.pk}/attachments/", {"file": pdf("letter.pdf")})
    assert response.status_code == 302
    (attachment,) = Attachment.objects.all()
    assert (attachment.request_id, attachment.appeal_id) == (denied.pk, appeal.pk)
    page = client.get(f"/appeals/{appeal.pk}/").content.decode()
    assert "letter.pdf" in page and f"sent with appeal {appeal.pk}" in page


# --- Opening a document ------------------------------------------------------------------


@pytest.fixture
def document(case, intake):
    return services.request_attachments_add(request_id=case.pk, files=[pdf()], by=intake)[0]


def test_opening_a_document_serves_it_inline_with_headers_that_run_nothing(
    pharmacist_client, pharmacist, document
):
    response = pharmacist_client.get(f"/attachments/{document.pk}/")
    assert _read(response) == pdf_bytes()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="chart-note.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    assert "script-src 'none'" in policy and "default-src 'none'" in policy
    assert "no-store" in response["Cache-Control"]
    entry = PHIAccess.objects.get()
    assert (entry.user, entry.member.member_id, entry.action) == (pharmacist, "M1", "document view")
    assert entry.path == f"/attachments/{document.pk}/"


def test_the_intake_user_who_filed_the_request_may_open_it_and_others_may_not(
    client, document, intake, django_user_model, claims_system, policy_admin, auditor
):
    from priorauth import roles
    from tests.support.cast import make_user

    client.force_login(intake)
    assert _read(client.get(f"/attachments/{document.pk}/")) == pdf_bytes()
    other_intake = make_user(django_user_model, "intake2", roles.INTAKE)
    client.force_login(other_intake)
    assert client.get(f"/attachments/{document.pk}/").status_code == 404
    for refused in (claims_system, policy_admin):
        client.force_login(refused)
        assert client.get(f"/attachments/{document.pk}/").status_code == 403
    client.logout()
    assert client.get(f"/attachments/{document.pk}/").status_code == 302  # to sign in
    assert PHIAccess.objects.filter(action="document view").count() == 1  # intake's read only
    client.force_login(auditor)
    assert _read(client.get(f"/attachments/{document.pk}/")) == pdf_bytes()


def test_no_url_serves_the_stored_files_directly(client, pharmacist, document, settings):
    client.force_login(pharmacist)
    assert client.get(f"/{document.storage_key}").status_code == 404
    assert client.get(f"/media/{document.storage_key}").status_code == 404


def test_documents_go_to_the_configured_storage_backend(pharmacist_client, case, settings):
    in_memory = {
        **settings.STORAGES,
        "attachments": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    with override_settings(STORAGES=in_memory):
        assert isinstance(storages["attachments"], InMemoryStorage)
        pharmacist_client.post(f"/requests/{case.pk}/attachments/", {"file": pdf()})
        attachment = Attachment.objects.get()
        assert storages["attachments"].exists(attachment.storage_key)
        assert _stored(attachment) == pdf_bytes()
        assert _read(pharmacist_client.get(f"/attachments/{attachment.pk}/")) == pdf_bytes()
    assert not (settings.MEDIA_ROOT / attachment.storage_key).exists()


def test_by_default_documents_are_files_under_media_root_and_not_in_static(
    pharmacist_client, case, settings
):
    pharmacist_client.post(f"/requests/{case.pk}/attachments/", {"file": pdf()})
    attachment = Attachment.objects.get()
    stored = settings.MEDIA_ROOT / attachment.storage_key
    assert stored.read_bytes() == pdf_bytes()
    assert oct(stored.stat().st_mode & 0o777) == "0o600"
    assert all(str(d) not in str(settings.MEDIA_ROOT) for d in settings.STATICFILES_DIRS)


# --- Intake --------------------------------------------------------------------------------


def test_intake_sends_documents_from_its_request_documents_page(client, intake, case):
    client.force_login(intake)
    assert (
        f'href="/requests/{case.pk}/documents/"' in client.get("/requests/mine/").content.decode()
    )
    response = client.post(f"/requests/{case.pk}/documents/", {"file": pdf("labs.pdf")})
    assert response.status_code == 302
    page = client.get(f"/requests/{case.pk}/documents/").content.decode()
    assert "labs.pdf" in page and "1 document added." in page
    refused = client.post(
        f"/requests/{case.pk}/documents/", {"file": upload("x.pdf", HTML, "application/pdf")}
    )
    assert refused.status_code == 400
    assert 'id="id_file_error"' in refused.content.decode()
    assert Attachment.objects.count() == 1


def test_intake_cannot_reach_another_users_request(client, case, django_user_model):
    from priorauth import roles
    from tests.support.cast import make_user

    client.force_login(make_user(django_user_model, "intake2", roles.INTAKE))
    assert client.get(f"/requests/{case.pk}/documents/").status_code == 404
    assert client.post(f"/requests/{case.pk}/documents/", {"file": pdf()}).status_code == 404
    assert Attachment.objects.count() == 0


def test_after_a_denial_intake_documents_go_with_the_open_appeal(
    client, kesimpta, intake, pharmacist
):
    denied = factories.denied("M2", submitted_by=intake, denied_by=pharmacist)
    client.force_login(intake)
    page = client.get(f"/requests/{denied.pk}/documents/").content.decode()
    assert "has no open appeal" in page and 'type="file"' not in page
    appeal = factories.appeal(denied, by=intake)
    assert client.post(f"/requests/{denied.pk}/documents/", {"file": pdf()}).status_code == 302
    assert Attachment.objects.get().appeal_id == appeal.pk


REQUEST = {
    "member_id": "M1",
    "ndc": KESIMPTA_NDC,
    "quantity": "4",
    "days_supply": "28",
    "channel": "retail",
    "prescriber_npi": VALID_NPI,
    "urgency": "standard",
    "criterion_number": "",  # "other": no questions, submitted at once
    "clinical_notes": "Chart note attached.",
    "step": "request",
}


def test_intake_attaches_documents_with_the_request_itself(client, kesimpta, intake):
    factories.member("M1")
    client.force_login(intake)
    response = client.post("/requests/new/", {**REQUEST, "file": [pdf("a.pdf"), pdf("b.pdf")]})
    assert response.status_code == 302
    created = OverrideRequest.objects.get()
    assert sorted(created.attachments.values_list("filename", flat=True)) == ["a.pdf", "b.pdf"]


def test_a_bad_document_with_the_request_files_nothing_and_says_why(client, kesimpta, intake):
    factories.member("M1")
    client.force_login(intake)
    bad = upload("chart.pdf", EXE, "application/pdf")
    response = client.post("/requests/new/", {**REQUEST, "file": [pdf("a.pdf"), bad]})
    assert response.status_code == 400
    assert "chart.pdf: the content is not a PDF" in response.content.decode()
    assert OverrideRequest.objects.count() == 0 and Attachment.objects.count() == 0
