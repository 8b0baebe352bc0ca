"""What every page's template can use: the sections the user may open, and the enums."""

from django.conf import settings

from priorauth import roles
from priorauth.models import (
    AppealOutcome,
    AppealStatus,
    ClaimStatus,
    DecisionOutcome,
    OverrideStatus,
    RequestStatus,
    Urgency,
)

from .access import CASE_READERS
from .reports import REPORT_READERS


def navigation(request):
    """Which sections the signed-in user's roles open, for the top bar."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}
    return {
        "nav": {
            "queue": roles.has_role(user, *CASE_READERS),
            "intake": roles.has_role(user, roles.INTAKE),
            "audit": roles.has_role(user, roles.AUDITOR),
            "reports": roles.has_role(user, *REPORT_READERS),
            "policy_admin": user.is_staff and roles.has_role(user, roles.POLICY_ADMIN),
        }
    }


def enums(request):
    """Templates compare statuses through these ({% if c.status == ClaimStatus.PAID %}),
    never through string literals."""
    return {
        "AppealOutcome": AppealOutcome,
        "AppealStatus": AppealStatus,
        "ClaimStatus": ClaimStatus,
        "DecisionOutcome": DecisionOutcome,
        "OverrideStatus": OverrideStatus,
        "RequestStatus": RequestStatus,
        "Urgency": Urgency,
    }


def session(request):
    """The idle timeout, for the page's sign-out warning (static/priorauth/session.js)."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}
    return {"session_idle_seconds": settings.SESSION_COOKIE_AGE}
