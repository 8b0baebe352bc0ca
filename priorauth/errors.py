"""Errors the services raise, and the messages tests assert on.

A service error carries field-level messages ({"field": ["message"]}) so that
the API and the forms can show them next to the input that caused them.
"""


class ServiceError(Exception):
    """Bad input or a state that forbids the action; nothing was written."""

    status_code = 400

    def __init__(self, errors: dict[str, list[str] | str] | str, field: str = "non_field_errors"):
        if isinstance(errors, str):
            errors = {field: errors}
        self.errors = {
            name: [messages] if isinstance(messages, str) else list(messages)
            for name, messages in errors.items()
        }
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in self.errors.items()))


class NotFound(ServiceError):
    status_code = 404


class Conflict(ServiceError):
    """The thing exists but its state forbids the action (already decided, reversed)."""

    status_code = 409


UNKNOWN_MEMBER = "No member with ID {member_id}."
DUPLICATE_MEMBER = "A member with ID {member_id} already exists."
DATE_OF_SERVICE_IN_FUTURE = "The date of service {date} is in the future (today is {today})."
NDC_NOT_MANAGED = (
    "NDC {ndc} is not managed by any policy in force on {date} for this member's plan."
)
UNKNOWN_CLAIM = "No claim with ID {claim_id}."
CLAIM_ALREADY_REVERSED = "Claim {claim_id} was already reversed on {reversed_on}."
CLAIM_NOT_PAID = "Claim {claim_id} was rejected; only a paid claim can be reversed."
UNKNOWN_REQUEST = "No override request with ID {request_id}."
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
TRANSITION_REFUSED = "A request that is {current} cannot become {target}."
PEND_REASON_REQUIRED = "Say what information is needed."
REVOKE_REASON_REQUIRED = "A revocation needs a reason."
OVERRIDE_NOT_ACTIVE = (
    "Override {authorization_number} is {status}; only an active one can be revoked."
)
