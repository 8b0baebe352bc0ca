"""Writes to the PHI access log (append-only: rows are only ever added)."""

from priorauth.models import Member, PHIAccess


def phi_access_record(
    *, user, member: Member, action: str, path: str, remote_addr: str | None
) -> PHIAccess:
    return PHIAccess.objects.create(
        user=user, member=member, action=action, path=path[:300], remote_addr=remote_addr
    )
