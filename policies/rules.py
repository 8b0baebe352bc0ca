"""The point-of-service quantity-limit rule, as a pure function.

Plain values in, a plain decision out: this module knows nothing about
Django, the database or the project, so the rule can be read, tested and
reasoned about on its own.  The adapters that load fills and overrides from
the database and turn a :class:`Decision` into a claim response live
elsewhere.

The rule
--------
A paid claim supplies its quantity evenly over its days supply: ``q`` units
filled on day ``d`` for ``ds`` days cover days ``d .. d + ds - 1``, one
``q / ds`` share a day.  For a limit of ``max_quantity`` per ``per_days``
days, the *on hand* amount on day ``d`` is how much of the member's earlier
fills falls inside the window ``d .. d + per_days - 1``.

A claim of ``q`` units for ``ds`` days on day ``d`` passes a limit when

* rate:    ``q * per_days <= max_quantity * ds`` (a short days supply cannot
  be used to raise the rate), and
* on hand: ``on_hand(d) + q <= max_quantity``.

If the plain limit is not passed and the member holds an override for the
claim's channel, the same test is made with the override limit.

All arithmetic is exact (:class:`fractions.Fraction`): quantities such as
0.4 mL spread over 28 days are not representable in binary floating point,
and a rounding error at a limit boundary would wrongly reject or pay a claim.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

__all__ = [
    "Contribution",
    "Decision",
    "Fill",
    "Limit",
    "LimitTest",
    "decide",
    "describe_limit",
    "describe_quantity",
    "earliest_date",
    "on_hand",
    "reject_message",
    "test_limit",
]

# Anything that can be turned into an exact Fraction.  float is deliberately
# absent: it is already inexact by the time it reaches us.
Exact = Decimal | Fraction | int


# ---------------------------------------------------------------------------
# Input validation
# ---------------------------------------------------------------------------


def _exact(value: Exact, what: str) -> Fraction:
    """Convert a quantity to a Fraction, refusing anything inexact.

    A float (or a NaN/infinite Decimal) would silently defeat the point of
    exact arithmetic, so it is a programming error, not something to round.
    """
    if isinstance(value, bool) or not isinstance(value, (Decimal, Fraction, int)):
        raise TypeError(f"{what} must be a Decimal, Fraction or int, not {type(value).__name__}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"{what} must be finite, got {value}")
    return Fraction(value)


def _check_days(value: int, what: str) -> None:
    """Days supply and window lengths are whole, positive day counts."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int, not {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{what} must be at least 1, got {value}")


def _check_date(value: date, what: str) -> None:
    """Reject datetimes: comparing a datetime with a date raises at runtime,
    and a time of day has no meaning for a date of service."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{what} must be a datetime.date, not {type(value).__name__}")


# ---------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Limit:
    """At most ``max_quantity`` units per ``per_days`` days."""

    max_quantity: Decimal
    per_days: int

    def __post_init__(self) -> None:
        if _exact(self.max_quantity, "max_quantity") < 0:
            raise ValueError(f"max_quantity must not be negative, got {self.max_quantity}")
        _check_days(self.per_days, "per_days")


@dataclass(frozen=True)
class Fill:
    """A paid, not reversed, earlier claim for any product of the policy (any channel)."""

    ref: object  # opaque id of the claim, echoed back in contributions
    filled_on: date
    quantity: Decimal
    days_supply: int

    def __post_init__(self) -> None:
        _check_date(self.filled_on, "filled_on")
        # Zero is tolerated (it simply contributes nothing) so that one odd
        # historical row cannot make every later claim for the member fail.
        if _exact(self.quantity, "quantity") < 0:
            raise ValueError(f"fill quantity must not be negative, got {self.quantity}")
        _check_days(self.days_supply, "days_supply")

    @property
    def covers_through(self) -> date:
        """The last day this fill supplies (inclusive)."""
        return self.filled_on + timedelta(days=self.days_supply - 1)


@dataclass(frozen=True)
class Contribution:
    """One fill's share of the on-hand total in a window."""

    fill: Fill
    on_hand: Fraction


