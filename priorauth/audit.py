"""Who looked at which member: pages and the API record every PHI read through this.

The HTTP side of `services.phi_access_record`: it takes the user, the path and the
address from the request being answered.
"""

from .models import Member
from .services import phi_access_record


def _remote_addr(request) -> str | None:
    # REMOTE_ADDR is the proxy in production; gunicorn's forwarded-allow-ips sets it right.
    return request.META.get("REMOTE_ADDR") or None


def record_phi_access(request, member: Member, action: str) -> None:
    phi_access_record(
        user=request.user,
        member=member,
        action=action,
        path=request.get_full_path(),
        remote_addr=_remote_addr(request),
    )
