"""The expiry service: flips active overrides past their end, with history, idempotently."""

import io
import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from priorauth import services
from priorauth.models import Override, OverrideStatus
from tests.support import factories


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def overrides(kesimpta, today):
    day = timedelta(days=1)
    return {
        "ended yesterday": factories.override("Y1", ends_on=today - day),
        "ended long ago": factories.override("Y2", ends_on=today - 40 * day),
        "ends today": factories.override("T1", ends_on=today),
        "ends tomorrow": factories.override("T2", ends_on=today + day),
        "used, ended": factories.override("U1", ends_on=today - day, status="used"),
        "revoked, ended": factories.override("R1", ends_on=today - day, status="revoked"),
    }


def statuses(overrides):
    return {name: Override.objects.get(pk=o.pk).status for name, o in overrides.items()}


@pytest.mark.django_db
def test_it_expires_only_active_overrides_whose_last_day_has_passed(overrides):
    assert services.overrides_expire() == 2
    assert statuses(overrides) == {
        "ended yesterday": "expired",
        "ended long ago": "expired",
        "ends today": "active",
        "ends tomorrow": "active",
        "used, ended": "used",
        "revoked, ended": "revoked",
    }


@pytest.mark.django_db
def test_each_expiry_is_in_history_attributed_to_the_system_user(overrides):
    services.overrides_expire()
    entry = Override.objects.get(pk=overrides["ended yesterday"].pk).history.first()
    assert entry.status == "expired"
    assert entry.history_change_reason == "expired by schedule"
    assert entry.history_user.username == "system"
    assert not entry.history_user.is_active  # it cannot log in
    untouched = Override.objects.get(pk=overrides["ends today"].pk)
    assert untouched.history.filter(history_change_reason="expired by schedule").count() == 0


@pytest.mark.django_db
def test_running_it_again_changes_nothing(overrides):
    assert services.overrides_expire() == 2
    history = Override.history.count()
    assert services.overrides_expire() == 0
    assert Override.history.count() == history


@pytest.mark.django_db
def test_it_does_not_make_one_query_per_override(kesimpta, today, django_assert_max_num_queries):
    for n in range(30):
        factories.override(f"B{n}", ends_on=today - timedelta(days=1 + n % 5))
    services.system_user()
    # Fetch, update, insert history (per batch), whatever the number of overrides.
    with django_assert_max_num_queries(6):
        assert services.overrides_expire(batch_size=1000) == 30


@pytest.mark.django_db
def test_it_works_through_batches(kesimpta, today):
    for n in range(7):
        factories.override(f"B{n}", ends_on=today - timedelta(days=2))
    assert services.overrides_expire(batch_size=3) == 7
    assert not Override.objects.past_end(today).exists()


@pytest.mark.django_db
def test_the_command_says_how_many_it_expired(overrides):
    out = io.StringIO()
    call_command("expire_overrides", stdout=out)
    assert out.getvalue().strip() == "2 override(s) expired."


def test_beat_runs_the_expiry_at_least_hourly():
    entry = settings.CELERY_BEAT_SCHEDULE["expire-overrides"]
    assert entry["task"] == "priorauth.tasks.expire_overrides"
    assert entry["schedule"] <= timedelta(hours=1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_share_the_work_and_expire_each_override_once(kesimpta, today):
    for n in range(40):
        factories.override(f"C{n}", ends_on=today - timedelta(days=1))
    services.system_user()
    results = []
    barrier = threading.Barrier(2)

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(services.overrides_expire(batch_size=5))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(results) == 40
    assert Override.objects.filter(status=OverrideStatus.EXPIRED).count() == 40
    assert Override.history.filter(history_change_reason="expired by schedule").count() == 40
