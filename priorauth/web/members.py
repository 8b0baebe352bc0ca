"""A member's page: requests, appeals, overrides and recent claims (a logged PHI read)."""

from datetime import timedelta

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from priorauth import selectors
from priorauth.audit import record_phi_access

from .access import CASE_READERS, role_required


@role_required(*CASE_READERS)
def member_page(request, member_id: str):
    member = selectors.member_by_id(member_id)
    if member is None:
        raise Http404("No such member.")
    record_phi_access(request, member, "member page view")
    today = timezone.localdate()
    since = today - timedelta(days=settings.PRIORAUTH_HISTORY_DAYS)
    return render(
        request,
        "priorauth/member.html",
        {
            "member": member,
            "requests": selectors.member_requests(member),
            "appeals": selectors.member_appeals(member),
            "overrides": [
                (o, o.status_on(today)) for o in selectors.member_overrides(member=member)
            ],
            "claims": selectors.member_claims_since(member=member, since=since),
            "today": today,
            "history_days": settings.PRIORAUTH_HISTORY_DAYS,
        },
    )
