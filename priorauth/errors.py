"""The application's errors, and the review domain's messages that tests assert on.

One hierarchy for every service of both apps (`priorauth.services`,
`policies.services`, the policy file loader): a service raises a ServiceError (or
NotFound, Conflict) with field-level messages ({"field": ["message"]}), never a
Django ValidationError or DoesNotExist. They become 4xx answers in one place for
the API (priorauth/api/errors.py) and one place for the pages
(priorauth/web/errors.py), next to the input that caused them.

This module imports nothing from either app, so both can import it.
"""

from django.core.exceptions import ValidationError


class ServiceError(Exception):
    """Bad input or a state that forbids the action; nothing was written."""

    status_code = 400

    def __init__(self, errors: dict[str, list[str] | str] | str, field: str = "non_field_errors"):
        if isinstance(errors, str):
            errors = {field: errors}
        self.errors = {name: _as_lists(messages) for name, messages in errors.items()}
        super().__init__("; ".join(_flatten(self.errors, prefix="", named=True)))

    @classmethod
    def from_validation_error(cls, error: ValidationError) -> "ServiceError":
        """The same messages, on the same fields, as a Django ValidationError carries."""
        if hasattr(error, "error_dict"):
            return cls({field: list(messages) for field, messages in error.message_dict.items()})
        return cls({"non_field_errors": list(error.messages)})

    @property
    def messages(self) -> list[str]:
        """Every message, field by field, for a page that shows them in one list."""
        return list(_flatten(self.errors))


def _as_lists(messages):
    """ "msg" -> ["msg"]; a nested {"part": "msg"} (answers by question id) keeps its keys."""
    if isinstance(messages, str):
        return [messages]
    if isinstance(messages, dict):
        return {str(part): _as_lists(inner) for part, inner in messages.items()}
    return list(messages)


def _flatten(errors, prefix: str = "", named: bool = False):
    """Each message; those under a nested key (and all of them when `named`) with its name."""
    for name, messages in errors.items():
        if isinstance(messages, dict):
            yield from _flatten(messages, prefix=f"{prefix}{name} ", named=True)
        else:
            for message in messages:
                yield f"{prefix}{name}: {message}" if named else message


class NotFound(ServiceError):
    status_code = 404


class Forbidden(ServiceError):
    """This person may not do this (not the role, or they were involved): 403."""

    status_code = 403


class Conflict(ServiceError):
    """The thing exists but its state forbids the action (already decided, reversed)."""

    status_code = 409


class TakeOverRequired(Conflict):
    """Deciding a case (approve, deny, pend, overturn, uphold) that someone else holds,
    without saying so: 409, naming the holder, so the caller can ask the person and retry
    with `take_over` (docs/domain.md §6)."""

    def __init__(self, errors, *, holder_name: str):
        super().__init__(errors)
        self.holder_name = holder_name


UNKNOWN_MEMBER = "No member with ID {member_id}."
DUPLICATE_MEMBER = "A member with ID {member_id} already exists."
DATE_OF_SERVICE_IN_FUTURE = "The date of service {date} is in the future (today is {today})."
NDC_NOT_MANAGED = (
    "NDC {ndc} is not managed by any policy in force on {date} for this member's plan."
)
CLAIM_TOO_OLD = (
    "Claim too old (NCPDP 81): the date of service {date} is more than {days} days before "
    "{today}; claims for {earliest} or later are accepted."
)
NOT_COVERED = (
    "Patient not covered (NCPDP 65): member {member_id} is not covered on {date} "
    "(coverage {period})."
)
COVERAGE_ENDS_BEFORE_START = "Coverage cannot end ({end}) before it starts ({start})."
COVERAGE_REASON_REQUIRED = "Say why the coverage changed (e.g. the enrollment record)."
UNKNOWN_CLAIM = "No claim with ID {claim_id}."
CLAIM_ALREADY_REVERSED = "Claim {claim_id} was already reversed on {reversed_on}."
CLAIM_NOT_PAID = "Claim {claim_id} was rejected; only a paid claim can be reversed."
UNKNOWN_REQUEST = "No override request with ID {request_id}."
ANSWERS_WITHOUT_CRITERION = (
    "Answers belong to a criterion's questions: name the criterion (criterion_number) "
    "they answer, or leave the answers out."
)
UNKNOWN_CRITERION = "Policy {policy_code} has no criterion {number} (it has {numbers})."
CRITERION_REQUIRED = "Name the criterion that is met to approve."
REASON_REQUIRED = "A denial needs a reason."
ALREADY_DECIDED = "Request {request_id} was already {status} by {user} at {at}."
DECIDED_CONCURRENTLY = "Request {request_id} was decided by someone else at the same moment."
REQUEST_CLOSED = "Request {request_id} is {status}; it cannot be changed."
ACTIVE_OVERRIDE_EXISTS = (
    "Member {member_id} already has override {authorization_number} in force until {ends_on}; "
    "revoke it or wait for it to end before approving another."
)
TRANSITION_REFUSED = "An {what} that is {current} cannot become {target}."
PEND_REASON_REQUIRED = "Say what information is needed."
ASSIGNED_TO_SOMEONE_ELSE = (
    "{what} {id} is assigned to {name}. Deciding it reassigns it to you: "
    "send take_over: true to confirm."
)
# What a reviewer reads before deciding a case someone else holds (pages and dialogs).
TAKE_OVER_NOTICE = "Assigned to {name}. Deciding it reassigns it to you."
REVOKE_REASON_REQUIRED = "A revocation needs a reason."
UNKNOWN_OVERRIDE = "No override with ID {id}."
UNKNOWN_POLICY = "No policy version with ID {policy_id}."
UNKNOWN_IMPACT_REPORT = "No impact report with ID {id}."
IMPACT_DAYS = "Replay between 1 and {most} days (a whole number)."
IMPACT_NO_VERSION = "{code} has no version starting on {effective_from}."
OVERRIDE_NOT_ACTIVE = (
    "Override {authorization_number} is {status}; only an active one can be revoked."
)

