"""Overrides: time-boxed exceptions to a policy's limits, and the grants copied onto them."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from policies.choices import Channel, quantity_per_days
from policies.models import Criterion, Policy

from .members import Member
from .requests import OverrideRequest


class OverrideStatus(models.TextChoices):
    ACTIVE = "active", "active"
    USED = "used", "used"
    EXPIRED = "expired", "expired"
    REVOKED = "revoked", "revoked"


# `expired` is only the expiry task's label for "its last day has passed": the days an
# override covers are its dates, so it is in force on them under either label, and what
# the task did or did not do yet never changes an outcome (docs/domain.md §4).
IN_FORCE_STATUSES = (OverrideStatus.ACTIVE, OverrideStatus.EXPIRED)


def in_force_on(on: date, *, prefix: str = "") -> Q:
    """An override in force on `on`: not used or revoked, and starts_on <= on <= ends_on.

    The one definition: the claim check, the pages, the API and the expiry use it
    through `Override.objects.in_force` (or with `prefix`), and `Override.is_in_force`
    tests the same condition on a loaded row (a test keeps the two in agreement).
    Computed from the dates, so a stored `active` the expiry task has not caught up
    with yet is never honoured past `ends_on`, and a back-dated claim finds the
    override that covered its day whether or not the task has labelled it `expired`.
    `prefix` reaches an override through a relation (e.g. "override__" from its
    allowances) in the same query.
    """
    return Q(
        **{
            f"{prefix}status__in": IN_FORCE_STATUSES,
            f"{prefix}starts_on__lte": on,
            f"{prefix}ends_on__gte": on,
        }
    )


class OverrideQuerySet(models.QuerySet):
    def in_force(self, on: date) -> "OverrideQuerySet":
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
                condition=Q(status=OverrideStatus.ACTIVE),
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

    def is_in_force(self, on: date) -> bool:
        """The row-level form of in_force_on."""
        return self.status in IN_FORCE_STATUSES and self.starts_on <= on <= self.ends_on

    def status_on(self, on: date) -> OverrideStatus:
        """The status as of `on`, whatever the expiry task has stored so far."""
        if self.status == OverrideStatus.ACTIVE and on > self.ends_on:
            return OverrideStatus.EXPIRED
        return OverrideStatus(self.status)

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
