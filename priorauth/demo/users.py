"""The demo staff: one user per role, each with a known password and an API token."""

import os
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token

from priorauth import roles

DEFAULT_PASSWORD = "priorauth-demo"

# username, role (group), is_staff (the admin site needs it)
DEMO_USERS = (
    ("pharmacist", roles.CLINICAL_PHARMACIST, False),
    ("pharmacist2", roles.CLINICAL_PHARMACIST, False),
    ("physician", roles.PHYSICIAN_REVIEWER, False),
    ("policyadmin", roles.POLICY_ADMIN, True),
    ("intake", roles.INTAKE, False),
    ("claims", roles.CLAIMS_SYSTEM, False),
    ("auditor", roles.AUDITOR, True),
)
# Fictional full names: the notices name the person who decided, not the username.
DEMO_NAMES = {
    "pharmacist": ("Morgan", "Reyes"),
    "pharmacist2": ("Priya", "Castellanos"),
    "physician": ("Samuel", "Okafor"),
    "policyadmin": ("Robin", "Vance"),
    "intake": ("Jordan", "Ellis"),
    "auditor": ("Casey", "Lindgren"),
}


class Login(NamedTuple):
    username: str
    role: str
    user: object
    token: str


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD


def missing_role_groups() -> list[str]:
    """The role groups migrate has not made yet; the demo users cannot be given them."""
    present = set(Group.objects.filter(name__in=roles.ALL_ROLES).values_list("name", flat=True))
    return [name for name in roles.ALL_ROLES if name not in present]


def ensure_users(password: str) -> list[Login]:
    """Create or update the demo users, in DEMO_USERS order, and return their logins."""
    groups = {g.name: g for g in Group.objects.filter(name__in=roles.ALL_ROLES)}
    return [
        _ensure_user(username, groups[role], is_staff, password)
        for username, role, is_staff in DEMO_USERS
    ]


def _ensure_user(username: str, group: Group, is_staff: bool, password: str) -> Login:
    user, created = get_user_model().objects.get_or_create(username=username)
    # Set the password only when it differs: re-hashing an unchanged password
    # would log the demo users out of every session for nothing.
    if created or not user.check_password(password):
        user.set_password(password)
    if is_staff:
        user.is_staff = True
    user.first_name, user.last_name = DEMO_NAMES.get(username, ("", ""))
    user.is_active = True
    user.save()
    user.groups.set([group])
    token, _ = Token.objects.get_or_create(user=user)
    return Login(username, group.name, user, token.key)
