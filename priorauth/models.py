"""The review domain: members, prescriptions, claims, override requests and overrides.

Models own their derived state (is an override in force on a date, is a request
overdue); every write goes through priorauth.services.
"""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from policies.models import (
    NDC_VALIDATOR,
    Channel,
    Criterion,
    LineOfBusiness,
    Policy,
    quantity_per_days,
)

MEMBER_ID_VALIDATOR = RegexValidator(
    r"^[A-Za-z0-9-]{1,20}$", "A member ID is 1 to 20 letters, digits or hyphens."
)


class Member(models.Model):
    member_id = models.CharField(max_length=20, unique=True, validators=[MEMBER_ID_VALIDATOR])
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    date_of_birth = models.DateField()
    line_of_business = models.CharField(max_length=20, choices=LineOfBusiness.choices)
    plan_name = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["last_name", "first_name"]
        # The queue searches members by name.
        indexes = [models.Index(fields=["last_name", "first_name"], name="member_name_idx")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.last_name}, {self.first_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Prescriber(models.Model):
    npi = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=160, blank=True)

    def __str__(self) -> str:
        return f"{self.name or 'Prescriber'} (NPI {self.npi})"


class Prescription(models.Model):
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="prescriptions")
    prescriber = models.ForeignKey(Prescriber, on_delete=models.PROTECT, related_name="+")
    ndc = models.CharField(max_length=11, validators=[NDC_VALIDATOR])
    quantity = models.DecimalField(max_digits=10, decimal_places=3)
    days_supply = models.PositiveIntegerField()
    channel = models.CharField(max_length=20, choices=Channel.choices)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"NDC {self.ndc}, {self.quantity.normalize():f} for {self.days_supply} days"


class ClaimStatus(models.TextChoices):
    PAID = "paid", "paid"
    REJECTED = "rejected", "rejected"
    REVERSED = "reversed", "reversed"


