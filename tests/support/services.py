"""The gates for tests marked `postgres`, `redis` or `browser`: they need the real thing.

Without it they are skipped with the reason printed, except when REQUIRE_SERVICES=1
(CI), where a missing service fails the test instead (the hook is in tests/conftest.py).
"""

import os
import shutil
import socket

from django.db import connection

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _redis_reachable() -> bool:
    host, port = REDIS_URL.split("//", 1)[1].split("/", 1)[0].rsplit(":", 1)
    try:
        with socket.create_connection((host, int(port)), timeout=1):
            return True
    except OSError:
        return False


def missing_service(item) -> str | None:
    """Why this test item cannot run here (the service it is marked for is missing), or None."""
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        return "needs PostgreSQL: run with DATABASE_URL=postgres://… (make test does a pass)"
    if item.get_closest_marker("redis") and not _redis_reachable():
        return f"needs Redis at {REDIS_URL} (set TEST_REDIS_URL)"
    if item.get_closest_marker("browser") and not shutil.which(CHROMIUM):
        return f"needs Chromium at {CHROMIUM} (apt-get install chromium)"
    return None
