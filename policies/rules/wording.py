"""The rule's sentences: quantities with units, limits, and the reject message."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

from .onhand import ClaimOutcome, Fill, Limit, LimitTest, as_exact

# ---------------------------------------------------------------------------
# Wording
# ---------------------------------------------------------------------------


def _decimal_text(value: Fraction) -> str | None:
    """``value`` in plain decimal notation if its expansion terminates, else None.

    It terminates exactly when the denominator has no prime factors other
    than 2 and 5; then multiplying by 10**k, k = max(twos, fives), makes it
    whole.  Done in integers, not Decimal, so no context precision can round
    it and no exponent notation ("1E+1") can appear.
    """
    den = value.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den != 1:
        return None
    k = max(twos, fives)
    scaled = abs(value.numerator) * 10**k // value.denominator
    whole, frac = divmod(scaled, 10**k)
    digits = str(frac).rjust(k, "0").rstrip("0") if k else ""
    sign = "-" if value < 0 else ""
    return f"{sign}{whole}.{digits}" if digits else f"{sign}{whole}"


def _round_half_up(value: Fraction, places: int) -> Fraction:
    """Round for display the way a person would (0.125 -> 0.13)."""
    scale = 10**places
    magnitude = Fraction(math.floor(abs(value) * scale + Fraction(1, 2)), scale)
    return magnitude if value >= 0 else -magnitude


def describe_quantity(quantity: Decimal | Fraction | int, unit: str) -> str:
    """A quantity with its unit: "1 pen", "3 pens", "0.4 mL", "0.75 pen", "0.96 pen".

    Exact values are shown exactly; a fraction whose decimal expansion does
    not terminate is rounded to 2 places, for display only.

    The unit is pluralised only when it is all lowercase letters ("pen" ->
    "pens"; "mL" and "IU" stay as they are) and the number shown is not 1 and
    not a fraction of one unit: "0 pens", "1.5 pens", but "0.75 pen".
    """
    value = as_exact(quantity, "quantity")
    text = _decimal_text(value)
    if text is None:
        value = _round_half_up(value, 2)
        text = _decimal_text(value)
        assert text is not None  # a multiple of 1/100 always terminates
    plural = value != 1 and not (0 < abs(value) < 1)
    pluralisable = unit.isalpha() and unit.islower()
    return f"{text} {unit}{'s' if plural and pluralisable else ''}"


def _describe_days(days: int) -> str:
    return "1 day" if days == 1 else f"{days} days"


def describe_limit(limit: Limit, unit: str, channel_label: str) -> str:
    """A limit as a pharmacist would say it: "1 pen per 28 days at retail"."""
    per = "day" if limit.per_days == 1 else f"{limit.per_days} days"
    return f"{describe_quantity(limit.max_quantity, unit)} per {per} at {channel_label}"


def _describe_fill(fill: Fill, unit: str) -> str:
    """A fill as dispensed: "1 pen for 28 days"."""
    return f"{describe_quantity(fill.quantity, unit)} for {_describe_days(fill.days_supply)}"


def _on_hand_sentence(test: LimitTest, unit: str) -> str:
    """Which fills are still on hand, and how much of each, in the applied window."""
    held = describe_quantity(test.on_hand, unit)
    if len(test.contributions) == 1:
        fill = test.contributions[0].fill
        return (
            f"{held} still on hand from the fill of {fill.filled_on.isoformat()} "
            f"({_describe_fill(fill, unit)})."
        )
    parts = [
        f"{c.fill.filled_on.isoformat()} ({_describe_fill(c.fill, unit)}, "
        f"{describe_quantity(c.on_hand, unit)} of it on hand)"
        for c in test.contributions
    ]
    return f"{held} still on hand from the fills of {', '.join(parts[:-1])} and {parts[-1]}."


def reject_message(
    decision: ClaimOutcome, *, unit: str, channel_label: str, quantity: Decimal, days_supply: int
) -> str:
    """A one-paragraph, plain-text explanation a pharmacist can act on.

    It names the limit that decided the claim, each clause that failed and
    why, what would pay today, and when this same claim would pay.
    """
    if decision.paid:
        raise ValueError("a paid claim has no reject message")
    test = decision.applied
    limit_text = describe_limit(test.limit, unit, channel_label)
    claim_text = f"{describe_quantity(quantity, unit)} for {_describe_days(days_supply)}"
    overridden = decision.override is not None

    if overridden:
        plan_text = describe_limit(decision.plain.limit, unit, channel_label)
        sentences = [f"Override limit exceeded: {limit_text} (plan limit: {plan_text})."]
    else:
        sentences = [f"Plan limit exceeded: {limit_text}."]

    if not test.rate_ok:
        sentences.append(f"{claim_text} is more than {limit_text}.")
    if test.on_hand > 0:
        sentences.append(_on_hand_sentence(test, unit))
    elif not test.on_hand_ok and test.rate_ok:
        # Nothing on hand, yet the on-hand clause fails: the quantity alone
        # is more than may be held at one time.
        sentences.append(
            f"{describe_quantity(quantity, unit)} is more than the "
            f"{describe_quantity(test.limit.max_quantity, unit)} that may be on hand at one time."
        )

    sentences.append(f"Allowed now: {describe_quantity(test.allowed_now, unit)}.")
    if decision.earliest_date is not None:
        sentences.append(
            f"Earliest date this claim would pay: {decision.earliest_date.isoformat()}."
        )
    else:
        sentences.append("This quantity exceeds the limit on any date.")
    if not overridden:
        sentences.append("An override can be requested from the plan.")
    return " ".join(sentences)
