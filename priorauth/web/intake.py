"""Intake: a new override request, and the requests this user submitted."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone

from priorauth import roles, selectors, services
from priorauth.audit import record_phi_access_many
from priorauth.errors import ServiceError

from .access import role_required
from .display import page_of
from .errors import apply_errors
from .forms import OverrideRequestForm


@role_required(roles.INTAKE)
def request_new(request):
    form = OverrideRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.override_request_submit(submitted_by=request.user, **form.validated)
        except ServiceError as error:
            apply_errors(form, error.errors)
        else:
            messages.success(
                request,
                f"Request {created.pk} received; due by "
                f"{timezone.localtime(created.due_at):%Y-%m-%d %H:%M %Z}.",
            )
            return redirect("my-requests")
    return render(
        request, "priorauth/request_new.html", {"form": form}, status=400 if form.errors else 200
    )


@role_required(roles.INTAKE)
def my_requests(request):
    page = page_of(selectors.requests_submitted_by(request.user), request)
    record_phi_access_many(request, [r.member_id for r in page.object_list], "my requests view")
    return render(request, "priorauth/my_requests.html", {"page": page})
