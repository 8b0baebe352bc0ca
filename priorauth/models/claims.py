"""Pharmacy claims (fills) and how each was adjudicated at the point of service."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from policies.choices import NDC_VALIDATOR, Channel
from policies.models import Policy

from .members import Member


class ClaimStatus(models.TextChoices):
    PAID = "paid", "paid"
    REJECTED = "rejected", "rejected"
    REVERSED = "reversed", "reversed"


class RejectCode(models.TextChoices):
    """NCPDP reject codes this plan answers with."""

    PATIENT_NOT_COVERED = "65", "65 Patient Is Not Covered"
    PLAN_LIMITATIONS_EXCEEDED = "76", "76 Plan Limitations Exceeded"
    CLAIM_TOO_OLD = "81", "81 Claim Too Old"


class Claim(models.Model):
    """A pharmacy claim (a fill) and how it was adjudicated."""

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
                condition=~Q(status=ClaimStatus.REJECTED) | Q(reject_code__gt=""),
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
