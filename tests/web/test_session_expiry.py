"""Idle sessions end; the page warns before, renews on request, and signing in again
returns to the page, never to a POST-only action URL (ADR 0009)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from priorauth.models import Decision
from tests.support import factories

pytestmark = pytest.mark.django_db

START = datetime(2026, 6, 1, 14, 0, tzinfo=UTC)


@pytest.fixture
def case(kesimpta):
    factories.member("M1")
    return factories.kesimpta_request("M1")


def test_a_post_to_a_case_action_without_a_session_sends_to_login_with_the_case_page_next(case):
    answer = Client().post(f"/requests/{case.pk}/deny/", {"reason": "Not met."})
    assert answer.status_code == 302
    assert answer["Location"] == f"/accounts/login/?next=/requests/{case.pk}/"
    assert Decision.objects.count() == 0


def test_signing_in_after_that_lands_on_the_case_page_not_on_a_405(case, pharmacist):
    client = Client()
    to_login = client.post(f"/requests/{case.pk}/deny/", {"reason": "Not met."})
    login_page = client.get(to_login["Location"])
    assert f'value="/requests/{case.pk}/"' in login_page.content.decode()
    signed_in = client.post(
        to_login["Location"],
        {"username": "pharmacist", "password": "pass-pharmacist", "next": f"/requests/{case.pk}/"},
        follow=True,
    )
    assert signed_in.redirect_chain[-1] == (f"/requests/{case.pk}/", 302)
    assert signed_in.status_code == 200


def test_a_revoke_without_a_session_comes_back_to_the_overrides_page(kesimpta):
    override = factories.override("M2", ends_on=datetime(2099, 1, 1).date())
    answer = Client().post(f"/overrides/{override.pk}/revoke/", {"reason": "Entered in error"})
    assert answer["Location"] == "/accounts/login/?next=/overrides/"


def test_a_get_page_without_a_session_still_comes_back_to_itself(case):
    answer = Client().get(f"/requests/{case.pk}/")
    assert answer["Location"] == f"/accounts/login/?next=/requests/{case.pk}/"


def test_a_session_ends_after_fifteen_idle_minutes_and_renewing_restarts_the_clock(pharmacist):
    client = Client()
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(pharmacist)
        traveller.shift(timedelta(minutes=14))
        assert client.post("/session/renew/").status_code == 204
        traveller.shift(timedelta(minutes=14))
        assert client.get("/queue/").status_code == 200
        traveller.shift(timedelta(minutes=15, seconds=1))
        assert client.get("/queue/")["Location"] == "/accounts/login/?next=/queue/"
        assert client.post("/session/renew/").status_code == 401


def test_renewing_needs_a_post():
    assert Client().get("/session/renew/").status_code == 405


def test_renewing_is_checked_for_csrf_like_any_post(pharmacist):
    client = Client(enforce_csrf_checks=True)
    client.force_login(pharmacist)
    assert client.post("/session/renew/").status_code == 403


def test_a_signed_in_page_tells_its_script_the_idle_timeout(pharmacist, settings):
    settings.SESSION_COOKIE_AGE = 600
    client = Client()
    client.force_login(pharmacist)
    page = client.get("/queue/").content.decode()
    assert 'data-session-idle-seconds="600"' in page
    assert 'data-session-renew-url="/session/renew/"' in page
    assert 'id="session-notice" class="session-notice no-print" role="status"' in page
    assert "priorauth/session.js" in page and "priorauth/drafts.js" in page


def test_the_login_page_has_no_idle_timer():
    page = Client().get("/accounts/login/").content.decode()
    assert "data-session-idle-seconds" not in page
    assert 'id="session-notice"' not in page


def test_every_text_a_person_drafts_is_marked_for_keeping(case, pharmacist, intake):
    client = Client()
    client.force_login(pharmacist)
    page = client.get(f"/requests/{case.pk}/").content.decode()
    assert f'data-draft-key="case-{case.pk}-deny"' in page
    assert f'data-draft-key="case-{case.pk}-pend"' in page
    client.force_login(intake)
    form = client.get("/requests/new/").content.decode()
    assert 'data-draft-key="intake-clinical-notes"' in form
