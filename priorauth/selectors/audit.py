"""Reads of the PHI access log (for auditors)."""

from django.db.models import QuerySet

from priorauth.models import PHIAccess


def access_log_entries(*, member_id: str = "", username: str = "") -> QuerySet:
    entries = PHIAccess.objects.select_related("user", "member").order_by("-at", "-id")
    if member_id:
        entries = entries.filter(member__member_id__iexact=member_id)
    if username:
        entries = entries.filter(user__username__iexact=username)
    return entries
