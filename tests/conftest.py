"""Shared fixtures: a fixed cast of users (one per role), API clients, the Kesimpta policy.

Service gates: tests marked `postgres`, `redis` or `browser` need the real thing.
Without it they are skipped with the reason printed, except when REQUIRE_SERVICES=1
(CI), where a missing service fails the test instead.
"""

import os
import shutil
import socket
from pathlib import Path

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from priorauth import roles

ROOT = Path(__file__).resolve().parent.parent
KESIMPTA_FILE = ROOT / "policies" / "data" / "kesimpta.yaml"
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


def _missing_service(item) -> str | None:
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        return "needs PostgreSQL: run with DATABASE_URL=postgres://… (make test does a pass)"
    if item.get_closest_marker("redis") and not _redis_reachable():
        return f"needs Redis at {REDIS_URL} (set TEST_REDIS_URL)"
    if item.get_closest_marker("browser") and not shutil.which(CHROMIUM):
        return f"needs Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


def pytest_runtest_setup(item):
    reason = _missing_service(item)
    if reason is None:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but this test {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_policies_remembered_from_another_test():
    # Each test has its own database rows; a policy cached by an earlier test is not in it.
    from policies.selectors import forget_policies

    forget_policies()


def make_user(django_user_model, username: str, *role_names: str):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(username=username, password="pass-" + username)
    for name in role_names:
        # get_or_create: transactional tests flush the groups the migration made.
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user


@pytest.fixture
def pharmacist(django_user_model):
    return make_user(django_user_model, "pharmacist", roles.CLINICAL_PHARMACIST)


@pytest.fixture
def pharmacist2(django_user_model):
    return make_user(django_user_model, "pharmacist2", roles.CLINICAL_PHARMACIST)


@pytest.fixture
def policy_admin(django_user_model):
    return make_user(django_user_model, "policyadmin", roles.POLICY_ADMIN)


@pytest.fixture
def intake(django_user_model):
    return make_user(django_user_model, "intake", roles.INTAKE)


@pytest.fixture
def claims_system(django_user_model):
    return make_user(django_user_model, "claims", roles.CLAIMS_SYSTEM)


@pytest.fixture
def auditor(django_user_model):
    return make_user(django_user_model, "auditor", roles.AUDITOR)


@pytest.fixture
def stranger(django_user_model):
    return make_user(django_user_model, "stranger")


def token_client(user) -> APIClient:
    """An API client that authenticates the way programs do: a token header."""
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def as_intake(intake):
    return token_client(intake)


@pytest.fixture
def as_claims(claims_system):
    return token_client(claims_system)


@pytest.fixture
def as_pharmacist(pharmacist):
    return token_client(pharmacist)


@pytest.fixture
def as_auditor(auditor):
    return token_client(auditor)


@pytest.fixture
def kesimpta(db):
    from policies.files import load_policy_file

    return load_policy_file(KESIMPTA_FILE).policy
