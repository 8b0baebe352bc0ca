"""Server-rendered pages. Every page needs a login."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import roles


@login_required
def home(request):
    user_roles = [role for role in roles.ALL_ROLES if roles.has_role(request.user, role)]
    return render(request, "home.html", {"user_roles": user_roles})
