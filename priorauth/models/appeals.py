"""Appeals of denied requests (redeterminations, docs/domain.md §10) and their decisions."""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from policies.models import Criterion

from .members import Member
from .requests import OverrideRequest, Urgency


class AppealStatus(models.TextChoices):
    PENDING = "pending", "pending"
    IN_REVIEW = "in_review", "in review"
    NEEDS_INFO = "needs_info", "needs information"
    DECIDED = "decided", "decided"
    WITHDRAWN = "withdrawn", "withdrawn"


OPEN_APPEAL_STATUSES = (AppealStatus.PENDING, AppealStatus.IN_REVIEW, AppealStatus.NEEDS_INFO)

# Which status may follow which (services refuse anything else); the same shape as a
# request's workflow, with one "decided" for both outcomes (the outcome is the decision's).
APPEAL_TRANSITIONS = {
    AppealStatus.PENDING: {
        AppealStatus.IN_REVIEW,
        AppealStatus.NEEDS_INFO,
        AppealStatus.DECIDED,
        AppealStatus.WITHDRAWN,
    },
    AppealStatus.IN_REVIEW: {
        AppealStatus.PENDING,
        AppealStatus.NEEDS_INFO,
        AppealStatus.DECIDED,
        AppealStatus.WITHDRAWN,
    },
    AppealStatus.NEEDS_INFO: {AppealStatus.PENDING, AppealStatus.DECIDED, AppealStatus.WITHDRAWN},
    AppealStatus.DECIDED: set(),
    AppealStatus.WITHDRAWN: set(),
}


class Appeal(models.Model):
    """A request to look again at a denial, by someone who did not make it."""

    request = models.ForeignKey(OverrideRequest, on_delete=models.PROTECT, related_name="appeals")
    # The request's member, kept here so the member lock and the PHI log need no join.
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="appeals")
    urgency = models.CharField(max_length=10, choices=Urgency.choices)
    reason = models.TextField(help_text="Why the denial should be reversed, in their words.")
    clinical_notes = models.TextField(blank=True)
    status = models.CharField(
        max_length=12, choices=AppealStatus.choices, default=AppealStatus.PENDING
    )
    status_reason = models.TextField(blank=True, help_text="Why it was pended or withdrawn.")
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
            # At most one open appeal per request: the database's answer to two filed at once.
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(status__in=list(OPEN_APPEAL_STATUSES)),
                name="one_open_appeal_per_request",
            ),
            models.CheckConstraint(
                condition=Q(due_at__gt=models.F("received_at")), name="appeal_due_after_receipt"
            ),
            models.CheckConstraint(condition=Q(reason__gt=""), name="appeal_has_reason"),
        ]
        indexes = [
            # The work queue reads open appeals in due order, like open requests.
            models.Index(
                fields=["due_at", "id"],
                condition=Q(status__in=list(OPEN_APPEAL_STATUSES)),
                name="appeal_open_queue_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Appeal {self.pk} of request {self.request_id} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_APPEAL_STATUSES

    def is_overdue(self, now: datetime | None = None) -> bool:
        return self.is_open and (now or timezone.now()) > self.due_at


class AppealOutcome(models.TextChoices):
    OVERTURN = "overturn", "overturned"
    UPHOLD = "uphold", "upheld"


class AppealDecision(models.Model):
    # One-to-one: the database refuses a second decision on the same appeal.
    appeal = models.OneToOneField(Appeal, on_delete=models.PROTECT, related_name="decision")
    outcome = models.CharField(max_length=10, choices=AppealOutcome.choices)
    criterion = models.ForeignKey(
        Criterion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_role = models.CharField(
        max_length=40, help_text="The role the decider held, as the notice names it."
    )
    decided_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome=AppealOutcome.UPHOLD) | Q(reason__gt=""),
                name="upheld_appeal_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(outcome=AppealOutcome.OVERTURN) | Q(criterion__isnull=False),
                name="overturn_names_criterion",
            ),
        ]

    def __str__(self) -> str:
        return f"Appeal {self.appeal_id} {self.get_outcome_display()}"
