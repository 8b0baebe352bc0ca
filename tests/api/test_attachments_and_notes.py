"""API v1: documents by multipart POST, listed in the request and appeal; notes for
reviewers (ADR 0016)."""

import pytest

from priorauth.models import Attachment, Note, PHIAccess
from tests.support import factories
from tests.support.cast import token_client
from tests.support.documents import EXE, pdf, pdf_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(kesimpta, intake):
    factories.member("M1")
    return factories.kesimpta_request("M1", submitted_by=intake)


def _post_file(client, path, *files, **headers):
    return client.post(path, {"file": list(files)}, format="multipart", headers=headers)


def test_intake_uploads_a_document_and_the_request_lists_it(case, intake):
    client = token_client(intake)
    response = _post_file(
        client, f"/api/v1/override-requests/{case.pk}/attachments/", pdf("../../chart.pdf")
    )
    assert response.status_code == 201, response.content
    (body,) = response.json()
    assert body["filename"] == "chart.pdf" and body["content_type"] == "application/pdf"
    assert (body["size"], body["uploaded_by"], body["appeal_id"]) == (
        len(pdf_bytes()),
        "intake",
        None,
    )
    shown = client.get(f"/api/v1/override-requests/{case.pk}/").json()["attachments"]
    assert shown == [body]
    assert set(body) == {
        "id",
        "filename",
        "content_type",
        "size",
        "uploaded_by",
        "uploaded_at",
        "appeal_id",
    }


def test_a_bad_file_is_a_400_on_file_and_stores_nothing(case, pharmacist, settings):
    client = token_client(pharmacist)
    response = _post_file(
        client,
        f"/api/v1/override-requests/{case.pk}/attachments/",
        upload("labs.pdf", EXE, "application/pdf"),
    )
    assert response.status_code == 400
    assert response.json() == {
        "file": ["labs.pdf: the content is not a PDF, PNG or JPEG image, whatever its name says."]
    }
    assert Attachment.objects.count() == 0
    assert not (settings.MEDIA_ROOT / "attachments").exists()


def test_no_file_json_and_other_roles_are_refused(case, pharmacist, auditor, claims_system):
    path = f"/api/v1/override-requests/{case.pk}/attachments/"
    client = token_client(pharmacist)
    assert client.post(path, {}, format="multipart").json() == {
        "file": ["Choose a PDF, PNG or JPEG file to upload."]
    }
    assert client.post(path, {"file": "x"}, format="json").status_code == 415
    for refused in (auditor, claims_system):
        assert _post_file(token_client(refused), path, pdf()).status_code == 403
    assert Attachment.objects.count() == 0


def test_another_intake_users_request_is_not_found(case, django_user_model):
    from priorauth import roles
    from tests.support.cast import make_user

    other = make_user(django_user_model, "intake2", roles.INTAKE)
    response = _post_file(
        token_client(other), f"/api/v1/override-requests/{case.pk}/attachments/", pdf()
    )
    assert response.status_code == 404 and Attachment.objects.count() == 0


def test_a_decided_request_is_a_409_and_its_appeal_takes_the_documents(
    kesimpta, intake, pharmacist
):
    denied = factories.denied("M2", submitted_by=intake, denied_by=pharmacist)
    client = token_client(intake)
    refused = _post_file(client, f"/api/v1/override-requests/{denied.pk}/attachments/", pdf())
    assert refused.status_code == 409 and "appeal" in refused.json()["file"][0]
    appeal = factories.appeal(denied, by=intake)
    png = upload("scan.png", png_bytes(), "image/png")
    response = _post_file(client, f"/api/v1/appeals/{appeal.pk}/attachments/", png)
    assert response.status_code == 201 and response.json()[0]["appeal_id"] == appeal.pk
    listed = client.get(f"/api/v1/appeals/{appeal.pk}/").json()["attachments"]
    assert [a["filename"] for a in listed] == ["scan.png"]


def test_a_retried_upload_with_its_key_is_replayed_and_stores_once(case, intake):
    client = token_client(intake)
    path = f"/api/v1/override-requests/{case.pk}/attachments/"
    first = _post_file(client, path, pdf(), **{"Idempotency-Key": "upload-1"})
    again = _post_file(client, path, pdf(), **{"Idempotency-Key": "upload-1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Attachment.objects.count() == 1
    other = _post_file(client, path, pdf("other.pdf"), **{"Idempotency-Key": "upload-1"})
    assert other.status_code == 422 and Attachment.objects.count() == 1


# --- Notes ---------------------------------------------------------------------------------


def test_reviewers_add_and_list_notes_and_the_read_is_logged(case, pharmacist, auditor):
    pharmacist.first_name, pharmacist.last_name = "Rosa", "Lindqvist"
    pharmacist.save()
    client = token_client(pharmacist)
    path = f"/api/v1/override-requests/{case.pk}/notes/"
    created = client.post(path, {"text": "Called the office; chart note to follow."}, format="json")
    assert created.status_code == 201
    assert created.json()["author_name"] == "Rosa Lindqvist"
    listed = token_client(auditor).get(path)
    assert [n["text"] for n in listed.json()] == ["Called the office; chart note to follow."]
    entry = PHIAccess.objects.get()
    assert (entry.user, entry.member.member_id, entry.action) == (auditor, "M1", "api notes read")


def test_a_note_must_have_text_and_intake_never_sees_notes(case, pharmacist, intake):
    path = f"/api/v1/override-requests/{case.pk}/notes/"
    client = token_client(pharmacist)
    assert client.post(path, {"text": "  "}, format="json").json() == {
        "text": ["Write the note first."]
    }
    too_long = client.post(path, {"text": "x" * 4001}, format="json")
    assert too_long.status_code == 400 and "at most 4000" in too_long.json()["text"][0]
    assert token_client(intake).get(path).status_code == 403
    assert token_client(intake).post(path, {"text": "hi"}, format="json").status_code == 403
    assert Note.objects.count() == 0
    client.post(path, {"text": "Internal only."}, format="json")
    shown = token_client(intake).get(f"/api/v1/override-requests/{case.pk}/").content.decode()
    assert "Internal only." not in shown
