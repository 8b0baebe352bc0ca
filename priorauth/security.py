"""Cross-cutting HTTP security: who the client is, what a response may be cached as,
and what the sign-in lockout writes into the log.

docs/decisions/0009-login-lockout-and-headers.md explains the choices.
"""

import ipaddress

from django.conf import settings
from django.contrib.auth import get_user_model
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers


def client_address(request) -> str | None:
    """The address of the client, as the outermost trusted proxy saw it.

    With PRIORAUTH_PROXY_COUNT = 0 (no proxy) it is REMOTE_ADDR. Behind N proxies that
    each append the address they received from to X-Forwarded-For, it is the Nth entry
    from the right: entries further left were written by the client and can be forged.
    Gunicorn does not rewrite REMOTE_ADDR from X-Forwarded-For, so this is the one place
    that reads it (the sign-in lockout and the API's failed-token throttle both use it).
    """
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.PRIORAUTH_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        # A proxy did not add its entry: the request did not come the way we were told.
        return remote
    try:
        # Stored in the PHI access log as an address (inet on PostgreSQL): never text.
        return str(ipaddress.ip_address(forwarded[-proxies]))
    except ValueError:
        return remote


class NoStoreMiddleware:
    """Every answer the application itself writes is `Cache-Control: no-store`.

    Pages and API answers carry protected health information, so no browser, proxy
    or shared cache may keep them. Static files never reach this middleware:
    WhiteNoise, placed before it, answers them with its own long cache headers.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response


def lockout_client_str(username, ip_address, user_agent, path_info, request) -> str:
    """How django-axes names a client in its log lines (AXES_CLIENT_STR_CALLABLE).

    The username is written only when it is an account of ours (staff, never a
    member). Anything else typed into the username field, which may be a member's
    name or a password typed in the wrong box, is not written.
    """
    if isinstance(path_info, list | tuple):
        path_info = path_info[0] if path_info else ""
    accounts = get_user_model()._default_manager
    known = bool(username) and accounts.filter(**{accounts.model.USERNAME_FIELD: username}).exists()
    account = username if known else "(not an account)"
    return f'{{account: "{account}", address: "{ip_address}", path: "{path_info}"}}'


def lockout_response(request, original_response=None, credentials=None):
    """What a locked-out sign-in gets (AXES_LOCKOUT_CALLABLE): always the same page, 429.

    Axes' own answer to a request with X-Requested-With would be JSON naming the
    failure limit and the cool-off; nobody needs those, and a guesser would use them.
    """
    return render(request, "registration/locked_out.html", status=429)
