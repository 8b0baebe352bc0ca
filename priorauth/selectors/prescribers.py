"""Reads of the prescriber directory."""

from priorauth.models import Prescriber


def prescriber_in_directory(npi: str) -> Prescriber | None:
    """The directory's entry for an NPI; None when the directory does not list it (a
    name-less row kept for a request is not an entry)."""
    return Prescriber.objects.in_directory().filter(npi=npi).first()
