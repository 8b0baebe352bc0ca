"""On hand, the limit test, the earliest date and the claim outcome (see the package doc)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

# Anything that can be turned into an exact Fraction.  float is deliberately
# absent: it is already inexact by the time it reaches us.
Exact = Decimal | Fraction | int


# ---------------------------------------------------------------------------
# Input validation
# ---------------------------------------------------------------------------


def as_exact(value: Exact, what: str) -> Fraction:
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
        if as_exact(self.max_quantity, "max_quantity") < 0:
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
        if as_exact(self.quantity, "quantity") < 0:
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
class ClaimOutcome:
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
    q = as_exact(quantity, "quantity")
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
    q = as_exact(quantity, "quantity")
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
# ClaimOutcome
# ---------------------------------------------------------------------------


def decide(
    *,
    quantity: Decimal,
    days_supply: int,
    on: date,
    fills: Sequence[Fill],
    limit: Limit,
    override_limit: Limit | Callable[[], Limit | None] | None = None,
) -> ClaimOutcome:
    """Adjudicate one claim.

    The plain limit is always tested first; the override is tried only when
    the plain limit fails, so a claim that fits the plan limit never spends
    an override. `override_limit` may be a function giving the grant (or None):
    it is then called only when the plain limit fails, so a caller that must
    look the grant up does so only for a claim that needs it. The earliest date is
    always stated against the plain limit: it answers "when could this be filled
    without an override".
    """
    if as_exact(quantity, "quantity") <= 0:
        raise ValueError(f"claim quantity must be positive, got {quantity}")
    fills = tuple(fills)
    plain = test_limit(limit, fills, quantity, days_supply, on)
    if plain.passes:
        return ClaimOutcome(
            paid=True, uses_override=False, plain=plain, override=None, earliest_date=None
        )

    override: LimitTest | None = None
    if callable(override_limit):
        override_limit = override_limit()
    if override_limit is not None:
        override = test_limit(override_limit, fills, quantity, days_supply, on)
        if override.passes:
            return ClaimOutcome(
                paid=True, uses_override=True, plain=plain, override=override, earliest_date=None
            )

    return ClaimOutcome(
        paid=False,
        uses_override=False,
        plain=plain,
        override=override,
        earliest_date=earliest_date(limit, fills, quantity, days_supply, on),
    )
