"""The review domain's models, one module per subject, re-exported here.

Models own their derived state (is an override in force on a date, is a request
overdue); every write goes through priorauth.services.
"""

from .appeals import (
    APPEAL_TRANSITIONS,
    OPEN_APPEAL_STATUSES,
    Appeal,
    AppealDecision,
    AppealOutcome,
    AppealStatus,
)
from .attachments import Attachment, DocumentType, Note
from .audit import REPORT_DOWNLOAD, PHIAccess
from .claims import Claim, ClaimStatus, RejectCode
from .idempotency import IdempotencyRecord
from .impact import FINISHED_IMPACT_STATUSES, ImpactMember, ImpactReport, ImpactStatus
from .members import MEMBER_ID_VALIDATOR, Member, Prescription, covered_on
from .overrides import Override, OverrideAllowance, OverrideQuerySet, OverrideStatus, in_force_on
from .prescribers import PHONE_VALIDATOR, Prescriber, phone_display
from .requests import (
    DECIDED_REQUEST_STATUSES,
    OPEN_REQUEST_STATUSES,
    REQUEST_TRANSITIONS,
    Decision,
    DecisionOutcome,
    OverrideRequest,
    RequestStatus,
    Urgency,
)

__all__ = [
    "APPEAL_TRANSITIONS",
    "DECIDED_REQUEST_STATUSES",
    "FINISHED_IMPACT_STATUSES",
    "MEMBER_ID_VALIDATOR",
    "OPEN_APPEAL_STATUSES",
    "OPEN_REQUEST_STATUSES",
    "PHONE_VALIDATOR",
    "REPORT_DOWNLOAD",
    "REQUEST_TRANSITIONS",
    "Appeal",
    "AppealDecision",
    "AppealOutcome",
    "AppealStatus",
    "Attachment",
    "Claim",
    "ClaimStatus",
    "Decision",
    "DecisionOutcome",
    "DocumentType",
    "IdempotencyRecord",
    "ImpactMember",
    "ImpactReport",
    "ImpactStatus",
    "Member",
    "Note",
    "Override",
    "OverrideAllowance",
    "OverrideQuerySet",
    "OverrideRequest",
    "OverrideStatus",
    "PHIAccess",
    "Prescriber",
    "Prescription",
    "RejectCode",
    "RequestStatus",
    "Urgency",
    "covered_on",
    "in_force_on",
    "phone_display",
]
