"""Writes to the PHI access log (append-only: rows are only ever added)."""

from collections.abc import Iterable

from priorauth.models import REPORT_DOWNLOAD, Member, PHIAccess


def phi_access_record(
    *, user, member: Member, action: str, path: str, remote_addr: str | None
) -> PHIAccess:
    return PHIAccess.objects.create(
        user=user, member=member, action=action, path=path[:300], remote_addr=remote_addr
    )


def phi_access_record_many(
    *, user, members: Iterable[Member | int], action: str, path: str, remote_addr: str | None
) -> list[PHIAccess]:
    """One row per distinct member shown (a list page), in one insert; none for no member.

    `members` are Member rows or their primary keys, so a list that selected only
    `member_id` columns needs no further query.
    """
    member_pks = list(dict.fromkeys(getattr(member, "pk", member) for member in members))
    if not member_pks:
        return []
    return PHIAccess.objects.bulk_create(
        PHIAccess(user=user, member_id=pk, action=action, path=path[:300], remote_addr=remote_addr)
        for pk in member_pks
    )


def phi_report_download_record(*, user, path: str, remote_addr: str | None) -> PHIAccess:
    """A download of the reporting dashboard's decision rows: one entry, no member (the rows
    name requests, not members; the path holds the range, which says which requests)."""
    return PHIAccess.objects.create(
        user=user, member=None, action=REPORT_DOWNLOAD, path=path[:300], remote_addr=remote_addr
    )
