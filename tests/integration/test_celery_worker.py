"""A real Celery worker on Redis, against the test database, expires overrides.

The worker is a separate process started here; the task is sent through the broker
by name, exactly as beat sends it.
"""

import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from urllib.parse import quote

import psycopg
import pytest
from celery import Celery
from django.db import connection
from django.utils import timezone

from priorauth.models import Override
from tests.support import factories
from tests.support.paths import ROOT
from tests.support.services import REDIS_URL

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

TASK = "priorauth.tasks.expire_overrides"


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    return f"postgres://{quote(db['USER'])}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _wait_for(predicate, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Worker:
    def __init__(self, log_path):
        self.queue = f"test-expiry-{uuid.uuid4().hex[:8]}"
        self.log_path = log_path
        env = {
            **os.environ,
            "DEBUG": "1",
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": REDIS_URL,
        }
        self.log = open(log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "priorauth",
                "worker",
                "--pool=solo",
                "--queues",
                self.queue,
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        _wait_for(lambda: "ready." in self.output(), timeout=60, what="the worker to start")

    def output(self) -> str:
        return self.log_path.read_text()

    def send(self, task_name: str):
        sender = Celery("test-sender", broker=REDIS_URL)
        try:
            sender.send_task(task_name, queue=self.queue)
        finally:
            sender.close()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


@pytest.fixture
def worker(tmp_path):
    running = Worker(tmp_path / "worker.log")
    yield running
    running.stop()


@pytest.fixture
def overrides(kesimpta):
    today = timezone.localdate()
    day = timedelta(days=1)
    return {
        "yesterday": factories.override("Y1", ends_on=today - day),
        "today": factories.override("T0", ends_on=today),
        "tomorrow": factories.override("T1", ends_on=today + day),
    }


def _status(override) -> str:
    return Override.objects.get(pk=override.pk).status


def test_a_real_worker_expires_what_ended_yesterday_and_nothing_else(worker, overrides):
    worker.send(TASK)
    _wait_for(
        lambda: _status(overrides["yesterday"]) == "expired",
        timeout=60,
        what="the worker to expire the override that ended yesterday",
    )
    _wait_for(lambda: "succeeded" in worker.output(), timeout=30, what="the task to finish")
    assert "1 override(s) expired" in worker.output()
    assert _status(overrides["today"]) == "active"
    assert _status(overrides["tomorrow"]) == "active"
    entry = Override.objects.get(pk=overrides["yesterday"].pk).history.first()
    assert (entry.status, entry.history_change_reason) == ("expired", "expired by schedule")
    assert entry.history_user.username == "system"


def _allow_connections(allowed: bool) -> None:
    """Open or close the test database to new connections (from another database)."""
    db = connection.settings_dict
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        ours = cursor.fetchone()[0]
    with psycopg.connect(
        host=db["HOST"],
        port=db["PORT"],
        user=db["USER"],
        password=db.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute(f'ALTER DATABASE "{db["NAME"]}" ALLOW_CONNECTIONS {str(allowed).lower()}')
        if not allowed:
            # Drop the worker's open connection too; ours (the test's) stays.
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> %s",
                [db["NAME"], ours],
            )


def test_when_the_database_is_briefly_away_the_task_retries_and_loses_nothing(worker, overrides):
    _allow_connections(False)
    try:
        worker.send(TASK)
        _wait_for(lambda: "Retry in" in worker.output(), timeout=60, what="the task to retry")
        assert _status(overrides["yesterday"]) == "active"
    finally:
        _allow_connections(True)
    _wait_for(
        lambda: _status(overrides["yesterday"]) == "expired",
        timeout=90,
        what="the retried task to expire the override",
    )
    assert _status(overrides["today"]) == "active"
