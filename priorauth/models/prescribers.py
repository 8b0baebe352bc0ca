"""The prescriber directory: who wrote a prescription, and how to reach their office.

A row is made in two ways. The directory proper (NPPES imports by `manage.py
import_prescribers`, or a prescriber added in the admin) has a name. A request whose NPI
the directory does not know still works: the request service keeps the NPI in a row
without a name, and the pages say "not in the prescriber directory" until an import or
an admin fills it in (the request is linked to the same row, so it then shows the name).
"""

from django.core.validators import RegexValidator
from django.db import models
from simple_history.models import HistoricalRecords

from priorauth.validators import validate_npi

PHONE_VALIDATOR = RegexValidator(r"^[0-9]{10}$", "A phone or fax number is 10 digits.")


def phone_display(digits: str) -> str:
    """ "2125550142" as "(212) 555-0142"; anything else as it is."""
    if len(digits) != 10 or not digits.isdigit():
        return digits
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"


class PrescriberQuerySet(models.QuerySet):
    def in_directory(self) -> "PrescriberQuerySet":
        return self.exclude(name="")


class Prescriber(models.Model):
    npi = models.CharField(max_length=10, unique=True, validators=[validate_npi])
    name = models.CharField(
        max_length=160,
        blank=True,
        help_text="As the directory lists it; empty: an NPI a request named, not in the directory.",
    )
    credential = models.CharField(max_length=40, blank=True, help_text='e.g. "MD", "NP".')
    specialty = models.CharField(max_length=120, blank=True)
    taxonomy_code = models.CharField(
        max_length=10, blank=True, help_text="The NPPES primary taxonomy code, e.g. 2084N0400X."
    )
    phone = models.CharField(
        max_length=10, blank=True, validators=[PHONE_VALIDATOR], help_text="10 digits."
    )
    fax = models.CharField(
        max_length=10, blank=True, validators=[PHONE_VALIDATOR], help_text="10 digits."
    )

    history = HistoricalRecords()
    objects = PrescriberQuerySet.as_manager()

    class Meta:
        ordering = ["name", "npi"]

    def __str__(self) -> str:
        return f"{self.display_name or 'Prescriber'} (NPI {self.npi})"

    @property
    def in_directory(self) -> bool:
        return bool(self.name)

    @property
    def display_name(self) -> str:
        """ "Avery Lindqvist, MD": the name with its credential."""
        if not self.name:
            return ""
        return f"{self.name}, {self.credential}" if self.credential else self.name

    @property
    def phone_display(self) -> str:
        return phone_display(self.phone)

    @property
    def fax_display(self) -> str:
        return phone_display(self.fax)
