"""Internal notes between reviewers on the case pages, with their history (ADR 0016)."""

import pytest

from priorauth import services
from priorauth.errors import Forbidden
from priorauth.models import Note
from tests.support import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(kesimpta, intake):
    factories.member("M1")
    return factories.kesimpta_request("M1", submitted_by=intake)


@pytest.fixture
def named(pharmacist, physician):
    for user, (first, last) in (
        (pharmacist, ("Rosa", "Lindqvist")),
        (physician, ("Omar", "Haddad")),
    ):
        user.first_name, user.last_name = first, last
        user.save()


def test_notes_show_oldest_first_with_author_full_name_and_time(
    client, case, pharmacist, physician, named
):
    client.force_login(pharmacist)
    assert (
        client.post(f"/requests/{case.pk}/notes/", {"text": "Faxed the office."}).status_code == 302
    )
    client.force_login(physician)
    client.post(f"/requests/{case.pk}/notes/", {"text": "Chart note received."})
    page = client.get(f"/requests/{case.pk}/").content.decode()
    first, second = page.index("Faxed the office."), page.index("Chart note received.")
    assert first < second  # newest last
    assert "Rosa Lindqvist" in page and "Omar Haddad" in page and "<time datetime=" in page


def test_an_empty_or_too_long_note_is_refused_beside_the_field_and_kept(client, case, pharmacist):
    client.force_login(pharmacist)
    empty = client.post(f"/requests/{case.pk}/notes/", {"text": "   "})
    assert empty.status_code == 400
    page = empty.content.decode()
    assert 'id="note-error"' in page and "Write the note first." in page
    assert 'aria-describedby="note-help note-error"' in page
    long = client.post(f"/requests/{case.pk}/notes/", {"text": "y" * 4001})
    assert (
        long.status_code == 400
        and "at most 4000 characters; this one has 4001" in long.content.decode()
    )
    assert "y" * 4001 in long.content.decode()  # what was typed is given back
    assert Note.objects.count() == 0


def test_a_note_keeps_its_history_with_its_author(case, pharmacist):
    note = services.note_add(request_id=case.pk, text="Waiting for the chart.", by=pharmacist)
    (created,) = note.history.all()
    assert (created.history_type, created.history_user, created.history_change_reason) == (
        "+",
        pharmacist,
        "note added",
    )
    assert created.text == "Waiting for the chart."


def test_notes_on_an_appeal_stay_on_the_appeal(
    client, kesimpta, intake, pharmacist, physician, named
):
    denied = factories.denied("M2", submitted_by=intake, denied_by=pharmacist)
    appeal = factories.appeal(denied, by=intake)
    client.force_login(physician)
    assert (
        client.post(f"/appeals/{appeal.pk}/notes/", {"text": "Checked week 0."}).status_code == 302
    )
    assert "Checked week 0." in client.get(f"/appeals/{appeal.pk}/").content.decode()
    assert "Checked week 0." not in client.get(f"/requests/{denied.pk}/").content.decode()
    assert Note.objects.get().appeal_id == appeal.pk


def test_intake_and_auditors_cannot_write_notes_and_notices_never_show_them(
    client, case, intake, auditor, pharmacist
):
    services.note_add(request_id=case.pk, text="Internal: office rude on the phone.", by=pharmacist)
    for user in (intake, auditor):
        with pytest.raises(Forbidden):
            services.note_add(request_id=case.pk, text="x", by=user)
        client.force_login(user)
        assert client.post(f"/requests/{case.pk}/notes/", {"text": "x"}).status_code == 403
    factories.approve(case)
    client.force_login(intake)
    for path in (
        f"/requests/{case.pk}/notice/",
        f"/requests/{case.pk}/documents/",
        "/requests/mine/",
    ):
        assert "office rude" not in client.get(path).content.decode()
    client.force_login(auditor)  # auditors read the case page, notes included, but no form
    page = client.get(f"/requests/{case.pk}/").content.decode()
    assert "office rude" in page and 'id="note-text"' not in page
