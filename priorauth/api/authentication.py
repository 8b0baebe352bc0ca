"""Token authentication that refuses an address after repeated failures (ADR 0009)."""

from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef
from rest_framework import authentication, exceptions

from priorauth import roles

from .throttles import FailedTokenThrottle


class TooManyFailedTokens(exceptions.Throttled):
    default_detail = "Too many failed authentications from this address."
    extra_detail_singular = "Try again in {wait} second."
    extra_detail_plural = "Try again in {wait} seconds."


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's `Authorization: Token <key>`, with failures counted per client address.

    A request without a Token header is not this class's business (None, as in DRF).
    One with a Token header from an address over the limit is refused before the token
    is looked up; a wrong, unknown or malformed token is counted, then refused as in DRF.
    """

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        throttle = FailedTokenThrottle()
        wait = throttle.seconds_blocked(request)
        if wait is not None:
            raise TooManyFailedTokens(wait=wait)
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            throttle.record_failure(request)
            raise

    def authenticate_credentials(self, key):
        """The token, its user and the user's roles, in one query (DRF reads the token and
        user in one, and the role check would read the groups in another).

        The roles are read on every request, so removing one takes effect on the next."""
        held = {
            f"holds_{index}": Exists(Group.objects.filter(user=OuterRef("user_id"), name=role))
            for index, role in enumerate(roles.ALL_ROLES)
        }
        try:
            token = self.get_model().objects.select_related("user").annotate(**held).get(key=key)
        except self.get_model().DoesNotExist:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        token.user._role_names = {
            role for index, role in enumerate(roles.ALL_ROLES) if getattr(token, f"holds_{index}")
        }
        return (token.user, token)
