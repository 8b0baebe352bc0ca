"""The prescriber directory in the API: the lookup's answer, and what a request carries."""

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from priorauth.validators import NPI_PATTERN

NPI_VALIDATOR = RegexValidator(NPI_PATTERN)
PHONE_STRING = {"type": "string", "pattern": r"^[0-9]{10}$", "nullable": True}


def listed(prescriber, name: str) -> str | None:
    """A directory field of the request's prescriber; null when the directory does not
    list the NPI or has no value for the field."""
    return (getattr(prescriber, name) or None) if prescriber.in_directory else None


@extend_schema_field(PHONE_STRING)
class PhoneField(serializers.CharField):
    """10 digits, or null when the directory has no number."""


class PrescriberSerializer(serializers.Serializer):
    """A prescriber as the directory lists them (an NPPES import or the admin)."""

    npi = serializers.CharField(validators=[NPI_VALIDATOR])
    name = serializers.CharField(help_text="The person's name, or the organization's.")
    credential = serializers.CharField(allow_null=True, help_text='e.g. "MD"; null if none.')
    specialty = serializers.CharField(
        allow_null=True, help_text="From the NPPES primary taxonomy code; null if unknown."
    )
    taxonomy_code = serializers.CharField(allow_null=True)
    phone = PhoneField(allow_null=True)
    fax = PhoneField(allow_null=True)

    def to_representation(self, prescriber):
        return {
            "npi": prescriber.npi,
            "name": prescriber.name,
            **{
                name: getattr(prescriber, name) or None
                for name in ("credential", "specialty", "taxonomy_code", "phone", "fax")
            },
        }