# Appeals (docs/domain.md §10).
UNKNOWN_APPEAL = "No appeal with ID {appeal_id}."
APPEAL_REASON_REQUIRED = "Say why the denial should be reversed."
APPEAL_NOT_DENIED = "Request {request_id} is {status}; only a denied request can be appealed."
APPEAL_ALREADY_OPEN = (
    "Request {request_id} already has an open appeal ({appeal_id}, {status}); it is decided "
    "before another can be filed."
)
APPEAL_ALREADY_OVERTURNED = (
    "The denial of request {request_id} was overturned on appeal {appeal_id}; there is nothing "
    "left to appeal."
)
APPEAL_WINDOW_CLOSED = (
    "The appeal window for request {request_id} closed on {last_day}: an appeal is filed within "
    "{days} days of the denial ({denied_on})."
)
APPEAL_ALREADY_DECIDED = "Appeal {appeal_id} was already {outcome} by {user} at {at}."
APPEAL_CLOSED = "Appeal {appeal_id} is {status}; it cannot be changed."
APPEAL_DECIDED_CONCURRENTLY = "Appeal {appeal_id} was decided by someone else at the same moment."
APPEAL_BY_DENIER = (
    "You denied request {request_id}; its appeal is decided by someone who was not involved "
    "in the denial."
)
APPEAL_OVERTURN_ROLE = "Only a clinical pharmacist or a physician reviewer can overturn a denial."
APPEAL_WITHDRAW_REASON_REQUIRED = "Say who asked to withdraw the appeal, and why."
APPEAL_UPHOLD_ROLE = (
    "Only a physician reviewer can uphold a denial; a pharmacist may overturn it or leave it "
    "for a physician."
)

# Reporting (docs/domain.md §11): the range of the figures.
METRICS_DATE_FORMAT = "Enter a date as YYYY-MM-DD, e.g. 2026-11-02."
METRICS_FROM_AFTER_TO = "The range starts on {start}, after it ends ({end}): swap the dates."
METRICS_RANGE_TOO_LONG = "A range is at most {days} days; this one is {asked}."

# Attachments and internal notes (ADR 0016).
ATTACHMENTS_REQUEST_CLOSED = (
    "Request {request_id} is {status}; documents are kept as they were when it was decided. "
    "Send new documents with an appeal of it."
)
ATTACHMENTS_APPEAL_CLOSED = (
    "Appeal {appeal_id} is {status}; documents are kept as they were when it was decided."
)
ATTACHMENTS_NOT_ALLOWED = (
    "Documents are added by the intake user who filed the request, a clinical pharmacist or a "
    "physician reviewer."
)
UNKNOWN_ATTACHMENT = "No document with ID {attachment_id}."
NOTE_REQUIRED = "Write the note first."
NOTE_TOO_LONG = "A note is at most {limit} characters; this one has {length}."
NOTES_NOT_ALLOWED = "Internal notes are written by clinical pharmacists and physician reviewers."
