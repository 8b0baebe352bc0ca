"""Every write in the review domain, one module per subject, re-exported here.

Views, serializers, commands and tasks call these and nothing else that writes.
Each service owns its transaction, and every service that reads a member's fills
or overrides and then writes takes the member lock first (locks.py).
"""

from .appeals import (
    AppealResult,
    appeal_answer,
    appeal_decide,
    appeal_file,
    appeal_last_day,
    appeal_pend,
    appeal_refusal,
    appeal_release,
    appeal_take,
    appeal_withdraw,
)
from .attachments import (
    appeal_attachments_add,
    attachment_open,
    attachment_storage,
    may_attach,
    override_request_submit_with_documents,
    request_attachments_add,
)
from .audit import phi_access_record, phi_access_record_many, phi_report_download_record
from .claims import claim_adjudicate, claim_reverse
from .idempotency import idempotency_answer_store, idempotency_key_claim
from .impact import (
    impact_report_cancel,
    impact_report_request,
    impact_report_run,
    impact_report_run_now,
)
from .initiation import Initiation, pa_initiate
from .members import member_coverage_change, member_create
from .notes import NOTE_MAX_LENGTH, note_add
from .overrides import (
    EXPIRED_BY_SCHEDULE,
    SYSTEM_USERNAME,
    override_revoke,
    overrides_expire,
    system_user,
)
from .prescribers import UpsertCounts, prescribers_upsert
from .requests import (
    DecisionResult,
    due_in,
    override_request_answer,
    override_request_decide,
    override_request_pend,
    override_request_release,
    override_request_submit,
    override_request_take,
    override_request_withdraw,
)

__all__ = [
    "EXPIRED_BY_SCHEDULE",
    "NOTE_MAX_LENGTH",
    "SYSTEM_USERNAME",
    "AppealResult",
    "DecisionResult",
    "Initiation",
    "UpsertCounts",
    "appeal_answer",
    "appeal_attachments_add",
    "appeal_decide",
    "appeal_file",
    "appeal_last_day",
    "appeal_pend",
    "appeal_refusal",
    "appeal_release",
    "appeal_take",
    "appeal_withdraw",
    "attachment_open",
    "attachment_storage",
    "claim_adjudicate",
    "claim_reverse",
    "due_in",
    "idempotency_answer_store",
    "idempotency_key_claim",
    "impact_report_cancel",
    "impact_report_request",
    "impact_report_run",
    "impact_report_run_now",
    "may_attach",
    "member_coverage_change",
    "member_create",
    "note_add",
    "override_request_answer",
    "override_request_decide",
    "override_request_pend",
    "override_request_release",
    "override_request_submit",
    "override_request_submit_with_documents",
    "override_request_take",
    "override_request_withdraw",
    "override_revoke",
    "overrides_expire",
    "pa_initiate",
    "phi_access_record",
    "phi_access_record_many",
    "phi_report_download_record",
    "prescribers_upsert",
    "request_attachments_add",
    "system_user",
]
