"""Keeping a session alive on purpose: the "Stay signed in" button's endpoint."""

from django.http import HttpResponse
from django.views.decorators.http import require_POST


@require_POST
def session_renew(request):
    """204 while signed in (the session's idle clock starts again, as on any request,
    SESSION_SAVE_EVERY_REQUEST); 401 once the session has ended. Never a redirect to
    the login page: the caller is the page's script, not a person."""
    if not request.user.is_authenticated:
        return HttpResponse(status=401)
    return HttpResponse(status=204)
