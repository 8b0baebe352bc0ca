"""Intake answers a pharmacist's question and withdraws its own requests (the review
workflow's answer and withdraw), from "My requests" and from the request's own page."""

import pytest

from priorauth import roles, services
from priorauth.models import OverrideRequest, RequestStatus
from tests.support import factories
from tests.support.cast import make_user

pytestmark = pytest.mark.django_db

QUESTION = "Please send the date of the first dose."


@pytest.fixture
def pended(kesimpta, intake, pharmacist):
    factories.member("M1")
    request = factories.kesimpta_request("M1", submitted_by=intake, clinical_notes="New start.")
    services.override_request_pend(request_id=request.pk, reason=QUESTION, by=pharmacist)
    return request


@pytest.fixture
def as_intake(client, intake):
    client.force_login(intake)
    return client


@pytest.fixture
def other_intake(client, django_user_model):
    client.force_login(make_user(django_user_model, "intake2", roles.INTAKE))
    return client


def reloaded(request) -> OverrideRequest:
    return OverrideRequest.objects.get(pk=request.pk)


def test_my_requests_lists_number_drug_ndc_status_and_links(as_intake, pended, intake):
    decided = factories.kesimpta_request("M1", submitted_by=intake)
    factories.approve(decided)
    page = as_intake.get("/requests/mine/").content.decode()
    assert f'href="/requests/mine/{pended.pk}/"' in page
    assert "00078-1007-68" in page and "00078100768" not in page
    assert "Kesimpta" in page
    assert f'href="/requests/{decided.pk}/notice/"' in page
    assert "Needs information" in page or "needs information" in page.lower()


def test_my_requests_shows_the_question_above_an_answer_box(as_intake, pended):
    page = as_intake.get("/requests/mine/").content.decode()
    question_at = page.index(QUESTION)
    box_at = page.index(f'action="/requests/mine/{pended.pk}/answer/"')
    assert page.index("<textarea", box_at) > question_at


def test_intake_answers_from_my_requests_and_the_request_goes_back_to_the_queue(
    as_intake, pended, intake
):
    response = as_intake.post(
        f"/requests/mine/{pended.pk}/answer/",
        {"notes": "First dose on 2026-11-02.", "back": "list"},
    )
    assert response.status_code == 302 and response.url == "/requests/mine/"
    after = reloaded(pended)
    assert after.status == RequestStatus.PENDING
    assert after.status_reason == ""
    assert after.clinical_notes.endswith("First dose on 2026-11-02.")
    last = after.history.order_by("-history_date", "-history_id").first()
    assert (last.history_user, last.history_change_reason) == (intake, "information supplied")


def test_the_request_page_shows_the_question_and_takes_the_answer(as_intake, pended):
    page = as_intake.get(f"/requests/mine/{pended.pk}/").content.decode()
    assert QUESTION in page and 'id="answer"' in page
    response = as_intake.post(f"/requests/mine/{pended.pk}/answer/", {"notes": "Nov 2."})
    assert response.url == f"/requests/mine/{pended.pk}/"
    assert reloaded(pended).status == RequestStatus.PENDING


def test_a_blank_answer_is_a_field_error_and_changes_nothing(as_intake, pended):
    response = as_intake.post(f"/requests/mine/{pended.pk}/answer/", {"notes": "  "})
    assert response.status_code == 400
    page = response.content.decode()
    assert (
        'id="id_notes_error"' in page
        and 'aria-describedby="id_notes_helptext id_notes_error"' in page
    )
    assert reloaded(pended).status == RequestStatus.NEEDS_INFO


def test_answering_a_request_no_longer_pended_is_refused_with_the_reason(as_intake, pended):
    as_intake.post(f"/requests/mine/{pended.pk}/answer/", {"notes": "Nov 2."})
    again = as_intake.post(f"/requests/mine/{pended.pk}/answer/", {"notes": "Nov 2, again."})
    assert again.status_code == 409
    assert "that is pending cannot become pending" in again.content.decode()
    assert reloaded(pended).clinical_notes.count("Nov 2") == 1


def test_withdraw_asks_to_confirm_then_withdraws(as_intake, pended):
    confirm = as_intake.get(f"/requests/mine/{pended.pk}/withdraw/")
    assert confirm.status_code == 200
    assert f"Withdraw request {pended.pk}?" in confirm.content.decode()
    assert reloaded(pended).status == RequestStatus.NEEDS_INFO  # asking changes nothing
    done = as_intake.post(
        f"/requests/mine/{pended.pk}/withdraw/", {"reason": "Prescriber changed therapy."}
    )
    assert done.status_code == 302
    after = reloaded(pended)
    assert (after.status, after.status_reason) == (
        RequestStatus.WITHDRAWN,
        "Prescriber changed therapy.",
    )


def test_a_decided_request_cannot_be_withdrawn(as_intake, pended):
    factories.approve(pended)
    response = as_intake.post(f"/requests/mine/{pended.pk}/withdraw/", {"reason": "late"})
    assert response.status_code == 409
    assert reloaded(pended).status == RequestStatus.APPROVED


def test_another_intake_user_can_neither_see_answer_nor_withdraw(other_intake, pended):
    base = f"/requests/mine/{pended.pk}"
    assert other_intake.get(f"{base}/").status_code == 404
    assert other_intake.post(f"{base}/answer/", {"notes": "Not mine."}).status_code == 404
    assert other_intake.post(f"{base}/withdraw/", {"reason": "Not mine."}).status_code == 404
    after = reloaded(pended)
    assert after.status == RequestStatus.NEEDS_INFO and "Not mine." not in after.clinical_notes


def test_reviewers_do_not_use_intakes_pages(client, pharmacist, pended):
    client.force_login(pharmacist)
    assert client.get(f"/requests/mine/{pended.pk}/").status_code == 403
    assert client.post(f"/requests/mine/{pended.pk}/withdraw/").status_code == 403
