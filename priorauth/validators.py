"""Input checks shared by the API serializers and the forms."""

import re

from django.core.exceptions import ValidationError

# ASCII digits only: str.isdigit() also takes "²" or "٣", which int() then refuses.
NPI_PATTERN = r"^[0-9]{10}$"
NPI_FORMAT_MESSAGE = "An NPI is 10 digits."
NPI_CHECK_DIGIT_MESSAGE = "NPI {npi} fails its check digit; check it for a typing error."


def npi_check_digit_ok(npi: str) -> bool:
    """The Luhn check over the NPI prefixed with 80840 (CMS's NPI standard)."""
    digits = [int(c) for c in "80840" + npi]
    total = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def validate_npi(value: str) -> None:
    if not re.fullmatch(NPI_PATTERN, value):
        raise ValidationError(NPI_FORMAT_MESSAGE)
    if not npi_check_digit_ok(value):
        raise ValidationError(NPI_CHECK_DIGIT_MESSAGE.format(npi=value))
