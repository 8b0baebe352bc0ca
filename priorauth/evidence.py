"""What a member's claims history says about an override request (the case page's evidence).

Plain values in, plain values out: the findings are sentences a pharmacist reads
next to the criterion, and the timeline is the supply on hand, as the claim check
counts it, day by day against the limit.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from policies import rules

CHART_WIDTH = 640
CHART_HEIGHT = 160
CHART_PADDING = 28


@dataclass(frozen=True)
class Timeline:
    """An inline-SVG-ready series: supply on hand in the limit's window, per day."""

    points: str  # "x,y x,y …" for <polyline>
    limit_y: float
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
    on_hand_today: Fraction
    findings: list[str]
    timeline: Timeline | None


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
    unit: str,
    today: date,
    history_days: int,
) -> Evidence:
    """Findings and timeline from every claim of the policy's products in the look-back."""
    paid = sorted(
        (c for c in claims if c.status == "paid"), key=lambda c: (c.date_of_service, c.pk)
    )
    fills = _fills(paid)
    on_hand_today = rules.on_hand(fills, today, limit.per_days)[0] if limit else Fraction(0)
    findings = _findings(claims, paid, limit, unit, today, history_days, on_hand_today)
    timeline = _timeline(fills, limit, unit, today, history_days) if limit else None
    return Evidence(on_hand_today=on_hand_today, findings=findings, timeline=timeline)


def _findings(claims, paid, limit, unit, today, history_days, on_hand_today) -> list[str]:
    findings = []
    if not paid:
        findings.append(
            f"No paid fills in the last {history_days} days: consistent with initiating treatment."
        )
    else:
        first, last = paid[0], paid[-1]
        since_first = (today - first.date_of_service).days
        period = limit.per_days if limit else 28
        if since_first <= period:
            findings.append(
                f"First paid fill {_days(since_first)} ago ({first.date_of_service}): within the "
                f"first {period} days of therapy, when induction doses are given."
            )
        else:
            findings.append(
                f"{len(paid)} paid fill{'s' if len(paid) != 1 else ''} since "
                f"{first.date_of_service}, the last {_days((today - last.date_of_service).days)} "
                "ago: the member is established on therapy, so the request needs a documented "
                "need for additional induction dosing."
            )
    if limit:
        most = rules.describe_quantity(limit.max_quantity, unit)
        findings.append(
            f"On hand today: {rules.describe_quantity(on_hand_today, unit)} "
            f"(limit {most} per {limit.per_days} days)."
        )
    recent_rejects = [
        c for c in claims if c.status == "rejected" and (today - c.date_of_service).days <= 30
    ]
    if recent_rejects:
        newest = max(c.date_of_service for c in recent_rejects)
        findings.append(
            f"{len(recent_rejects)} claim{'s' if len(recent_rejects) != 1 else ''} rejected for "
            f"the limit (code 76) in the last 30 days, most recently on {newest}."
        )
    reversed_count = sum(1 for c in claims if c.status == "reversed")
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
    y_max = max([Fraction(limit.max_quantity), *values]) * Fraction(6, 5)
    inner_w = CHART_WIDTH - 2 * CHART_PADDING
    inner_h = CHART_HEIGHT - 2 * CHART_PADDING

    def x(i: int) -> float:
        return round(CHART_PADDING + inner_w * i / days, 1)

    def y(value) -> float:
        return round(CHART_HEIGHT - CHART_PADDING - float(inner_h * Fraction(value) / y_max), 1)

    ticks = []
    month = date(start.year, start.month, 1)
    while month <= end:
        if month >= start:
            ticks.append((x((month - start).days), month.strftime("%b")))
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    peak = max(values)
    summary = (
        f"Supply on hand in each {limit.per_days}-day window from {start} to {end}; "
        f"limit {rules.describe_quantity(limit.max_quantity, unit)}; highest "
        f"{rules.describe_quantity(peak, unit)}."
    )
    return Timeline(
        points=" ".join(f"{x(i)},{y(v)}" for i, v in enumerate(values)),
        limit_y=y(limit.max_quantity),
        today_x=x((today - start).days),
        y_max=y_max,
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        start=start,
        end=end,
        ticks=ticks,
        summary=summary,
    )
