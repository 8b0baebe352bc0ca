"""Overrides in force (ending soonest first) and the rest; revoking one."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from priorauth import roles, selectors, services
from priorauth.audit import record_phi_access_many
from priorauth.errors import ServiceError

from .access import CASE_READERS, role_required
from .display import page_of

EXPIRING_SOON_DAYS = 7


@role_required(*CASE_READERS)
def overrides_page(request):
    today = timezone.localdate()
    in_force = [
        (o, o.days_left(today), o.days_left(today) <= EXPIRING_SOON_DAYS)
        for o in selectors.overrides_in_force(today)
    ]
    ended = page_of(selectors.overrides_not_in_force(today), request)
    shown = [o.member_id for o, _, _ in in_force] + [o.member_id for o in ended.object_list]
    record_phi_access_many(request, shown, "overrides page view")
    return render(
        request,
        "priorauth/overrides.html",
        {
            "active": in_force,
            "ended": [(o, o.status_on(today)) for o in ended.object_list],
            "ended_page": ended,
            "today": today,
            "soon_days": EXPIRING_SOON_DAYS,
            "can_revoke": roles.has_role(request.user, roles.CLINICAL_PHARMACIST),
        },
    )


def _the_page_it_came_from(request, **_) -> str:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("overrides")
    return target


@require_POST
@role_required(roles.CLINICAL_PHARMACIST, come_back_to=_the_page_it_came_from)
def override_revoke(request, override_id: int):
    try:
        revoked = services.override_revoke(
            override_id=override_id, reason=request.POST.get("reason", ""), by=request.user
        )
    except ServiceError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"Override {revoked.authorization_number} revoked.")
    return redirect(_the_page_it_came_from(request))
