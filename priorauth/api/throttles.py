"""Failed token authentications, counted per client address (ADR 0009).

Not one of DRF's DEFAULT_THROTTLE_CLASSES: those run after authentication, and a
wrong token stops the request inside authentication. priorauth.api.authentication
asks this throttle before it looks a token up, and tells it about each failure.
A successful request never writes here and reads one cache key, never the database.
"""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from priorauth.security import client_address


class FailedTokenThrottle(SimpleRateThrottle):
    """At most PRIORAUTH_TOKEN_FAILURE_LIMIT failed token authentications from one address
    in any PRIORAUTH_TOKEN_FAILURE_MINUTES; after that, every token from the address is
    refused (429, Retry-After) until the oldest failure in the window has aged out."""

    scope = "failed_token"
    cache_format = "priorauth:failed-token:%(ident)s"

    def __init__(self):
        self.num_requests = settings.PRIORAUTH_TOKEN_FAILURE_LIMIT
        self.duration = settings.PRIORAUTH_TOKEN_FAILURE_MINUTES * 60
        self.rate = f"{self.num_requests}/{self.duration}s"

    def get_ident(self, request):
        return client_address(request) or "unknown"

    def get_cache_key(self, request, view=None):
        return self.cache_format % {"ident": self.get_ident(request)}

    def _recent(self, request) -> list[float]:
        self.key = self.get_cache_key(request)
        self.now = self.timer()
        history = self.cache.get(self.key, [])
        return [at for at in history if at > self.now - self.duration]

    def seconds_blocked(self, request) -> int | None:
        """None while the address may try a token; otherwise the seconds until it may."""
        self.history = self._recent(request)
        if len(self.history) < self.num_requests:
            return None
        return max(1, int(self.history[-1] + self.duration - self.now + 0.999))

    def record_failure(self, request) -> None:
        self.history = self._recent(request)
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history[: self.num_requests], self.duration)
