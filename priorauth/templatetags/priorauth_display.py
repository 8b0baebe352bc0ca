"""Filters every template has without {% load %} (settings.TEMPLATES' builtins)."""

from django import template

from policies.ndc import format_ndc
from policies.rules import describe_quantity

register = template.Library()


@register.filter(name="ndc")
def ndc(value) -> str:
    """An 11-digit NDC as people read and type it: 00078100768 -> 00078-1007-68. The API
    keeps the 11 digits (its contract); pages, notices and people's CSVs use this."""
    text = "" if value is None else str(value)
    # Anything but 11 digits (a drug name in a `default` chain) is shown as it is.
    return format_ndc(text) if text.isascii() and text.isdigit() else text


@register.filter(name="quantity")
def quantity(value, unit: str) -> str:
    """A quantity with its unit, as the findings say it: "1 pen", "0.57 pen", "3 pens"."""
    return describe_quantity(value, unit or "unit")
