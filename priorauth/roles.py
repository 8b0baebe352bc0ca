"""The five roles of docs/domain.md §5, as Django groups (created by a data migration)."""

CLINICAL_PHARMACIST = "Clinical pharmacist"
POLICY_ADMIN = "Policy admin"
INTAKE = "Intake"
CLAIMS_SYSTEM = "Claims system"
AUDITOR = "Auditor"
# Decides appeals, and is the only role that may uphold a denial (docs/domain.md §10).
PHYSICIAN_REVIEWER = "Physician reviewer"

ALL_ROLES = (CLINICAL_PHARMACIST, POLICY_ADMIN, INTAKE, CLAIMS_SYSTEM, AUDITOR, PHYSICIAN_REVIEWER)
# Who reviews cases: reads the queue, the case pages, the members.
REVIEWERS = (CLINICAL_PHARMACIST, PHYSICIAN_REVIEWER)

# Model permissions each group gets, so the admin site shows each role what it may see.
_POLICY_MODELS = ("policy", "product", "productndc", "quantitylimit", "criterion", "criteriongrant")
_REVIEW_MODELS = (
    "member",
    "prescriber",
    "prescription",
    "claim",
    "overriderequest",
    "decision",
    "override",
    "overrideallowance",
    "appeal",
    "appealdecision",
)
MODEL_PERMISSIONS = {
    CLINICAL_PHARMACIST: [("policies", f"view_{m}") for m in _POLICY_MODELS]
    + [("priorauth", f"view_{m}") for m in _REVIEW_MODELS],
    POLICY_ADMIN: [
        ("policies", f"{action}_{m}")
        for m in _POLICY_MODELS
        for action in ("view", "add", "change", "delete")
    ]
    # The prescriber directory is kept up by policy admins (imports, corrections); rows
    # are never deleted, requests point at them.
    + [("priorauth", f"{action}_prescriber") for action in ("view", "add", "change")],
    PHYSICIAN_REVIEWER: [("policies", f"view_{m}") for m in _POLICY_MODELS]
    + [("priorauth", f"view_{m}") for m in _REVIEW_MODELS],
    INTAKE: [],
    CLAIMS_SYSTEM: [],
    AUDITOR: [("policies", f"view_{m}") for m in _POLICY_MODELS]
    + [("priorauth", f"view_{m}") for m in (*_REVIEW_MODELS, "phiaccess")],
}


def has_role(user, *roles: str) -> bool:
    """Superusers hold every role; everyone else holds the groups they are in."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    names = getattr(user, "_role_names", None)
    if names is None:
        names = set(user.groups.values_list("name", flat=True))
        user._role_names = names  # one query per request, not per check
    return bool(names.intersection(roles))
