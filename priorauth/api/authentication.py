"""Token authentication that reads the user's roles in the same query.

Every API call checks a role; DRF's TokenAuthentication reads the token and user, and
the role check then read the groups: two round trips. Here one query carries a flag
per role, so roles stay exact on every request (no cache to go stale when an
administrator removes someone's role) at the cost of one query.
"""

from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from priorauth import roles


def _role_flags() -> dict:
    return {
        f"has_role_{index}": Exists(Group.objects.filter(user=OuterRef("user_id"), name=role))
        for index, role in enumerate(roles.ALL_ROLES)
    }


class TokenWithRolesAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        token = (
            Token.objects.select_related("user").annotate(**_role_flags()).filter(key=key).first()
        )
        if token is None:
            raise AuthenticationFailed("Invalid token.")
        if not token.user.is_active:
            raise AuthenticationFailed("User inactive or deleted.")
        token.user._role_names = {
            role
            for index, role in enumerate(roles.ALL_ROLES)
            if getattr(token, f"has_role_{index}")
        }
        return (token.user, token)
