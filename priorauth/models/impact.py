"""Policy impact reports: a replay of recent claims under a version of a policy (ADR 0021)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from policies.models import Policy

from .members import Member


class ImpactStatus(models.TextChoices):
    QUEUED = "queued", "queued"
    RUNNING = "running", "running"
    DONE = "done", "done"
    CANCELLED = "cancelled", "cancelled"
    FAILED = "failed", "failed"


FINISHED_IMPACT_STATUSES = (ImpactStatus.DONE, ImpactStatus.CANCELLED, ImpactStatus.FAILED)


class ImpactReport(models.Model):
    """What a version of a policy would have changed, replayed over the last `days` days."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="impact_reports")
    compared_with = models.ForeignKey(
        Policy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    days = models.PositiveIntegerField()
    first_day = models.DateField()
    last_day = models.DateField()
    # The version's rule as replayed (policies.impact.rule_fingerprint).
    fingerprint = models.CharField(max_length=64)
    status = models.CharField(
        max_length=10, choices=ImpactStatus.choices, default=ImpactStatus.QUEUED
    )
    cancel_requested = models.BooleanField(default=False)
    members_done = models.PositiveIntegerField(default=0)
    members_total = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(days__gt=0), name="impact_days_positive"),
        ]

    def __str__(self) -> str:
        return f"Impact report {self.pk} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in FINISHED_IMPACT_STATUSES


class ImpactMember(models.Model):
    """A member whose claims the version would decide differently (PHI: read, logged)."""

    report = models.ForeignKey(ImpactReport, on_delete=models.CASCADE, related_name="members")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    now_rejected = models.PositiveIntegerField()
    now_paid = models.PositiveIntegerField()
    first_day = models.DateField()
    # [[claim id, "YYYY-MM-DD", channel, "now_rejected" | "now_paid"], ...]
    claims = models.JSONField(default=list)

    class Meta:
        ordering = ["first_day", "member_id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "member"], name="impact_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} in report {self.report_id}"
