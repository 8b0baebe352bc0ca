"""Choices and value formats of the policy domain: a leaf module that imports no model.

`policies.models`, `policies.validation`, the review domain and the forms all use
these; keeping them here is what lets `validation` stay free of the models.
"""

from django.core.validators import RegexValidator
from django.db import models

NDC_VALIDATOR = RegexValidator(r"^\d{11}$", "An NDC has 11 digits (5-4-2), e.g. 00078100768.")


class Channel(models.TextChoices):
    RETAIL = "retail", "retail"
    HOME_DELIVERY = "home_delivery", "home delivery"


class LineOfBusiness(models.TextChoices):
    COMMERCIAL = "commercial", "Commercial"
    MEDICARE = "medicare", "Medicare"
    MEDICAID = "medicaid", "Medicaid"
    EXCHANGE = "exchange", "Individual & family (exchange)"


class PolicyStatus(models.TextChoices):
    """Where a version stands on a given day."""

    IN_FORCE = "in_force", "in force"
    FUTURE = "future", "future"
    ENDED = "ended", "ended"


def plain_quantity(value) -> str:
    """A quantity as a person writes it: 1.000 -> "1", 1.500 -> "1.5", 10 -> "10" (not "1E+1")."""
    return f"{value.normalize():f}"


def quantity_per_days(row) -> str:
    """ "4 per 28 days at retail", for any row with channel, max_quantity and per_days."""
    channel = Channel(row.channel).label
    return f"{plain_quantity(row.max_quantity)} per {row.per_days} days at {channel}"
