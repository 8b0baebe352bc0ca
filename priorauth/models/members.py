"""Members (the people the plan covers) and their prescriptions (prescribers: prescribers.py)."""

from datetime import date

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from policies.choices import NDC_VALIDATOR, Channel, LineOfBusiness

from .prescribers import Prescriber

MEMBER_ID_VALIDATOR = RegexValidator(
    r"^[A-Za-z0-9-]{1,20}$", "A member ID is 1 to 20 letters, digits or hyphens."
)


def covered_on(on: date) -> Q:
    """A member covered on `on`: coverage_start <= on <= coverage_end (open when empty).

    The one definition (docs/domain.md §8): `Member.objects.covered_on` filters with
    it and `Member.is_covered_on` tests the same condition on a loaded row.
    """
    return Q(coverage_start__lte=on) & (Q(coverage_end__isnull=True) | Q(coverage_end__gte=on))


class MemberQuerySet(models.QuerySet):
    def covered_on(self, on: date) -> "MemberQuerySet":
        return self.filter(covered_on(on))


class Member(models.Model):
    member_id = models.CharField(max_length=20, unique=True, validators=[MEMBER_ID_VALIDATOR])
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    date_of_birth = models.DateField()
    line_of_business = models.CharField(max_length=20, choices=LineOfBusiness.choices)
    plan_name = models.CharField(max_length=120, blank=True)
    coverage_start = models.DateField(
        default=timezone.localdate, help_text="First day covered (a date in the plan's zone)."
    )
    coverage_end = models.DateField(
        null=True, blank=True, help_text="Last day covered (inclusive); empty while covered."
    )
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()
    objects = MemberQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        # The queue searches members by name.
        indexes = [models.Index(fields=["last_name", "first_name"], name="member_name_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(coverage_end__isnull=True)
                | Q(coverage_end__gte=models.F("coverage_start")),
                name="member_coverage_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.last_name}, {self.first_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def is_covered_on(self, on: date) -> bool:
        """The row-level form of covered_on (a test keeps the two in agreement)."""
        return self.coverage_start <= on and (self.coverage_end is None or on <= self.coverage_end)


class Prescription(models.Model):
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="prescriptions")
    prescriber = models.ForeignKey(Prescriber, on_delete=models.PROTECT, related_name="+")
    ndc = models.CharField(max_length=11, validators=[NDC_VALIDATOR])
    quantity = models.DecimalField(max_digits=10, decimal_places=3)
    days_supply = models.PositiveIntegerField()
    channel = models.CharField(max_length=20, choices=Channel.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # Search by NDC (selectors/search.py) finds the prescriptions, then their requests.
        indexes = [models.Index(fields=["ndc"], name="prescription_ndc_idx")]

    def __str__(self) -> str:
        return f"NDC {self.ndc}, {self.quantity.normalize():f} for {self.days_supply} days"
