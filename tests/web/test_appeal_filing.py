"""Intake appeals a denied request from "My requests" and from the denial notice
(docs/domain.md §10): the API's checks and words, beside the fields; nothing written on
a refusal."""

from datetime import date, timedelta

import pytest
from django.contrib.messages import get_messages

from priorauth import roles
from priorauth.models import Appeal, PHIAccess
from tests.support import factories
from tests.support.cast import make_user
from tests.support.steps import at_noon

pytestmark = pytest.mark.django_db

DENIED_ON = date(2026, 11, 2)


@pytest.fixture
def denied(kesimpta, intake, pharmacist):
    with at_noon(DENIED_ON):
        return factories.denied("M1", submitted_by=intake, denied_by=pharmacist)


@pytest.fixture
def as_intake_page(client, intake):
    client.force_login(intake)
    return client


def form_url(request) -> str:
    return f"/requests/{request.pk}/appeals/new/"


def test_my_requests_offers_an_appeal_for_a_denied_request_only(
    as_intake_page, denied, intake, kesimpta
):
    factories.member("M2")
    pending = factories.kesimpta_request("M2", submitted_by=intake)
    with at_noon(DENIED_ON + timedelta(days=1)):
        as_intake_page.force_login(intake)
        page = as_intake_page.get("/requests/mine/").content.decode()
    assert f'href="{form_url(denied)}"' in page
    assert f"Appeal the denial of request {denied.pk}" in page
    assert "by May 1, 2027" in page  # 180 days from the denial
    assert form_url(pending) not in page


def test_intake_files_an_appeal_and_reads_when_it_is_due(as_intake_page, denied, intake):
    with at_noon(DENIED_ON + timedelta(days=3)):
        as_intake_page.force_login(intake)  # signed in then (sessions end when idle)
        form = as_intake_page.get(form_url(denied))
        assert form.status_code == 200
        shown = form.content.decode()
        assert "Not initiating." in shown and "M1" in shown
        response = as_intake_page.post(
            form_url(denied),
            {
                "reason": "Week 0 was missed; induction restarts.",
                "urgency": "expedited",
                "clinical_notes": "Chart note attached.",
            },
        )
        mine = as_intake_page.get("/requests/mine/").content.decode()
    assert response.status_code == 302 and response["Location"] == "/requests/mine/"
    appeal = Appeal.objects.get()
    assert (appeal.request, appeal.submitted_by, appeal.urgency) == (denied, intake, "expedited")
    assert appeal.clinical_notes == "Chart note attached."
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    # 72 hours from noon on November 5
    assert message == (
        f"Appeal {appeal.pk} of request {denied.pk} received; it will be decided by "
        "2026-11-08 12:00 EST (expedited)."
    )
    assert f"Appeal {appeal.pk}: pending" in mine
    assert form_url(denied) not in mine  # one open appeal at a time


def test_bad_input_is_shown_beside_each_field_and_nothing_is_filed(as_intake_page, denied):
    response = as_intake_page.post(form_url(denied), {"reason": "  ", "urgency": "soon"})
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["reason"] == ["Say why the denial should be reversed."]
    assert form.errors["urgency"] == ['"soon" is not a valid choice.']
    page = response.content.decode()
    assert (
        'id="id_reason_error"' in page
        and 'aria-describedby="id_reason_helptext id_reason_error"' in page
    )
    assert not Appeal.objects.exists()


def test_past_the_window_the_page_says_so_and_a_post_files_nothing(
    as_intake_page, denied, intake, settings
):
    settings.PRIORAUTH_APPEAL_DAYS = 60
    window_closed = (
        f"The appeal window for request {denied.pk} closed on 2027-01-01: an appeal is filed "
        "within 60 days of the denial (2026-11-02)."
    )
    with at_noon(DENIED_ON + timedelta(days=61)):
        as_intake_page.force_login(intake)
        page = as_intake_page.get(form_url(denied))
        posted = as_intake_page.post(form_url(denied), {"reason": "Late.", "urgency": "standard"})
        mine = as_intake_page.get("/requests/mine/").content.decode()
    assert page.status_code == 400
    assert window_closed in page.content.decode()
    assert "File the appeal" not in page.content.decode()
    assert posted.status_code == 400
    assert posted.context["form"].non_field_errors() == [window_closed]
    assert "Appeal window closed on Jan 1, 2027" in mine
    assert not Appeal.objects.exists()


def test_an_open_appeal_is_named_instead_of_a_second_form(as_intake_page, denied, intake):
    first = factories.appeal(denied, by=intake)
    response = as_intake_page.get(form_url(denied))
    assert response.status_code == 409
    assert f"already has an open appeal ({first.pk}, pending)" in response.content.decode()


def test_only_the_intake_user_who_submitted_the_request_may_appeal_it(
    client, denied, django_user_model, pharmacist
):
    client.force_login(make_user(django_user_model, "intake2", roles.INTAKE))
    assert client.get(form_url(denied)).status_code == 404
    assert client.post(form_url(denied), {"reason": "x", "urgency": "standard"}).status_code == 404
    client.force_login(pharmacist)
    assert client.get(form_url(denied)).status_code == 403
    assert not Appeal.objects.exists()


def test_the_form_page_is_a_recorded_read_of_the_member(as_intake_page, denied, intake):
    as_intake_page.get(form_url(denied))
    entry = PHIAccess.objects.get(action="appeal form view")
    assert (entry.user, entry.member.member_id) == (intake, "M1")


def test_the_denial_notice_says_how_to_appeal_here_and_links_the_form(
    as_intake_page, denied, intake
):
    page = as_intake_page.get(f"/requests/{denied.pk}/notice/").content.decode()
    assert "within <strong>180 days</strong>" in page
    assert "within 168 hours" in page and "within 72 hours" in page
    assert 'on "My requests", choose "Appeal" beside request' in page
    assert f'href="{form_url(denied)}"' in page
    appeal = factories.appeal(denied, by=intake)
    page = as_intake_page.get(f"/requests/{denied.pk}/notice/").content.decode()
    assert f"Appeal {appeal.pk}, received" in page
    assert f'href="{form_url(denied)}"' not in page
