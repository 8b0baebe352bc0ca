from rest_framework.permissions import BasePermission

from priorauth import roles


def role_required(*allowed: str) -> type[BasePermission]:
    """A permission class that lets in users holding any of the roles (and superusers)."""

    class HasRole(BasePermission):
        message = f"This needs the role {' or '.join(allowed)}."

        def has_permission(self, request, view) -> bool:
            return roles.has_role(request.user, *allowed)

    HasRole.__name__ = "HasRole_" + "_".join(r.replace(" ", "") for r in allowed)
    return HasRole


IntakeOrAdmin = role_required(roles.INTAKE, roles.POLICY_ADMIN)
ReviewerOrAuditor = role_required(*roles.REVIEWERS, roles.AUDITOR)
ClaimsSystem = role_required(roles.CLAIMS_SYSTEM)
Intake = role_required(roles.INTAKE)
Reviewer = role_required(roles.CLINICAL_PHARMACIST)
# Appeals are decided by a pharmacist or a physician reviewer (the service says which may do what).
AppealReviewer = role_required(*roles.REVIEWERS)
IntakeReviewerOrAuditor = role_required(roles.INTAKE, *roles.REVIEWERS, roles.AUDITOR)
# The reporting figures: reviewers, auditors and policy admins (docs/domain.md §11).
MetricsReader = role_required(*roles.REVIEWERS, roles.AUDITOR, roles.POLICY_ADMIN)
# Documents: whoever may add to a case (the service narrows intake to its own requests).
IntakeOrReviewer = role_required(roles.INTAKE, *roles.REVIEWERS)
# The prescriber directory: whoever enters or reads requests, and policy admins who keep it.
PrescriberReader = role_required(roles.INTAKE, *roles.REVIEWERS, roles.AUDITOR, roles.POLICY_ADMIN)
