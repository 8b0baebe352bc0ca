"""Quantities in the admin as people write them: "1", not "1.000"; "1.5" stays "1.5".

Quantities are Decimals with three places (exact arithmetic, docs/domain.md), and Django
shows every stored place: in a form's input ("1.000"), in a read-only field and in a
list column. A policy admin reads "1.000 pens" as a typo or as a thousand. Here:

- `PlainQuantityInput`, the number input of every quantity field on the admin's forms;
- `PlainQuantitiesAdmin`, a ModelAdmin mixin that gives each DecimalField of its model a
  plain twin (`<name>_plain`, same column title and sort) and shows the twin wherever
  the field would be shown as text: list columns, and read-only fields.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.db import models

from .choices import plain_quantity

PLAIN_SUFFIX = "_plain"


class PlainQuantityInput(forms.NumberInput):
    def format_value(self, value):
        if isinstance(value, Decimal):
            return plain_quantity(value)
        return super().format_value(value)  # what the person typed, as typed


def _plain_display(field: models.DecimalField):
    @admin.display(description=field.verbose_name, ordering=field.name)
    def show(obj) -> str:
        value = getattr(obj, field.name)
        return plain_quantity(value) if value is not None else "—"

    return show


class PlainQuantitiesAdmin:
    """Mix into a ModelAdmin (or an inline) before Django's class."""

    formfield_overrides = {models.DecimalField: {"widget": PlainQuantityInput}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.plain_twins = {}
        for field in self.model._meta.fields:
            if isinstance(field, models.DecimalField):
                twin = field.name + PLAIN_SUFFIX
                setattr(self, twin, _plain_display(field))
                self.plain_twins[field.name] = twin

    def plain_names(self, names) -> list:
        """`names` with each quantity field replaced by its plain twin, without repeats."""
        result = []
        for name in names:
            name = self.plain_twins.get(name, name) if isinstance(name, str) else name
            if name not in result:
                result.append(name)
        return result

    def get_list_display(self, request):
        return self.plain_names(super().get_list_display(request))
