"""NDCs: the forms people type, and the 11 digits they are stored as."""

import pytest

from policies.ndc import normalize_ndc


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("00078100768", "00078100768"),
        ("00078-1007-68", "00078100768"),  # 5-4-2
        ("0078-1007-68", "00078100768"),  # 4-4-2
        ("00078-107-68", "00078010768"),  # 5-3-2
        ("00078-1007-8", "00078100708"),  # 5-4-1
        (" 00078-1007-68 ", "00078100768"),
    ],
)
def test_eleven_digits_and_the_hyphenated_forms_become_eleven_digits(typed, stored):
    assert normalize_ndc(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "0007810076",  # 10 digits without hyphens: which segment to pad is unknown
        "078-1007-68",  # 3-4-2
        "0078-107-68",  # 4-3-2: 9 digits
        "00078-1007-688",
        "0007810076\u0668",  # an Arabic-Indic eight: a digit to Python's \d
        "\uff10\uff10\uff10\uff17\uff18\uff11\uff10\uff10\uff17\uff16\uff18",  # full-width
    ],
)
def test_anything_else_is_not_an_ndc(typed):
    with pytest.raises(ValueError, match="is not an NDC"):
        normalize_ndc(typed)