@dataclass(frozen=True)
class LimitTest:
    """The outcome of testing one claim against one limit."""

    limit: Limit
    rate_ok: bool
    on_hand: Fraction
    contributions: tuple[Contribution, ...]  # ordered by filled_on
    allowed_now: int
    on_hand_ok: bool

    @property
    def passes(self) -> bool:
        return self.rate_ok and self.on_hand_ok


@dataclass(frozen=True)
class Decision:
    """The adjudication of one claim."""

    paid: bool
    uses_override: bool
    plain: LimitTest  # the test under the plain limit (always made)
    override: LimitTest | None  # the test under the override limit, if one was tried
    earliest_date: date | None  # None when paid

    @property
    def applied(self) -> LimitTest:
        """The limit that decided the claim: the override's if it was tried."""
        return self.override if self.override is not None else self.plain

    @property
    def allowed_now(self) -> int:
        return self.applied.allowed_now

    @property
    def on_hand(self) -> Fraction:
        return self.applied.on_hand


# ---------------------------------------------------------------------------
# On hand
# ---------------------------------------------------------------------------


def _days_inside(fill: Fill, first: int, last: int) -> int:
    """Number of the fill's covered days inside ``first .. last`` (ordinals)."""
    start = max(fill.filled_on.toordinal(), first)
    end = min(fill.covers_through.toordinal(), last)
    return max(0, end - start + 1)


def _share(fill: Fill, days: int) -> Fraction:
    """The quantity a fill supplies over ``days`` of its cover (even spread)."""
    return Fraction(fill.quantity) * days / fill.days_supply


def _on_hand_total(fills: Sequence[Fill], start: int, per_days: int) -> Fraction:
    """Total on hand for the window starting at ordinal ``start``.

    Used in the earliest-date search, where only the total matters and
    building Contribution objects for every probed day would be waste.
    """
    last = start + per_days - 1
    return sum((_share(f, _days_inside(f, start, last)) for f in fills), Fraction(0))


def on_hand(
    fills: Iterable[Fill], window_start: date, per_days: int
) -> tuple[Fraction, tuple[Contribution, ...]]:
    """How much of ``fills`` falls inside ``window_start .. +per_days-1``.

    Every fill passed in is counted, including one dated after
    ``window_start`` (a back-dated claim): its supply within the window is
    still supply the member will have.  Fills whose cover misses the window
    contribute nothing and are left out of the contributions, which are
    ordered by fill date so that messages read chronologically.
    """
    _check_date(window_start, "window_start")
    _check_days(per_days, "per_days")
    first = window_start.toordinal()
    last = first + per_days - 1
    contributions: list[Contribution] = []
    for fill in sorted(fills, key=lambda f: f.filled_on):  # stable: ties keep input order
        days = _days_inside(fill, first, last)
        if days:
            contributions.append(Contribution(fill=fill, on_hand=_share(fill, days)))
    total = sum((c.on_hand for c in contributions), Fraction(0))
    return total, tuple(contributions)


# ---------------------------------------------------------------------------
# The two clauses
# ---------------------------------------------------------------------------


def _rate_ok(limit: Limit, quantity: Fraction, days_supply: int) -> bool:
    """Rate clause: the claim's daily rate is within the limit's daily rate.

    Cross-multiplied so it stays in integers/fractions.  Without it a claim
    for a full limit's quantity over a short days supply would pass the
    on-hand clause today and again a few days later.
    """
    return quantity * limit.per_days <= Fraction(limit.max_quantity) * days_supply


def _on_hand_ok(limit: Limit, held: Fraction, quantity: Fraction) -> bool:
    """On-hand clause: what is still held plus this claim fits the limit."""
    return held + quantity <= Fraction(limit.max_quantity)


def _allowed_now(limit: Limit, held: Fraction) -> int:
    """Whole units that would pay today, ignoring the rate clause.

    The rate clause is ignored on purpose: the pharmacist can always fix the
    rate by changing the days supply, so the useful figure is how much room
    the on-hand clause leaves.  Whole units because fractional dispensing is
    not something to suggest at the counter.
    """
    return max(0, math.floor(Fraction(limit.max_quantity) - held))


