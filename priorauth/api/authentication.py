"""Token authentication that refuses an address after repeated failures (ADR 0009)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from priorauth.selectors.tokens import token_holder

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
        """The token, its user and the user's roles in one query (DRF reads the token and
        user in one, and the role check would read the groups in another).

        The roles are read on every request, so removing one takes effect on the next."""
        holder = token_holder(key)
        if holder is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not holder.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        holder.user._role_names = set(holder.roles)
        return (holder.user, holder.token)
