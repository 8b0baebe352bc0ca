"""What every benchmark runs on: the bench database, Django, a gunicorn server and a
quiet machine.

Import without Django set up: `setup()` is what sets it up.
"""

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.report import BASE_DIR, say

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/priorauth_bench"
DEFAULT_APP = "priorauth.wsgi:application"
POLICY_FILE = BASE_DIR / "policies" / "data" / "kesimpta.yaml"
# Before loading, wait (--quiet-wait) for the machine to be at most this busy.
QUIET_BUSY_PERCENT = 25.0


@dataclass(frozen=True)
class Bench:
    """A set-up bench run: its database, the environment gunicorn gets, and its start."""

    database_url: str
    env: dict[str, str]
    started: datetime  # before the database was set up: part of the run's time
    clock: float  # time.monotonic() at `started`
    policy: object  # the Kesimpta policy (policies.models.Policy)


# --- Database and Django -------------------------------------------------------------


def bench_database_url(*, quick: bool) -> str:
    """BENCH_DATABASE_URL; a quick run uses a sibling database (NAME_quick), so it never
    replaces the full data set (which takes a minute to rebuild)."""
    url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL
    if not quick:
        return url
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_quick"))


def configure_environment(database_url: str) -> dict[str, str]:
    """The environment for Django, here and in gunicorn: production-like, on the bench database."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
            "DATABASE_URL": database_url,
            # DEBUG off: what production runs (no query log kept, no debug pages).
            "DEBUG": "0",
            "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
            # Plain HTTP on loopback.
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "SECURE_HSTS_SECONDS": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "ERROR"),
            "PRIORAUTH_VAR_DIR": tempfile.gettempdir(),
        }
    )
    return dict(os.environ)


def ensure_database(database_url: str) -> bool:
    """Create the bench database if it does not exist; True if it was created."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    params = dj_database_url.parse(database_url)
    if params["ENGINE"] == "django.db.backends.sqlite3":
        return False  # the file is made on first connection (the prescribers benchmark only)
    if params["ENGINE"] != "django.db.backends.postgresql":
        raise SystemExit(f"BENCH_DATABASE_URL must name PostgreSQL, not {params['ENGINE']}")
    connect = {
        "host": params["HOST"] or None,
        "port": params["PORT"] or None,
        "user": params["USER"] or None,
        "password": params["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
        "connect_timeout": 5,
    }
    with psycopg.connect(**{k: v for k, v in connect.items() if v is not None}) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [params["NAME"]]
        ).fetchone()
        if exists:
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(params["NAME"])))
        return True


def postgres_info() -> dict[str, str]:
    from django.db import connection

    info = {}
    with connection.cursor() as cursor:
        for name in ("server_version", "shared_buffers", "synchronous_commit", "fsync"):
            cursor.execute(f"SHOW {name}")
            info[name] = cursor.fetchone()[0]
    return info


def setup(*, quick: bool) -> Bench:
    """Point Django at the bench database (created if missing), migrate it and load the
    Kesimpta policy: what every benchmark starts from."""
    started = datetime.now(UTC)
    clock = time.monotonic()
    database_url = bench_database_url(quick=quick)
    env = configure_environment(database_url)
    shown = urllib.parse.urlsplit(database_url)
    say(f"  database {shown.hostname}:{shown.port or 5432}{shown.path}")
    if ensure_database(database_url):
        say("  created the database")

    import django

    # WhiteNoise warns that collectstatic has not run; no benchmark needs it.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from policies.files import load_policy_file

    # The pages rendered in process (the queue benchmark) link their CSS through
    # {% static %}, which the manifest storage refuses without collectstatic. gunicorn
    # reads its settings afresh and is not affected.
    settings.STORAGES["staticfiles"]["BACKEND"] = (
        "django.contrib.staticfiles.storage.StaticFilesStorage"
    )
    call_command("migrate", interactive=False, verbosity=0)
    policy = load_policy_file(POLICY_FILE).policy
    return Bench(database_url, env, started, clock, policy)


# --- The machine ------------------------------------------------------------------------


def machine_busy(seconds: float = 2.0) -> float:
    from benchmarks.load import cpu_snapshot, cpu_used

    before = cpu_snapshot({})
    time.sleep(seconds)
    return cpu_used(before, cpu_snapshot({}), seconds)["machine busy %"]


def wait_until_quiet(limit: float, threshold: float = QUIET_BUSY_PERCENT) -> float:
    """Wait (at most `limit` s) for other work on the machine to stop; the last busy %."""
    deadline = time.monotonic() + limit
    busy = machine_busy()
    waited = False
    while busy > threshold and time.monotonic() < deadline:
        say(f"\r  the machine is {busy:3.0f}% busy with other work; waiting ...", end="")
        waited = True
        busy = machine_busy()
    if waited:
        say("")
    if busy > threshold:
        say(f"  still {busy:.0f}% busy: measuring anyway, the numbers will be low")
    return busy


# --- The server ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """gunicorn on 127.0.0.1, sync workers unless told otherwise; stopped on exit, error or
    Ctrl-C. Every setting the benchmark depends on is on the command line, which wins over
    the project's gunicorn.conf.py (read from the working directory)."""

    def __init__(
        self,
        *,
        workers: int,
        env: dict[str, str],
        ready_path: str,
        token: str,
        app: str,
        worker_class: str = "sync",
        threads: int = 1,
    ):
        self.app = app
        self.workers = workers
        self.worker_class = worker_class
        self.threads = threads
        self.env = env
        self.ready_path = ready_path
        self.token = token
        self.port = free_port()
        # Open for the server's whole life; closed in stop().
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115
            prefix="bench-gunicorn-", suffix=".log", delete=False
        )
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Gunicorn":
        self.process = subprocess.Popen(
            self._command(),
            env=self.env,
            cwd=BASE_DIR,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.stop()
        self.log.close()
        if exc_type is None:
            Path(self.log.name).unlink(missing_ok=True)
        else:
            say(f"\n  gunicorn's log: {self.log.name}")

    def _command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "gunicorn",
            self.app,
            "--chdir",
            str(BASE_DIR),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--worker-class",
            self.worker_class,
            # Always given: gunicorn.conf.py's threads would turn sync workers into gthread.
            "--threads",
            str(self.threads),
            "--timeout",
            "30",
            "--graceful-timeout",
            "5",
            "--log-level",
            "warning",
        ]

    def _wait_ready(self, timeout: float = 30.0) -> None:
        import http.client

        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited ({self.process.returncode}):\n{self.log_tail()}"
                )
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            try:
                conn.request(
                    "GET", self.ready_path, headers={"Authorization": f"Token {self.token}"}
                )
                response = conn.getresponse()
                body = response.read()
                if response.status == 200:
                    return
                last = f"HTTP {response.status}: {body[:300]!r}"
            except OSError as exc:
                last = str(exc)
            finally:
                conn.close()
            time.sleep(0.2)
        raise RuntimeError(
            f"gunicorn did not answer in {timeout:.0f} s ({last}):\n{self.log_tail()}"
        )

    def pids(self) -> list[int]:
        from benchmarks.load import children_of

        if self.process is None:
            return []
        return [self.process.pid, *children_of(self.process.pid)]

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        workers = self.pids()[1:]
        self.process.terminate()  # the master stops its workers gracefully
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        for pid in workers:  # only if one outlived its master: our own children, by pid
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def log_tail(self, lines: int = 30) -> str:
        self.log.flush()
        text = Path(self.log.name).read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])