def test_limit(
    limit: Limit, fills: Sequence[Fill], quantity: Decimal, days_supply: int, on: date
) -> LimitTest:
    """Test a claim of ``quantity`` for ``days_supply`` days on ``on`` against ``limit``."""
    q = _exact(quantity, "quantity")
    _check_days(days_supply, "days_supply")
    _check_date(on, "on")
    held, contributions = on_hand(fills, on, limit.per_days)
    return LimitTest(
        limit=limit,
        rate_ok=_rate_ok(limit, q, days_supply),
        on_hand=held,
        contributions=contributions,
        allowed_now=_allowed_now(limit, held),
        on_hand_ok=_on_hand_ok(limit, held, q),
    )


# The name starts with "test_": keep pytest from collecting it when a test
# module imports it directly.
test_limit.__test__ = False  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------
# Earliest date
# ---------------------------------------------------------------------------


def _first_true_binary(lo: int, hi: int, pred: Callable[[int], bool]) -> int:
    """Smallest x in ``lo .. hi`` with ``pred(x)``, given pred is monotone
    (False ... False True ... True) and ``pred(hi)`` holds."""
    while lo < hi:
        mid = (lo + hi) // 2
        if pred(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def _first_true_linear(lo: int, hi: int, pred: Callable[[int], bool]) -> int:
    """Smallest x in ``lo .. hi`` with ``pred(x)``, given ``pred(hi)`` holds."""
    for x in range(lo, hi):
        if pred(x):
            return x
    return hi


def earliest_date(
    limit: Limit, fills: Sequence[Fill], quantity: Decimal, days_supply: int, on: date
) -> date | None:
    """The first date on or after ``on`` on which the same claim would pass
    ``limit`` with the same fills, or None if it never would.

    Only the on-hand clause depends on the date.  It never passes when the
    rate clause fails or the quantity alone exceeds the limit; otherwise it
    passes at the latest on the day after the last covered day, when nothing
    is on hand any more.  That gives a finite search range.

    When every fill starts on or before ``on``, a fill's days inside the
    window ``x .. x + per_days - 1`` are ``min(covers_through - x + 1,
    per_days)`` (or 0), which only shrink as x grows; so the clause is
    monotone and a binary search finds the first passing day.  A fill dated
    after ``on`` (a back-dated claim) grows inside the window at first, which
    breaks monotonicity, so then we scan day by day instead.
    """
    q = _exact(quantity, "quantity")
    _check_days(days_supply, "days_supply")
    _check_date(on, "on")
    fills = tuple(fills)
    if not _rate_ok(limit, q, days_supply) or q > Fraction(limit.max_quantity):
        return None

    start = on.toordinal()
    bound = max([start] + [f.covers_through.toordinal() + 1 for f in fills])

    def passes(x: int) -> bool:
        return _on_hand_ok(limit, _on_hand_total(fills, x, limit.per_days), q)

    if all(f.filled_on <= on for f in fills):
        found = _first_true_binary(start, bound, passes)
    else:
        found = _first_true_linear(start, bound, passes)
    return date.fromordinal(found)


# ---------------------------------------------------------------------------
# Decision
# ---------------------------------------------------------------------------


def decide(
    *,
    quantity: Decimal,
    days_supply: int,
    on: date,
    fills: Sequence[Fill],
    limit: Limit,
    override_limit: Limit | None = None,
) -> Decision:
    """Adjudicate one claim.

    The plain limit is always tested first; the override is tried only when
    the plain limit fails, so a claim that fits the plan limit never spends
    an override.  The earliest date is always stated against the plain
    limit: it answers "when could this be filled without an override".
    """
    if _exact(quantity, "quantity") <= 0:
        raise ValueError(f"claim quantity must be positive, got {quantity}")
    fills = tuple(fills)
    plain = test_limit(limit, fills, quantity, days_supply, on)
    if plain.passes:
        return Decision(
            paid=True, uses_override=False, plain=plain, override=None, earliest_date=None
        )

    override: LimitTest | None = None
    if override_limit is not None:
        override = test_limit(override_limit, fills, quantity, days_supply, on)
        if override.passes:
            return Decision(
                paid=True, uses_override=True, plain=plain, override=override, earliest_date=None
            )

    return Decision(
        paid=False,
        uses_override=False,
        plain=plain,
        override=override,
        earliest_date=earliest_date(limit, fills, quantity, days_supply, on),
    )


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
    value = _exact(quantity, "quantity")
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
    decision: Decision, *, unit: str, channel_label: str, quantity: Decimal, days_supply: int
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
