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


# --- Explaining an NDC that no policy manages ------------------------------------------
# Labelers' 10-digit NDCs come in three shapes; each becomes 5-4-2 by a leading zero in
# the short part. Given 10 bare digits, nobody can tell which shape was meant.
TEN_DIGIT_FORMS = ((4, 4, 2), (5, 3, 2), (5, 4, 1))
FIVE_FOUR_TWO = (
    "NDCs are written 5-4-2: five digits, four, then two (00078-1007-68, or 00078100768 "
    "without the hyphens); a 10-digit NDC needs a zero in front of its short part."
)


def digits_of(text: str) -> str:
    """The ASCII digits of what was typed, in order (hyphens and spaces dropped)."""
    return "".join(ch for ch in str(text) if "0" <= ch <= "9")


def ten_digit_readings(digits: str) -> list[str]:
    """Every 11-digit NDC that 10 digits could be: one per form (4-4-2, 5-3-2, 5-4-1)."""
    if len(digits) != 10:
        return []
    readings = []
    for first, second, _ in TEN_DIGIT_FORMS:
        parts = (digits[:first], digits[first : first + second], digits[first + second :])
        readings.append("".join(p.zfill(w) for p, w in zip(parts, _WIDTHS, strict=True)))
    return readings


def one_digit_off(digits: str) -> set[str]:
    """The 11-digit NDCs one slip away: a digit changed or two neighbours swapped (11
    digits), a digit left out (10) or one too many (12)."""
    near: set[str] = set()
    if len(digits) == 11:
        for i in range(11):
            near.update(digits[:i] + d + digits[i + 1 :] for d in "0123456789")
            if i < 10:
                near.add(digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :])
    elif len(digits) == 10:
        near.update(digits[:i] + d + digits[i:] for i in range(11) for d in "0123456789")
    elif len(digits) == 12:
        near.update(digits[:i] + digits[i + 1 :] for i in range(12))
    near.discard(digits)
    return near


def suggested_ndcs(typed: str, managed) -> list[str]:
    """Managed NDCs (11 digits) the person may have meant: first what a 10-digit NDC
    becomes in any of its three forms, then those one digit off. In 5-4-2 form."""
    managed = set(managed)
    digits = digits_of(typed)
    readings = [n for n in ten_digit_readings(digits) if n in managed]
    near = sorted((one_digit_off(digits) & managed) - set(readings))
    return [format_ndc(n) for n in dict.fromkeys([*readings, *near])]


def _did_you_mean(suggestions: list[str]) -> str:
    if not suggestions:
        return ""
    if len(suggestions) == 1:
        return f"did you mean {suggestions[0]}?"
    return f"did you mean {', '.join(suggestions[:-1])} or {suggestions[-1]}?"


def ndc_hint(typed: str, managed) -> str:
    """What to say after "not an NDC" or "not managed", in the words of what was typed:
    how a 10-digit NDC was read, the 5-4-2 form, and any managed NDC it may have meant."""
    digits = digits_of(typed)
    suggestions = suggested_ndcs(typed, managed)
    sentences = []
    read_as = _read_as(typed)
    if read_as:
        sentences.append(f"It was read as {read_as}.")
    if len(digits) != 11:
        sentences.append(FIVE_FOUR_TWO)
    if digits and len(digits) != 11:
        ask = _did_you_mean(suggestions) or "an NDC has 11."
        sentences.append(f"{len(digits)} digit{'s' if len(digits) != 1 else ''} given: {ask}")
    elif suggestions:
        ask = _did_you_mean(suggestions)
        sentences.append(ask[0].upper() + ask[1:])
    return " ".join(sentences)


def _read_as(typed: str) -> str:
    """How a hyphenated 10-digit NDC was padded to 11 ("" when nothing was added)."""
    try:
        ndc = normalize_ndc(typed)
    except ValueError:
        return ""
    return "" if len(digits_of(typed)) == 11 else format_ndc(ndc)
