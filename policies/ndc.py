"""National Drug Codes: every NDC is stored as 11 digits (the 5-4-2 billing form)."""

import re

NDC_FORMAT_MESSAGE = (
    "{value!r} is not an NDC: give 11 digits (00078100768) or the hyphenated form (00078-1007-68)."
)
# Every form normalize_ndc accepts (around spaces aside): 11 digits, or hyphenated 5-4-2,
# or a hyphenated 10-digit NDC (4-4-2, 5-3-2, 5-4-1). ASCII digits only. The API's schema
# publishes this pattern, so it describes exactly what the check does.
NDC_INPUT_PATTERN = (
    r"^(?:[0-9]{11}|[0-9]{5}-[0-9]{4}-[0-9]{2}|[0-9]{4}-[0-9]{4}-[0-9]{2}"
    r"|[0-9]{5}-[0-9]{3}-[0-9]{2}|[0-9]{5}-[0-9]{4}-[0-9])$"
)
_NDC_INPUT = re.compile(NDC_INPUT_PATTERN)
# Widths of the 5-4-2 form that hyphenated 10-digit NDCs (4-4-2, 5-3-2, 5-4-1) are padded to.
_WIDTHS = (5, 4, 2)


def normalize_ndc(value: str) -> str:
    """Return the 11-digit NDC, or raise ValueError with a message a person can act on."""
    text = str(value).strip()
    if not _NDC_INPUT.fullmatch(text):
        raise ValueError(NDC_FORMAT_MESSAGE.format(value=value))
    if "-" not in text:
        return text
    return "".join(part.zfill(width) for part, width in zip(text.split("-"), _WIDTHS, strict=True))


def format_ndc(ndc: str) -> str:
    """00078100768 -> 00078-1007-68, for people to read."""
    return f"{ndc[:5]}-{ndc[5:9]}-{ndc[9:]}" if len(ndc) == 11 else ndc
