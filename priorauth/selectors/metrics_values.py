"""The reporting figures as plain values, and the exact arithmetic on them (no database).

Counts are ints. Percentages and hours are kept exact (Fractions, in `exact`) and given
for display as Decimals rounded half-even to one decimal place. A percentage of nothing
received, or hours with nothing decided, is None: there is no such figure, and 0 would
claim one.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

GROUPINGS = ("overall", "urgency", "policy", "line_of_business")
COUNTS = (
    "received",
    "approved",
    "denied",
    "withdrawn",
    "still_open",
    "approved_on_appeal",
    "automatic",
    "decided",
    "decided_late",
    "open_past_due",
    "open_due_soon",
)
# The counts given as a percentage of the requests received.
PERCENTAGES = ("approved", "denied", "withdrawn", "still_open", "approved_on_appeal", "automatic")
HOURS = ("mean", "median", "p90")
ONE_PLACE = Decimal("0.1")
HOUR = timedelta(hours=1)


def for_display(value: Fraction | None) -> Decimal | None:
    """An exact value as a Decimal with one decimal place, ties to even.

    Rounded from the fraction itself, not from a Decimal quotient (which would round
    twice, first to 28 digits)."""
    if value is None:
        return None
    tenths = value * 10
    whole, rest = divmod(tenths.numerator, tenths.denominator)
    twice = 2 * rest
    if twice > tenths.denominator or (twice == tenths.denominator and whole % 2 == 1):
        whole += 1
    return Decimal(whole).scaleb(-1).quantize(ONE_PLACE)


def hours(duration: timedelta) -> Fraction:
    """A duration in hours, exactly (timedeltas are whole microseconds)."""
    return Fraction(duration // timedelta(microseconds=1), HOUR // timedelta(microseconds=1))


def percentile_ranks(size: int, fraction: Fraction) -> tuple[int, int]:
    """The 1-based ranks percentile_cont interpolates between: 1 + floor(f·(n-1)) and
    1 + ceil(f·(n-1)); the same rank twice when the position falls on one."""
    position = fraction * (size - 1)
    below = position.numerator // position.denominator
    above = below if position.denominator == 1 else below + 1
    return below + 1, above + 1


def interpolated(values: dict[int, timedelta], size: int, fraction: Fraction) -> Fraction:
    """percentile_cont(fraction) of `size` sorted values, given those at the needed ranks."""
    below, above = percentile_ranks(size, fraction)
    low, high = hours(values[below]), hours(values[above])
    weight = fraction * (size - 1) - (below - 1)
    return low + (high - low) * weight


@dataclass(frozen=True)
class Exact:
    """The exact percentages (of received, 0 to 100) and hours behind the displayed ones."""

    percent: dict[str, Fraction | None]
    hours: dict[str, Fraction | None]


@dataclass(frozen=True)
class Figures:
    """One group's figures: the range's requests, and the open ones' clocks as of now."""

    grouping: str  # overall, urgency, policy or line_of_business
    group: str  # "all", an urgency, a policy code or a line of business
    received: int
    approved: int
    denied: int
    withdrawn: int
    still_open: int
    approved_on_appeal: int
    automatic: int
    decided: int
    decided_late: int
    open_past_due: int
    open_due_soon: int
    approved_percent: Decimal | None
    denied_percent: Decimal | None
    withdrawn_percent: Decimal | None
    still_open_percent: Decimal | None
    approved_on_appeal_percent: Decimal | None
    automatic_percent: Decimal | None
    hours_mean: Decimal | None
    hours_median: Decimal | None
    hours_p90: Decimal | None
    exact: Exact = field(repr=False, compare=False)


def figures_from(grouping: str, group: str, counted: dict, ranked: dict | None = None) -> Figures:
    """Figures from one row of the aggregate query and the group's interpolated hours."""
    counts = {name: int(counted.get(name) or 0) for name in COUNTS}
    received = counts["received"]
    percent = {
        name: Fraction(counts[name] * 100, received) if received else None for name in PERCENTAGES
    }
    total = counted.get("time_to_decision")
    ranked = ranked or {}
    decided = counts["decided"]
    exact_hours = {
        "mean": hours(total) / decided if decided and total is not None else None,
        "median": ranked.get("median"),
        "p90": ranked.get("p90"),
    }
    return Figures(
        grouping=grouping,
        group=group,
        **counts,
        **{f"{name}_percent": for_display(value) for name, value in percent.items()},
        **{f"hours_{name}": for_display(value) for name, value in exact_hours.items()},
        exact=Exact(percent=percent, hours=exact_hours),
    )


@dataclass(frozen=True)
class AppealClock:
    """Appeals open now, past their due time, and due within the next 24 hours."""

    open: int
    past_due: int
    due_soon: int


@dataclass(frozen=True)
class Report:
    start: date
    end: date
    zone: str
    as_of: datetime
    overall: Figures
    by_urgency: tuple[Figures, ...]
    by_policy: tuple[Figures, ...]
    by_line_of_business: tuple[Figures, ...]
    appeals: AppealClock

    def groups(self) -> tuple[Figures, ...]:
        """Every group's figures, overall first: the rows of the figures CSV."""
        return (self.overall, *self.by_urgency, *self.by_policy, *self.by_line_of_business)


@dataclass(frozen=True)
class DailyVolume:
    """Requests received on one local day, by their status now."""

    day: date
    approved: int
    denied: int
    withdrawn: int
    still_open: int


@dataclass(frozen=True)
class DecisionRow:
    """One request received in the range, as the decision-level CSV lists it (no PHI)."""

    request_id: int
    received_at: datetime  # in the plan's zone
    urgency: str
    policy_code: str
    line_of_business: str
    outcome: str  # the request's status now: approved, denied, withdrawn or an open status
    decided_at: datetime | None
    hours_to_decision: Fraction | None
    decided_late: bool | None
    automatic: bool
    appeal: str  # the last appeal's outcome (overturn, uphold) or status; "" if none
