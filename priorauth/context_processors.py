from . import roles


def navigation(request):
    """Which sections the signed-in user's roles open, for the top bar."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}
    return {
        "nav": {
            "queue": roles.has_role(user, roles.CLINICAL_PHARMACIST, roles.AUDITOR),
            "intake": roles.has_role(user, roles.INTAKE),
            "audit": roles.has_role(user, roles.AUDITOR),
            "policy_admin": user.is_staff and roles.has_role(user, roles.POLICY_ADMIN),
        }
    }
