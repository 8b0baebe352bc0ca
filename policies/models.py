"""The policy domain: a DQM policy, the products it manages, its limits and criteria.

Nothing here knows about Kesimpta: a policy arrives as data (policies/data/*.yaml)
through policies.files, or through the admin.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from . import validation
from .choices import NDC_VALIDATOR, Channel, LineOfBusiness, PolicyStatus, quantity_per_days

# Re-exported: callers that know the models know these names too.
__all__ = [
    "NDC_VALIDATOR",
    "Channel",
    "Criterion",
    "CriterionEvidence",
    "CriterionGrant",
    "CriterionQuestion",
    "LineOfBusiness",
    "Policy",
    "PolicyStatus",
    "Product",
    "ProductNDC",
    "QuantityLimit",
    "QuestionType",
    "quantity_per_days",
]


def in_force_on(on: date) -> Q:
    """A policy version in force on `on`: effective_from <= on <= effective_to (open when empty).

    The one definition: `Policy.objects.in_force` filters with it and
    `Policy.is_in_force` / `status_on` test the same condition on a loaded row.
    """
    return Q(effective_from__lte=on) & (Q(effective_to__isnull=True) | Q(effective_to__gte=on))


class PolicyQuerySet(models.QuerySet):
    def in_force(self, on: date) -> "PolicyQuerySet":
        """Versions in force on `on` (see in_force_on)."""
        return self.filter(in_force_on(on))

    def overlapping(self, effective_from: date, effective_to: date | None) -> "PolicyQuerySet":
        """Versions in force on at least one day of [effective_from, effective_to]."""
        return self.filter(validation.overlapping(effective_from, effective_to))

    def future(self, on: date) -> "PolicyQuerySet":
        return self.filter(effective_from__gt=on)

    def ended(self, on: date) -> "PolicyQuerySet":
        return self.filter(effective_to__lt=on)

    def with_status(self, status: str, on: date) -> "PolicyQuerySet":
        return {
            PolicyStatus.IN_FORCE: self.in_force,
            PolicyStatus.FUTURE: self.future,
            PolicyStatus.ENDED: self.ended,
        }[status](on)


class Policy(models.Model):
    """One version of a DQM policy. Versions of one policy share `code`."""

    code = models.SlugField(max_length=80, help_text="Stable identifier shared by all versions.")
    title = models.CharField(max_length=300)
    category = models.CharField(max_length=120, blank=True)
    line_of_business = models.CharField(max_length=20, choices=LineOfBusiness.choices)
    review_date = models.DateField(null=True, blank=True)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True, help_text="Last day in force.")
    statement = models.TextField(blank=True)
    otherwise = models.TextField(
        default="Any other exception is considered not medically necessary.",
        help_text="Why a request that meets no criterion is denied.",
    )
    source = models.TextField(blank=True, help_text="Where the policy text comes from.")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "policies"
        ordering = ["code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "effective_from"], name="policy_version_unique"
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_to__gte=models.F("effective_from")),
                name="policy_effective_to_after_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (from {self.effective_from:%Y-%m-%d})"

    def is_in_force(self, on: date) -> bool:
        """The row-level form of in_force_on (a test keeps the two in agreement)."""
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def status_on(self, day: date) -> PolicyStatus:
        if self.is_in_force(day):
            return PolicyStatus.IN_FORCE
        return PolicyStatus.FUTURE if day < self.effective_from else PolicyStatus.ENDED

    @property
    def period(self) -> str:
        return validation.describe_period(self.effective_from, self.effective_to)

    def clean(self) -> None:
        problem = validation.dates_problem(self.effective_from, self.effective_to)
        if problem:
            raise ValidationError({"effective_to": problem})
        if self.code and self.effective_from:
            others = (
                Policy.objects.overlapping(self.effective_from, self.effective_to)
                .filter(code=self.code)
                .exclude(pk=self.pk)
                .order_by("effective_from")
            )
            overlaps = [
                validation.version_overlap_message(
                    code=self.code,
                    period=self.period,
                    other_from=other.effective_from,
                    other_to=other.effective_to,
                )
                for other in others
            ]
            if overlaps:
                raise ValidationError({"effective_from": overlaps})


class Product(models.Model):
    """A managed drug product. Several products of one policy share its limits."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="products")
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=30, help_text='Dispensing unit, e.g. "pen", "tablet", "mL".')

    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "name"], name="product_name_unique_in_policy")
        ]

    def __str__(self) -> str:
        return self.name


