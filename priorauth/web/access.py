"""Who may open which page: one decorator, and where each role lands after signing in."""

import functools

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from priorauth import roles

# Who reads the review pages (queue, cases, members, overrides): the reviewers, who act
# on them as their role allows, and auditors, who only read.
CASE_READERS = (*roles.REVIEWERS, roles.AUDITOR)


def role_required(*allowed: str, come_back_to=None):
    """Log in first; then the user must hold one of the roles, or gets 403.

    `come_back_to(request, **kwargs)` names the page to return to after signing in,
    for views that only take a POST: the login's `next` must never be a POST-only
    URL, or signing in again after a session ended would answer 405.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                back = come_back_to(request, **kwargs) if come_back_to else None
                return redirect_to_login(back or request.get_full_path())
            if not roles.has_role(request.user, *allowed):
                raise PermissionDenied(f"This page needs the role {' or '.join(allowed)}.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


@login_required
def home(request):
    user = request.user
    if roles.has_role(user, *CASE_READERS):
        return redirect("queue")
    if roles.has_role(user, roles.INTAKE):
        return redirect("my-requests")
    if roles.has_role(user, roles.POLICY_ADMIN) and user.is_staff:
        return redirect("admin:policies_policy_changelist")
    user_roles = [role for role in roles.ALL_ROLES if roles.has_role(user, role)]
    return render(request, "home.html", {"user_roles": user_roles})
