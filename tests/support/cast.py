"""The fixed cast of users (one per role) and the clients they use.

The fixtures that name them (pharmacist, intake, as_claims, admin_client_policy, …) are in
tests/conftest.py and tests/policies/conftest.py; these are the helpers behind them.
"""

from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def role_group(name: str):
    """The role's group, as migration 0002 makes it: a transactional test before this one
    may have flushed it, so it is made again with its model permissions."""
    from django.contrib.auth.models import Group, Permission

    from priorauth.roles import MODEL_PERMISSIONS

    group, created = Group.objects.get_or_create(name=name)
    if created:
        for app_label, codename in MODEL_PERMISSIONS.get(name, []):
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
    return group


def make_user(django_user_model, username: str, *role_names: str):
    user = django_user_model.objects.create_user(username=username, password="pass-" + username)
    for name in role_names:
        user.groups.add(role_group(name))
    return user


def staff_client(django_user_model, username: str, *role_names: str) -> Client:
    """A signed-in client for a staff member (the admin site needs is_staff)."""
    user = make_user(django_user_model, username, *role_names)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(user)
    client.user = user
    return client


def token_headers(user) -> dict[str, str]:
    """The header a program sends to authenticate as `user` (a token is made if needed)."""
    token, _ = Token.objects.get_or_create(user=user)
    return {"Authorization": f"Token {token.key}"}


def token_client(user) -> APIClient:
    """An API client that authenticates the way programs do: a token header."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=token_headers(user)["Authorization"])
    return client
