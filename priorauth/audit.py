"""Who looked at which member: every PHI read is written to the append-only access log."""

from .models import Member, PHIAccess


def _remote_addr(request) -> str | None:
    # REMOTE_ADDR is the proxy in production; gunicorn's forwarded-allow-ips sets it right.
    return request.META.get("REMOTE_ADDR") or None


def record_phi_access(request, member: Member, action: str) -> None:
    PHIAccess.objects.create(
        user=request.user,
        member=member,
        action=action,
        path=request.get_full_path()[:300],
        remote_addr=_remote_addr(request),
    )
