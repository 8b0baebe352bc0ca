"""Members (the people the plan covers), prescribers and prescriptions."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from policies.choices import NDC_VALIDATOR, Channel, LineOfBusiness

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
