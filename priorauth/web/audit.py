"""The PHI access log, for auditors."""

from django.shortcuts import render

from priorauth import roles, selectors

from .access import role_required
from .display import page_of


@role_required(roles.AUDITOR)
def access_log(request):
    member_id = request.GET.get("member", "").strip()
    username = request.GET.get("user", "").strip()
    entries = selectors.access_log_entries(member_id=member_id, username=username)
    return render(
        request,
        "priorauth/access_log.html",
        {
            "page": page_of(entries, request, per_page=50),
            "member_id": member_id,
            "username": username,
        },
    )
