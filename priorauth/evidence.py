"""What a member's claims history says about an override request (the case page's evidence).

Plain values in, plain values out: the findings are sentences a pharmacist reads
next to the criterion, and the timeline is the supply on hand, as the claim check
counts it, day by day against the limit.

The claim check's "on hand" for a date is the supply of paid fills falling inside the
window that starts that day (docs/decisions/0001-on-hand-accounting.md): for today, the
supply falling in the next `per_days` days, not what the member holds in the cupboard.
The page names it so, and says separately how long ago the last fill was.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from policies import rules
from priorauth.models import ClaimStatus, RejectCode

CHART_WIDTH = 640
CHART_HEIGHT = 180
CHART_PADDING = 28
CHART_LEFT = 52  # room for the y-axis's numbers and its unit
CHART_TOP = 18


@dataclass(frozen=True)
class Timeline:
    """An inline-SVG-ready series: supply on hand in the limit's window, per day."""

    points: str  # "x,y x,y …" for <polyline>, from the first fill on (no ramp from zero)
    limit_y: float
    limit_label: str  # "limit: 1 pen per 28 days"
    y_ticks: list[tuple[float, str]]  # (y, "2") on the y-axis
    y_label: str  # the product's unit, plural: "pens"
    left: int  # the plot's edges, for the axes
    right: int
    top: int
    bottom: int
    middle: int  # where the y-axis's label is centred
    today_x: float
    y_max: Fraction
    width: int
    height: int
    start: date
    end: date
    ticks: list[tuple[float, str]]
    summary: str


@dataclass(frozen=True)
class Evidence:
    # Paid supply falling in the window that starts today (the claim check's "on hand");
    # 0 when the request's channel has no limit (window_days is then None).
    supply_in_window: Fraction
    window_days: int | None
    days_since_last_fill: int | None  # None: no paid fill in the look-back
    last_fill: object | None  # that claim (date_of_service, quantity, days_supply)
    findings: list[str]
    timeline: Timeline | None

    @property
    def window_label(self) -> str:
        return f"Supply falling in the next {self.window_days} days"


def _fills(paid_claims) -> list[rules.Fill]:
    return [
        rules.Fill(
            ref=c.pk, filled_on=c.date_of_service, quantity=c.quantity, days_supply=c.days_supply
        )
        for c in paid_claims
    ]


def assess(
    *,
    claims,
    limit: rules.Limit | None,
    policy_per_days: Sequence[int],
    criteria: Sequence[tuple[int, str]],
    unit: str,
    today: date,
    history_days: int,
) -> Evidence:
    """Findings and timeline from every claim of the policy's products in the look-back.

    ``limit`` is the policy's limit for the request's channel (None when that channel has
    none); ``policy_per_days`` the window of every limit of the policy, any channel;
    ``criteria`` the policy's criteria as (number, label) pairs, in the policy's order;
    ``unit`` the product's unit ("pen", "tablet", "mL").  Claims need ``pk``,
    ``date_of_service``, ``quantity``, ``days_supply``, ``status`` (a ClaimStatus) and
    ``reject_code``.

    The findings state what the history shows and name the criteria to weigh it
    against; they do not say whether a criterion is met: the pharmacist decides.
    """
    paid = sorted(
        (c for c in claims if c.status == ClaimStatus.PAID),
        key=lambda c: (c.date_of_service, c.pk),
    )
    fills = _fills(paid)
    in_window = rules.on_hand(fills, today, limit.per_days)[0] if limit else Fraction(0)
    period = _period(limit, policy_per_days, history_days)
    findings = _findings(
        claims, paid, limit, period, criteria, unit, today, history_days, in_window
    )
    timeline = _timeline(fills, limit, unit, today, history_days) if limit else None
    last = paid[-1] if paid else None
    return Evidence(
        supply_in_window=in_window,
        window_days=limit.per_days if limit else None,
        days_since_last_fill=(today - last.date_of_service).days if last else None,
        last_fill=last,
        findings=findings,
        timeline=timeline,
    )


def _period(limit: rules.Limit | None, policy_per_days: Sequence[int], history_days: int) -> int:
    """The window the findings speak of: the channel's limit window; for a channel without
    a limit, the policy's longest limit window; for a policy without limits, the look-back."""
    if limit:
        return limit.per_days
    return max(policy_per_days, default=history_days)


def _see(criteria: Sequence[tuple[int, str]]) -> str:
    """' See criterion 1, “Label”.' naming every criterion of the policy, in its order."""
    named = [f"criterion {number}, “{label}”" for number, label in criteria]
    if not named:
        return ""
    if len(named) == 1:
        return f" See {named[0]}."
    if len(named) == 2:
        return f" See {named[0]}, and {named[1]}."
    return f" See {'; '.join(named[:-1])}; and {named[-1]}."


