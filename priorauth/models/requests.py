"""Override requests, their review workflow (statuses, clocks) and the decision on each."""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from policies.models import Criterion, Policy

from .members import Member, Prescription


class RequestStatus(models.TextChoices):
    PENDING = "pending", "pending"
    IN_REVIEW = "in_review", "in review"
    NEEDS_INFO = "needs_info", "needs information"
    APPROVED = "approved", "approved"
    DENIED = "denied", "denied"
    WITHDRAWN = "withdrawn", "withdrawn"


OPEN_REQUEST_STATUSES = (RequestStatus.PENDING, RequestStatus.IN_REVIEW, RequestStatus.NEEDS_INFO)
DECIDED_REQUEST_STATUSES = (RequestStatus.APPROVED, RequestStatus.DENIED)

# Which status may follow which (services refuse anything else).
REQUEST_TRANSITIONS = {
    RequestStatus.PENDING: {
        RequestStatus.IN_REVIEW,
        RequestStatus.NEEDS_INFO,
        RequestStatus.APPROVED,
        RequestStatus.DENIED,
        RequestStatus.WITHDRAWN,
    },
    RequestStatus.IN_REVIEW: {
        RequestStatus.PENDING,
        RequestStatus.NEEDS_INFO,
        RequestStatus.APPROVED,
        RequestStatus.DENIED,
        RequestStatus.WITHDRAWN,
    },
    RequestStatus.NEEDS_INFO: {
        RequestStatus.PENDING,
        RequestStatus.APPROVED,
        RequestStatus.DENIED,
        RequestStatus.WITHDRAWN,
    },
    RequestStatus.APPROVED: set(),
    RequestStatus.DENIED: set(),
    RequestStatus.WITHDRAWN: set(),
}


class Urgency(models.TextChoices):
    STANDARD = "standard", "standard"
    EXPEDITED = "expedited", "expedited"


class OverrideRequest(models.Model):
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="override_requests")
    prescription = models.ForeignKey(Prescription, on_delete=models.PROTECT, related_name="+")
    policy = models.ForeignKey(
        Policy,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The policy version in force when the request was received.",
    )
    attested_criterion = models.ForeignKey(
        Criterion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text='The criterion the requester says applies; empty means "other".',
    )
    urgency = models.CharField(max_length=10, choices=Urgency.choices)
    clinical_notes = models.TextField(blank=True)
    status = models.CharField(
        max_length=12, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    status_reason = models.TextField(blank=True, help_text="Why it was pended or withdrawn.")
    answers = models.JSONField(
        default=dict,
        blank=True,
        help_text="The attested criterion's questions answered: {question id: answer}.",
    )
    determination = models.JSONField(
        null=True,
        blank=True,
        help_text="What the real-time determination found: outcome and findings (§9).",
    )
    received_at = models.DateTimeField()
    due_at = models.DateTimeField()
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_at__gt=models.F("received_at")), name="request_due_after_receipt"
            ),
        ]
        indexes = [
            # The work queue: open requests in due order. Partial, so the first page
            # is read in index order and costs the same with 100 or 100,000 open.
            models.Index(
                fields=["due_at", "id"],
                condition=Q(status__in=list(OPEN_REQUEST_STATUSES)),
                name="request_open_queue_idx",
            ),
            # Filtering the queue by status.
            models.Index(fields=["status", "due_at"], name="request_queue_idx"),
            # The reporting figures read the requests received in a date range (§11).
            models.Index(fields=["received_at"], name="request_received_idx"),
        ]

    def __str__(self) -> str:
        return f"Request {self.pk} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REQUEST_STATUSES

    def is_overdue(self, now: datetime | None = None) -> bool:
        return self.is_open and (now or timezone.now()) > self.due_at


class DecisionOutcome(models.TextChoices):
    APPROVE = "approve", "approved"
    DENY = "deny", "denied"


class Decision(models.Model):
    # One-to-one: the database refuses a second decision on the same request.
    request = models.OneToOneField(
        OverrideRequest, on_delete=models.PROTECT, related_name="decision"
    )
    outcome = models.CharField(max_length=10, choices=DecisionOutcome.choices)
    criterion = models.ForeignKey(
        Criterion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()
    automatic = models.BooleanField(
        default=False, help_text="Decided by the real-time determination, not by a person."
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome=DecisionOutcome.DENY) | Q(reason__gt=""),
                name="denial_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(outcome=DecisionOutcome.APPROVE) | Q(criterion__isnull=False),
                name="approval_names_criterion",
            ),
            # A machine may approve; only a person denies (§9).
            models.CheckConstraint(
                condition=Q(automatic=False) | Q(outcome=DecisionOutcome.APPROVE),
                name="only_approvals_automatic",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} request {self.request_id}"
