"""What a member's claims history says about an override request (the case page's evidence).

Plain values in, plain values out: the findings are sentences a pharmacist reads
next to the criterion, and the timeline is the supply on hand, as the claim check
counts it, day by day against the limit.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from policies import rules
from priorauth.models import ClaimStatus, RejectCode

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
    on_hand_today = rules.on_hand(fills, today, limit.per_days)[0] if limit else Fraction(0)
    period = _period(limit, policy_per_days, history_days)
    findings = _findings(
        claims, paid, limit, period, criteria, unit, today, history_days, on_hand_today
    )
    timeline = _timeline(fills, limit, unit, today, history_days) if limit else None
    return Evidence(on_hand_today=on_hand_today, findings=findings, timeline=timeline)


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
    claims, paid, limit, period, criteria, unit, today, history_days, on_hand_today
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
            f"On hand today: {rules.describe_quantity(on_hand_today, unit)} "
            f"(limit {most} per {limit.per_days} days)."
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
