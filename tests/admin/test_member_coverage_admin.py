"""Coverage dates in the admin: a superuser corrects them through the service, with a
reason; nobody else changes anything on a member."""

from datetime import date

import pytest
from django.test import Client

from tests.support import factories
from tests.support.phi import role_clients

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(kesimpta):
    return factories.member("M1")


@pytest.fixture
def superuser_admin(django_user_model):
    user = django_user_model.objects.create_superuser("root", password="pass-root-x9!")
    client = Client()
    client.force_login(user)
    return user, client


def change(client, member, **fields):
    return client.post(f"/admin/priorauth/member/{member.pk}/change/", fields)


def test_a_superuser_ends_coverage_with_a_reason_kept_in_history(member, superuser_admin):
    user, client = superuser_admin
    response = change(
        client,
        member,
        coverage_start="2000-01-01",
        coverage_end="2026-06-30",
        reason="enrollment file 2026-06",
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.coverage_end == date(2026, 6, 30)
    latest = member.history.latest("history_date")
    assert (latest.history_change_reason, latest.history_user) == (
        "coverage changed: enrollment file 2026-06",
        user,
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"coverage_end": "2026-06-30", "reason": ""}, "This field is required."),
        (
            {"coverage_end": "1999-12-31", "reason": "typo"},
            "Coverage cannot end (1999-12-31) before it starts (2000-01-01).",
        ),
    ],
)
def test_a_coverage_change_that_cannot_stand_is_shown_and_nothing_changes(
    member, superuser_admin, fields, message
):
    _, client = superuser_admin
    response = change(client, member, coverage_start="2000-01-01", **fields)
    assert response.status_code == 200
    assert message in response.content.decode()
    member.refresh_from_db()
    assert member.coverage_end is None
    assert member.history.count() == 1


def test_an_auditor_sees_the_coverage_but_cannot_change_it(member, auditor):
    client = role_clients({"auditor": auditor})["auditor"]
    page = client.get(f"/admin/priorauth/member/{member.pk}/change/")
    assert page.status_code == 200
    assert 'name="coverage_end"' not in page.content.decode()
    response = change(
        client, member, coverage_start="2000-01-01", coverage_end="2026-06-30", reason="x"
    )
    assert response.status_code == 403
    member.refresh_from_db()
    assert member.coverage_end is None
