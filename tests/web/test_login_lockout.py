"""Repeated wrong passwords lock the account and the address (django-axes, ADR 0009)."""

import logging
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog
from django.core.management import call_command
from django.test import Client

from priorauth import roles
from tests.support.cast import make_user, staff_client

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
START = datetime(2026, 6, 1, 14, 0, tzinfo=UTC)


def sign_in(username, password, *, path=LOGIN, address="10.0.0.1", client=None):
    client = client or Client()
    response = client.post(path, {"username": username, "password": password}, REMOTE_ADDR=address)
    response.client = client
    return response


def signed_in(response) -> bool:
    return "_auth_user_id" in response.client.session


def fail(times, username="pharmacist", **kwargs):
    return [sign_in(username, "not-the-password", **kwargs) for _ in range(times)]


def test_four_wrong_passwords_are_answered_with_the_form_and_its_error(pharmacist):
    answers = fail(4)
    assert [a.status_code for a in answers] == [200] * 4
    assert b"Please enter a correct username and password" in answers[-1].content
    assert sign_in("pharmacist", "pass-pharmacist").status_code == 302


def test_the_fifth_wrong_password_locks_and_the_sixth_attempt_is_refused_even_if_right(
    pharmacist,
):
    answers = fail(5)
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 429]
    sixth = sign_in("pharmacist", "pass-pharmacist")
    assert sixth.status_code == 429
    assert not signed_in(sixth)
    assert b"Sign-in paused" in sixth.content


def test_the_lockout_page_says_nothing_that_helps_an_attacker(pharmacist):
    page = fail(5)[-1]
    text = page.content.decode()
    assert "registration/locked_out.html" in [t.name for t in page.templates]
    for detail in ("pharmacist", "5", "15", "minute", "address", "10.0.0.1"):
        assert detail not in text.split("<main", 1)[1], detail


def test_a_script_asking_for_json_gets_the_same_page_without_the_limit_or_cool_off(pharmacist):
    fail(4)
    client = Client()
    locked = client.post(
        LOGIN,
        {"username": "pharmacist", "password": "wrong"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    assert locked.status_code == 429
    assert locked["Content-Type"].startswith("text/html")
    assert b"failure_limit" not in locked.content and b"cooloff" not in locked.content


def test_the_account_stays_locked_from_another_address(pharmacist):
    fail(5, address="10.0.0.1")
    assert sign_in("pharmacist", "pass-pharmacist", address="10.9.9.9").status_code == 429


def test_the_address_is_locked_for_every_account(pharmacist, auditor):
    for name in ("nobody1", "nobody2", "nobody3", "nobody4", "nobody5"):
        fail(1, username=name, address="10.0.0.7")
    assert sign_in("auditor", "pass-auditor", address="10.0.0.7").status_code == 429
    assert sign_in("auditor", "pass-auditor", address="10.0.0.8").status_code == 302


def test_the_right_password_is_refused_during_the_cool_off_and_accepted_after_it(pharmacist):
    with time_machine.travel(START, tick=False) as traveller:
        fail(5)
        traveller.shift(timedelta(minutes=14))
        assert sign_in("pharmacist", "pass-pharmacist").status_code == 429
        # The refused attempt did not start the cool-off again: 15 minutes from the lockout.
        traveller.shift(timedelta(minutes=1, seconds=1))
        after = sign_in("pharmacist", "pass-pharmacist")
        assert after.status_code == 302
        assert signed_in(after)


def test_the_admin_login_locks_too(django_user_model):
    staff_client(django_user_model, "policyadmin", roles.POLICY_ADMIN)
    answers = fail(5, username="policyadmin", path=ADMIN_LOGIN)
    assert answers[-1].status_code == 429
    right = sign_in("policyadmin", "pass-policyadmin", path=ADMIN_LOGIN)
    assert right.status_code == 429
    assert not signed_in(right)
    # One count for both doors: the site's login page is locked for the account as well.
    assert sign_in("policyadmin", "pass-policyadmin").status_code == 429


def test_failures_at_either_door_add_up(pharmacist):
    fail(3, path=ADMIN_LOGIN)
    fail(2, path=LOGIN)
    assert sign_in("pharmacist", "pass-pharmacist").status_code == 429


def test_an_administrator_sees_the_lockout_in_the_admin_and_unlocks_it(
    pharmacist, django_user_model
):
    fail(5)
    admin = django_user_model.objects.create_superuser("root", password="pass-root")
    client = Client()
    client.force_login(admin)
    listing = client.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    assert b"pharmacist" in listing.content and b"Locked Out" in listing.content
    assert client.get("/admin/axes/accessfailurelog/").status_code == 200
    assert AccessFailureLog.objects.filter(username="pharmacist", locked_out=True).exists()

    attempt = AccessAttempt.objects.get(username="pharmacist")
    unlocked = client.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert unlocked.status_code == 302
    assert sign_in("pharmacist", "pass-pharmacist").status_code == 302


@pytest.mark.parametrize(
    ("command", "argument"),
    [("axes_reset_username", "pharmacist"), ("axes_reset_ip", "10.0.0.1"), ("axes_reset", None)],
)
def test_a_command_unlocks(pharmacist, command, argument):
    fail(5)
    assert sign_in("pharmacist", "pass-pharmacist").status_code == 429
    call_command(command, *([argument] if argument else []))
    assert sign_in("pharmacist", "pass-pharmacist").status_code == 302


def test_the_lockout_is_logged_naming_the_account_and_the_address(pharmacist, caplog):
    with caplog.at_level(logging.INFO):
        fail(5)
    lockouts = [r.getMessage() for r in caplog.records if "Locking out" in r.getMessage()]
    assert len(lockouts) == 1
    assert 'account: "pharmacist"' in lockouts[0]
    assert 'address: "10.0.0.1"' in lockouts[0]
    assert 'path: "/accounts/login/"' in lockouts[0]


def test_text_typed_as_a_username_that_is_no_account_never_reaches_the_log(caplog):
    typed = "Robin Case DEMO000050"  # a member's name and ID, typed into the wrong box
    with caplog.at_level(logging.DEBUG):
        fail(5, username=typed)
    messages = [r.getMessage() for r in caplog.records]
    assert any("Locking out" in m and "(not an account)" in m for m in messages)
    assert not [m for m in messages if "Robin" in m or "DEMO000050" in m]


def test_a_forced_login_in_tests_and_sessions_are_not_counted(pharmacist):
    client = Client()
    client.force_login(pharmacist)
    assert client.get("/queue/").status_code == 200
    assert AccessAttempt.objects.count() == 0


def test_a_user_made_by_the_cast_helper_signs_in_through_the_form(django_user_model):
    make_user(django_user_model, "intake", roles.INTAKE)
    answer = sign_in("intake", "pass-intake")
    assert answer.status_code == 302
    assert signed_in(answer)