class Claim(models.Model):
    """A pharmacy claim (a fill) and how it was adjudicated."""

    REJECT_PLAN_LIMITATIONS_EXCEEDED = "76"

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="claims")
    ndc = models.CharField(max_length=11, validators=[NDC_VALIDATOR])
    quantity = models.DecimalField(max_digits=10, decimal_places=3)
    days_supply = models.PositiveIntegerField()
    channel = models.CharField(max_length=20, choices=Channel.choices)
    date_of_service = models.DateField(help_text="A date in the plan's time zone.")
    covers_through = models.DateField(
        help_text="Last day this fill supplies: date_of_service + days_supply - 1."
    )
    status = models.CharField(max_length=10, choices=ClaimStatus.choices)
    reject_code = models.CharField(max_length=3, blank=True)
    message = models.TextField(blank=True)
    policy = models.ForeignKey(
        Policy, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    limit_channel = models.CharField(max_length=20, blank=True)
    limit_max_quantity = models.DecimalField(max_digits=10, decimal_places=3, null=True)
    limit_per_days = models.PositiveIntegerField(null=True)
    on_hand = models.DecimalField(
        max_digits=14, decimal_places=6, null=True, help_text="Display value; the check is exact."
    )
    allowed_now = models.PositiveIntegerField(null=True)
    earliest_date = models.DateField(null=True)
    override = models.ForeignKey(
        "Override", null=True, blank=True, on_delete=models.PROTECT, related_name="claims"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    reversed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date_of_service", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="claim_quantity_positive"),
            models.CheckConstraint(
                condition=Q(days_supply__gt=0) & Q(days_supply__lte=365),
                name="claim_days_supply_range",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | Q(reject_code__gt=""),
                name="rejected_claim_has_code",
            ),
        ]
        indexes = [
            # The claim check reads a member's paid fills whose cover reaches the window.
            models.Index(
                fields=["member", "status", "covers_through"], name="claim_member_cover_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"Claim {self.pk} {self.status}"


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
                condition=Q(status__in=["pending", "in_review", "needs_info"]),
                name="request_open_queue_idx",
            ),
            # Filtering the queue by status.
            models.Index(fields=["status", "due_at"], name="request_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"Request {self.pk} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REQUEST_STATUSES

    def is_overdue(self, now: datetime | None = None) -> bool:
        return self.is_open and (now or timezone.now()) > self.due_at

    def time_left(self, now: datetime | None = None) -> timedelta:
        return self.due_at - (now or timezone.now())


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

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome="deny") | Q(reason__gt=""), name="denial_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(outcome="approve") | Q(criterion__isnull=False),
                name="approval_names_criterion",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} request {self.request_id}"


class OverrideStatus(models.TextChoices):
    ACTIVE = "active", "active"
    USED = "used", "used"
    EXPIRED = "expired", "expired"
    REVOKED = "revoked", "revoked"


def in_force_on(on: date, *, prefix: str = "") -> Q:
    """An override in force on `on`: the one definition every check uses.

    Computed from status and dates, so a stored status the expiry task has not caught
    up with yet is never honoured past `ends_on`. `prefix` reaches an override through
    a relation (e.g. "override__" from its allowances) in the same query.
    """
    return Q(
        **{
            f"{prefix}status": OverrideStatus.ACTIVE,
            f"{prefix}starts_on__lte": on,
            f"{prefix}ends_on__gte": on,
        }
    )


class OverrideQuerySet(models.QuerySet):
    def effective(self, on: date) -> "OverrideQuerySet":
        """Overrides in force on `on` (see in_force_on)."""
        return self.filter(in_force_on(on))

    def past_end(self, today: date) -> "OverrideQuerySet":
        """Still stored as active, but their last day is behind us."""
        return self.filter(status=OverrideStatus.ACTIVE, ends_on__lt=today)


class Override(models.Model):
    """A time-boxed exception to a policy's limits for one member."""

    request = models.OneToOneField(
        OverrideRequest, on_delete=models.PROTECT, related_name="override"
    )
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="overrides")
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="+")
    # Versions of a policy share the code; one active override per member and policy code.
    policy_code = models.SlugField(max_length=80)
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    authorization_number = models.CharField(max_length=20, unique=True)
    one_time = models.BooleanField()
    starts_on = models.DateField()
    ends_on = models.DateField(help_text="Last day in force (inclusive).")
    status = models.CharField(
        max_length=10, choices=OverrideStatus.choices, default=OverrideStatus.ACTIVE
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoke_reason = models.TextField(blank=True)

    history = HistoricalRecords()
    objects = OverrideQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "policy_code"],
                condition=Q(status="active"),
                name="one_active_override_per_member_policy",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="override_ends_after_start"
            ),
        ]
        indexes = [
            # The expiry task: active overrides past their end.
            models.Index(fields=["status", "ends_on"], name="override_status_end_idx"),
        ]

    def __str__(self) -> str:
        return f"Override {self.authorization_number}"

    def is_effective(self, on: date) -> bool:
        return self.status == OverrideStatus.ACTIVE and self.starts_on <= on <= self.ends_on

    def status_on(self, on: date) -> str:
        """The status as of `on`, whatever the expiry task has stored so far."""
        if self.status == OverrideStatus.ACTIVE and on > self.ends_on:
            return OverrideStatus.EXPIRED
        return self.status

    def days_left(self, on: date) -> int:
        return max(0, (self.ends_on - on).days + 1)


class OverrideAllowance(models.Model):
    """A criterion grant copied onto an override, so later policy edits do not change it."""

    override = models.ForeignKey(Override, on_delete=models.CASCADE, related_name="allowances")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    max_quantity = models.DecimalField(max_digits=10, decimal_places=3)
    per_days = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]  # the order they were written in
        constraints = [
            models.UniqueConstraint(
                fields=["override", "channel"], name="one_allowance_per_channel"
            )
        ]

    def __str__(self) -> str:
        return quantity_per_days(self)


class IdempotencyRecord(models.Model):
    """The first answer to a POST with an Idempotency-Key, replayed on retries."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of method, path and body.")
    status_code = models.PositiveSmallIntegerField(null=True)
    body = models.JSONField(null=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")
        ]

    def __str__(self) -> str:
        return f"Idempotency-Key {self.key}"


class PHIAccess(models.Model):
    """Append-only record of who looked at which member's data."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=60, help_text='What was viewed, e.g. "api member read".')
    path = models.CharField(max_length=300)
    remote_addr = models.GenericIPAddressField(null=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "PHI access"
        verbose_name_plural = "PHI access log"
        ordering = ["-at"]
        indexes = [models.Index(fields=["member", "at"], name="phi_member_at_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} viewed member {self.member_id} ({self.action})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("The PHI access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("The PHI access log is append-only.")
