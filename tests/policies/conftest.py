"""Staff members of the roles that use the admin (the admin site needs is_staff)."""

import pytest

from priorauth import roles
from tests.support.cast import staff_client


@pytest.fixture
def admin_client_policy(django_user_model):
    """A policy admin at the admin site."""
    return staff_client(django_user_model, "policyadmin", roles.POLICY_ADMIN)


@pytest.fixture
def admin_client_pharmacist(django_user_model):
    return staff_client(django_user_model, "pharmacist", roles.CLINICAL_PHARMACIST)


@pytest.fixture
def admin_client_auditor(django_user_model):
    return staff_client(django_user_model, "auditor", roles.AUDITOR)
