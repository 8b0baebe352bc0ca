"""PA initiation (docs/domain.md §9): does this dispensing need an override, and if so,
what would the plan ask? It writes nothing; the API records the PHI read."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone

from policies import selectors as policy_selectors
from policies.models import Policy
from policies.selectors import CriterionInfo
from priorauth import errors, selectors
from priorauth.models import ClaimStatus, Member, RejectCode

from .claims import claim_preview

CLOSED = "closed"
OPEN = "open"
WITHIN_LIMIT = "within_limit"
NOT_MANAGED = "not_managed"


@dataclass(frozen=True)
class Initiation:
    member: Member
    status: str
    reason: str = ""
    message: str = ""
    policy: Policy | None = None
    criteria: list[CriterionInfo] = field(default_factory=list)


def pa_initiate(
    *, member_id: str, ndc: str, quantity: Decimal, days_supply: int, channel: str
) -> Initiation:
    """`closed` when no PA is needed (the claim would pay today, or no policy manages the
    NDC), `open` with the policy's criteria and their questions otherwise."""
    today = timezone.localdate()
    member = selectors.member_by_id(member_id)
    if member is None:
        raise errors.ServiceError({"member_id": errors.UNKNOWN_MEMBER.format(member_id=member_id)})
    claim = claim_preview(
        member=member,
        ndc=ndc,
        quantity=quantity,
        days_supply=days_supply,
        channel=channel,
        on=today,
    )
    if claim.reject_code in (RejectCode.PATIENT_NOT_COVERED, RejectCode.CLAIM_TOO_OLD):
        # No override can pay a claim for a member who is not covered.
        raise errors.ServiceError({"member_id": claim.message})
    if claim.policy is None:
        message = errors.NDC_NOT_MANAGED.format(ndc=ndc, date=today)
        return Initiation(member=member, status=CLOSED, reason=NOT_MANAGED, message=message)
    if claim.status == ClaimStatus.PAID:
        return Initiation(
            member=member,
            status=CLOSED,
            reason=WITHIN_LIMIT,
            message=_pays_message(claim, today),
            policy=claim.policy,
        )
    criteria = list(policy_selectors.criteria_of(claim.policy).values())
    return Initiation(
        member=member, status=OPEN, message=claim.message, policy=claim.policy, criteria=criteria
    )


def _pays_message(claim, today: date) -> str:
    if claim.override is not None:
        return (
            f"The claim would pay today under override {claim.override.authorization_number}; "
            "no prior authorization is needed."
        )
    return "The claim would pay today within the plan's limit; no prior authorization is needed."