def _findings(
    claims, paid, limit, period, criteria, unit, today, history_days, in_window
) -> list[str]:
    findings = []
    see = _see(criteria)
    if not paid:
        findings.append(
            f"No paid fills in the last {history_days} days: "
            f"the member appears new to this therapy.{see}"
        )
    else:
        first, last = paid[0], paid[-1]
        since_first = (today - first.date_of_service).days
        if since_first <= period:
            findings.append(
                f"First paid fill {_days(since_first)} ago ({first.date_of_service}): within the "
                f"first {period} days of therapy, so the member appears to be starting it.{see}"
            )
        else:
            findings.append(
                f"{len(paid)} paid fill{'s' if len(paid) != 1 else ''} since "
                f"{first.date_of_service}, the last {_days((today - last.date_of_service).days)} "
                f"ago: the member appears established on this therapy.{see}"
            )
    if limit:
        most = rules.describe_quantity(limit.max_quantity, unit)
        findings.append(
            f"Supply falling in the next {limit.per_days} days, from fills already paid: "
            f"{rules.describe_quantity(in_window, unit)} "
            f"(limit {most} per {limit.per_days} days)."
        )
    if paid:
        last = paid[-1]
        findings.append(
            f"Days since last fill: {(today - last.date_of_service).days} (paid on "
            f"{last.date_of_service}: {rules.describe_quantity(last.quantity, unit)} for "
            f"{last.days_supply} days)."
        )
    # Only rejects for the quantity limit speak to this request; other codes (coverage,
    # timely filing) say nothing about how much the member needs.
    recent_rejects = [
        c
        for c in claims
        if c.status == ClaimStatus.REJECTED
        and c.reject_code == RejectCode.PLAN_LIMITATIONS_EXCEEDED
        and (today - c.date_of_service).days <= period
    ]
    if recent_rejects:
        newest = max(c.date_of_service for c in recent_rejects)
        findings.append(
            f"{len(recent_rejects)} claim{'s' if len(recent_rejects) != 1 else ''} rejected for "
            f"the limit (code {RejectCode.PLAN_LIMITATIONS_EXCEEDED}) in the last {period} "
            f"days, most recently on {newest}."
        )
    reversed_count = sum(1 for c in claims if c.status == ClaimStatus.REVERSED)
    if reversed_count:
        findings.append(f"{reversed_count} reversed claim{'s' if reversed_count != 1 else ''}.")
    return findings


def _days(n: int) -> str:
    return "today" if n == 0 else f"{n} day{'s' if n != 1 else ''}"


def _timeline(fills, limit: rules.Limit, unit: str, today: date, history_days: int) -> Timeline:
    start = today - timedelta(days=history_days)
    end = today + timedelta(days=limit.per_days)
    days = (end - start).days
    values = [
        rules.on_hand(fills, start + timedelta(days=i), limit.per_days)[0] for i in range(days + 1)
    ]
    y_max, y_step = _y_axis(max([Fraction(limit.max_quantity), *values]))
    right, bottom = CHART_WIDTH - CHART_PADDING, CHART_HEIGHT - CHART_PADDING
    inner_w, inner_h = right - CHART_LEFT, bottom - CHART_TOP

    def x(i: int) -> float:
        return round(CHART_LEFT + inner_w * i / days, 1)

    def y(value) -> float:
        return round(bottom - float(inner_h * Fraction(value) / y_max), 1)

    # Before the first fill in the look-back the window only "sees" it coming (and fills
    # older than the look-back are not read): no line there, rather than a ramp from 0.
    first = min(((f.filled_on - start).days for f in fills if f.filled_on >= start), default=None)
    shown = [] if first is None else list(enumerate(values))[first:]
    peak = max(values)
    summary = (
        f"Supply falling in each {limit.per_days}-day window from {start} to {end}; "
        f"limit {rules.describe_quantity(limit.max_quantity, unit)}; highest "
        f"{rules.describe_quantity(peak, unit)}."
    )
    return Timeline(
        points=" ".join(f"{x(i)},{y(v)}" for i, v in shown),
        limit_y=y(limit.max_quantity),
        limit_label=f"limit: {rules.describe_quantity(limit.max_quantity, unit)} "
        f"per {limit.per_days} days",
        y_ticks=[(y(v * y_step), _number(v * y_step)) for v in range(int(y_max / y_step) + 1)],
        y_label=unit_plural(unit),
        left=CHART_LEFT,
        right=right,
        top=CHART_TOP,
        bottom=bottom,
        middle=(CHART_TOP + bottom) // 2,
        today_x=x((today - start).days),
        y_max=y_max,
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        start=start,
        end=end,
        ticks=_month_ticks(start, end, x),
        summary=summary,
    )


def unit_plural(unit: str) -> str:
    """The unit as an axis names it: "pens", "tablets", "mL"."""
    return rules.describe_quantity(2, unit).split(" ", 1)[1]


def _y_axis(highest: Fraction) -> tuple[Fraction, Fraction]:
    """(top, step) of the y-axis: about four round steps (halves, 1, 2, 5, 10, 20, 25,
    50 … units), the top a step above the highest value so the limit line never sits on
    the frame."""
    wanted = highest / 4
    step = Fraction(1, 2)
    scale = 1
    while step < wanted:
        for nice in (1, 2, 5):
            step = Fraction(nice * scale)
            if step >= wanted:
                break
        scale *= 10
    top = (highest // step + 1) * step
    return Fraction(top), step


def _number(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{float(value):g}"


def _month_ticks(start: date, end: date, x) -> list[tuple[float, str]]:
    ticks = []
    month = date(start.year, start.month, 1)
    while month <= end:
        if month >= start:
            ticks.append((x((month - start).days), month.strftime("%b")))
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return ticks