class ProductNDC(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="ndcs")
    ndc = models.CharField(max_length=11, validators=[NDC_VALIDATOR])

    history = HistoricalRecords()

    class Meta:
        verbose_name = "product NDC"
        ordering = ["ndc"]
        constraints = [
            models.UniqueConstraint(fields=["product", "ndc"], name="product_ndc_unique"),
            models.CheckConstraint(condition=Q(ndc__regex=r"^[0-9]{11}$"), name="ndc_11_digits"),
        ]
        # The claim check looks a policy up by NDC on every claim.
        indexes = [models.Index(fields=["ndc"], name="productndc_ndc_idx")]

    def __str__(self) -> str:
        return self.ndc


class QuantityLimit(models.Model):
    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="limits")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    max_quantity = models.DecimalField(
        max_digits=10, decimal_places=3, validators=[validation.validate_positive_quantity]
    )
    per_days = models.PositiveIntegerField(validators=[validation.validate_positive_days])

    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]  # the order they were written in
        constraints = [
            models.UniqueConstraint(fields=["policy", "channel"], name="one_limit_per_channel"),
            models.CheckConstraint(condition=Q(max_quantity__gt=0), name="limit_quantity_positive"),
            models.CheckConstraint(condition=Q(per_days__gt=0), name="limit_per_days_positive"),
        ]

    def __str__(self) -> str:
        return quantity_per_days(self)


class Criterion(models.Model):
    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="criteria")
    number = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=200)
    text = models.TextField(help_text="The criterion, verbatim from the policy.")
    note = models.TextField(blank=True)
    one_time = models.BooleanField(
        default=False, help_text="A one-time override is used up by the claim that needs it."
    )
    approval_days = models.PositiveIntegerField(
        validators=[validation.validate_positive_days],
        help_text="How long an approval lasts, in calendar days (one-time overrides: 30).",
    )
    auto_approve = models.BooleanField(
        default=False,
        help_text=(
            "The system may approve a request under this criterion when every question "
            "with approving answers has one and every evidence clause holds. It never denies."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["number"]
        verbose_name_plural = "criteria"
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="criterion_number_unique"),
            models.CheckConstraint(condition=Q(approval_days__gt=0), name="approval_days_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.label}"


class CriterionGrant(models.Model):
    """What an approval under a criterion allows, per channel."""

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="grants")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    max_quantity = models.DecimalField(
        max_digits=10, decimal_places=3, validators=[validation.validate_positive_quantity]
    )
    per_days = models.PositiveIntegerField(validators=[validation.validate_positive_days])

    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]  # the order they were written in
        constraints = [
            models.UniqueConstraint(fields=["criterion", "channel"], name="one_grant_per_channel"),
            models.CheckConstraint(condition=Q(max_quantity__gt=0), name="grant_quantity_positive"),
            models.CheckConstraint(condition=Q(per_days__gt=0), name="grant_per_days_positive"),
        ]

    def __str__(self) -> str:
        return quantity_per_days(self)


class QuestionType(models.TextChoices):
    BOOLEAN = "boolean", "yes / no"
    CHOICE = "choice", "one of a list"
    NUMBER = "number", "number"
    DATE = "date", "date"
    TEXT = "text", "text"


class CriterionQuestion(models.Model):
    """A question the prescriber's office answers for a criterion (docs/domain.md §9)."""

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0, help_text="Asked in this order.")
    key = models.SlugField(
        max_length=60,
        help_text='The question\'s "id" in files and the API: a-z, 0-9 and _, unique in the '
        "criterion.",
    )
    text = models.TextField(help_text="The question as the prescriber's office reads it.")
    type = models.CharField(max_length=10, choices=QuestionType.choices)
    required = models.BooleanField(default=False)
    choices = models.JSONField(
        default=list, blank=True, help_text="The answers offered (choice questions only)."
    )
    approve_when = models.JSONField(
        default=list,
        blank=True,
        help_text="Answers with which the system may approve (yes/no and choice questions).",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["criterion", "key"], name="question_key_unique"),
            models.CheckConstraint(
                condition=Q(key__regex=r"^[a-z0-9_]+$"), name="question_key_format"
            ),
        ]

    def __str__(self) -> str:
        return self.key


class CriterionEvidence(models.Model):
    """An evidence clause: `clause` names a check in policies.rules.determination, `days`
    its look-back. A new kind of clause is a new name there, not a new column here."""

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="evidence")
    clause = models.CharField(max_length=60)
    days = models.PositiveIntegerField(validators=[validation.validate_positive_days])

    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = "evidence clause"
        constraints = [
            models.UniqueConstraint(fields=["criterion", "clause"], name="evidence_clause_unique"),
            models.CheckConstraint(condition=Q(days__gt=0), name="evidence_days_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.clause}: {self.days}"
