"""Shared fixtures: a fixed cast of users (one per role), API clients, the Kesimpta policy.

Service gates: tests marked `postgres`, `redis` or `browser` need the real thing.
Without it they are skipped with the reason printed, except when REQUIRE_SERVICES=1
(CI), where a missing service fails the test instead (tests/support/services.py).
"""

import pytest

from priorauth import roles
from tests.support.cast import make_user, token_client
from tests.support.paths import KESIMPTA_FILE
from tests.support.services import REQUIRE_SERVICES, missing_service


def pytest_runtest_setup(item):
    reason = missing_service(item)
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


@pytest.fixture(autouse=True)
def _uploads_in_a_temporary_directory(settings, tmp_path):
    # Uploaded documents (the "attachments" storage) go under MEDIA_ROOT: never var/.
    settings.MEDIA_ROOT = tmp_path / "uploads"


@pytest.fixture(autouse=True)
def _no_failed_tokens_counted_by_another_test():
    # The API's failed-token counts live in the cache (memory, per process, in tests).
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def pharmacist(django_user_model):
    return make_user(django_user_model, "pharmacist", roles.CLINICAL_PHARMACIST)


@pytest.fixture
def pharmacist2(django_user_model):
    return make_user(django_user_model, "pharmacist2", roles.CLINICAL_PHARMACIST)


@pytest.fixture
def physician(django_user_model):
    return make_user(django_user_model, "physician", roles.PHYSICIAN_REVIEWER)


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
def everyone(stranger, intake, claims_system, pharmacist, auditor, policy_admin, physician):
    """The whole cast by role, for tests that walk every URL as every kind of user."""
    return {
        "stranger": stranger,
        "intake": intake,
        "claims_system": claims_system,
        "pharmacist": pharmacist,
        "auditor": auditor,
        "policy_admin": policy_admin,
        "physician": physician,
    }


@pytest.fixture
def stranger(django_user_model):
    return make_user(django_user_model, "stranger")


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
