"""Reads of members."""

from django.db.models import Prefetch

from priorauth.models import Member, Override


def member_by_id(member_id: str) -> Member | None:
    return Member.objects.filter(member_id=member_id).first()


def member_with_overrides(member_id: str) -> Member | None:
    """A member with every override, its criterion and allowances (the API's member read)."""
    overrides = Prefetch(
        "overrides",
        queryset=Override.objects.select_related("member", "criterion").prefetch_related(
            "allowances"
        ),
    )
    return Member.objects.prefetch_related(overrides).filter(member_id=member_id).first()
