"""The lockout, throttle, proxy and cache settings: defaults, and bad values refused by name."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

from tests.support.paths import ROOT


def check(**env):
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment.update(DEBUG="1", **env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_defaults_lock_after_five_failures_for_fifteen_minutes():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]
    assert settings.PRIORAUTH_TOKEN_FAILURE_LIMIT == 10
    assert settings.PRIORAUTH_TOKEN_FAILURE_MINUTES == 15
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PRIORAUTH_LOGIN_FAILURE_LIMIT": "11"}, "LOGIN_FAILURE_LIMIT must be at most 10"),
        ({"PRIORAUTH_LOGIN_FAILURE_LIMIT": "0"}, "PRIORAUTH_LOGIN_FAILURE_LIMIT must be a whole"),
        ({"PRIORAUTH_LOGIN_COOLOFF_MINUTES": "soon"}, "PRIORAUTH_LOGIN_COOLOFF_MINUTES must be"),
        ({"PRIORAUTH_PROXY_COUNT": "-1"}, "PRIORAUTH_PROXY_COUNT must be 0 or more"),
        ({"CACHE_URL": "memcached://cache:11211"}, "CACHE_URL must be a redis:// URL"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(env, message):
    result = check(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_a_redis_cache_url_is_accepted_and_one_proxy_follows_from_the_tls_proxy_setting():
    result = check(CACHE_URL="redis://127.0.0.1:6379/1", SECURE_PROXY_SSL_HEADER="1")
    assert result.returncode == 0, result.stderr
