"""Staff members of the roles that use the admin (the admin site needs is_staff)."""

import pytest
from django.test import Client

from priorauth import roles
from tests.conftest import make_user


def staff_client(django_user_model, username: str, *role_names: str) -> Client:
    user = make_user(django_user_model, username, *role_names)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(user)
    client.user = user
    return client


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
