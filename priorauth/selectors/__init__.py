"""Reads that are more than one line, one module per subject, re-exported here.

Pages, the API and the services read through these; reads of the policy domain
(which policy manages an NDC, its limits) are in policies.selectors.
"""

from .appeals import (
    appeal_case,
    appeal_for_api,
    appeal_history,
    member_appeals,
    request_appeals,
)
from .attachments import (
    appeal_attachments,
    appeal_notes,
    attachment_with_case,
    request_attachments,
    request_notes,
)
from .audit import access_log_entries
from .claim_check import ClaimCheckRead, lock_member_for_claim
from .claims import claim_for_answer, claim_history, fills_reaching, member_claims_since
from .dashboard import due_next, turnaround_buckets
from .determination import determine_request, paid_fill_dates
from .members import member_by_id, member_with_overrides
from .metrics import appeal_clock, daily_volume, decision_rows, metrics_report
from .overrides import (
    OverrideTerms,
    allowance_in_force,
    member_overrides,
    override_in_force,
    override_terms,
    overrides_for_api,
    overrides_in_force,
    overrides_in_force_by_criterion,
    overrides_not_in_force,
)
from .prescribers import prescriber_in_directory
from .queue import QueueFilters, queue_items, work_queue
from .requests import (
    case_request,
    member_requests,
    request_for_api,
    request_history,
    requests_awaiting_answer,
    requests_submitted_by,
)
from .search import SearchFilters, search_cases, status_choices

__all__ = [
    "ClaimCheckRead",
    "OverrideTerms",
    "QueueFilters",
    "SearchFilters",
    "access_log_entries",
    "allowance_in_force",
    "appeal_attachments",
    "appeal_case",
    "appeal_clock",
    "appeal_for_api",
    "appeal_history",
    "appeal_notes",
    "attachment_with_case",
    "case_request",
    "claim_for_answer",
    "claim_history",
    "daily_volume",
    "decision_rows",
    "determine_request",
    "due_next",
    "fills_reaching",
    "lock_member_for_claim",
    "member_appeals",
    "member_by_id",
    "member_claims_since",
    "member_overrides",
    "member_requests",
    "member_with_overrides",
    "metrics_report",
    "override_in_force",
    "override_terms",
    "overrides_for_api",
    "overrides_in_force",
    "overrides_in_force_by_criterion",
    "overrides_not_in_force",
    "paid_fill_dates",
    "prescriber_in_directory",
    "queue_items",
    "request_appeals",
    "request_attachments",
    "request_for_api",
    "request_history",
    "request_notes",
    "requests_awaiting_answer",
    "requests_submitted_by",
    "search_cases",
    "status_choices",
    "turnaround_buckets",
    "work_queue",
]
