"""National Drug Codes: every NDC is stored as 11 digits (the 5-4-2 billing form)."""

import re

NDC_FORMAT_MESSAGE = (
    "{value!r} is not an NDC: give 11 digits (00078100768) or the hyphenated form (00078-1007-68)."
)
_HYPHENATED = re.compile(r"^(\d{4,5})-(\d{3,4})-(\d{1,2})$")
# Widths of the 5-4-2 form that hyphenated 10-digit NDCs (4-4-2, 5-3-2, 5-4-1) are padded to.
_WIDTHS = (5, 4, 2)


def normalize_ndc(value: str) -> str:
    """Return the 11-digit NDC, or raise ValueError with a message a person can act on."""
    text = str(value).strip()
    if re.fullmatch(r"\d{11}", text):
        return text
    match = _HYPHENATED.match(text)
    if match:
        segments = [part.zfill(width) for part, width in zip(match.groups(), _WIDTHS, strict=True)]
        candidate = "".join(segments)
        # A 10-digit NDC pads exactly one segment; 11 digits is already 5-4-2.
        if len(text.replace("-", "")) in (10, 11):
            return candidate
    raise ValueError(NDC_FORMAT_MESSAGE.format(value=value))


def format_ndc(ndc: str) -> str:
    """00078100768 -> 00078-1007-68, for people to read."""
    return f"{ndc[:5]}-{ndc[5:9]}-{ndc[9:]}" if len(ndc) == 11 else ndc
