"""What the reporting dashboard shows beside the figures (docs/domain.md §11): the hours to
decision in buckets against the clocks, and the open requests and appeals due next.

One query each, whatever the volume, like the figures in metrics.py.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise

from django.conf import settings
from django.db.models import Count, F, Q

from policies.ndc import format_ndc
from priorauth.models import (
    OPEN_APPEAL_STATUSES,
    OPEN_REQUEST_STATUSES,
    Appeal,
    OverrideRequest,
    Urgency,
)

from .metrics import TO_DECISION, received_between
from .queue import drug_name

# Bucket edges in hours; the clocks' own hours are added, so a clock is always an edge.
HOUR_EDGES = (6, 12, 24, 48, 72, 96)
NEXT_DUE = 10


def clock_hours() -> dict[str, int]:
    """The decision clock per urgency (settings.PRIORAUTH_CLOCK_HOURS)."""
    return {urgency: int(settings.PRIORAUTH_CLOCK_HOURS[urgency]) for urgency in Urgency.values}


@dataclass(frozen=True)
class HoursBucket:
    """Decided requests whose hours to decision are above `above` and at most `up_to`
    (None: no upper edge), by urgency. A decision exactly on its clock is in time
    (late is after the due time), so it falls in the bucket the clock closes."""

    above: int | None
    up_to: int | None
    counts: dict[str, int]

    @property
    def label(self) -> str:
        if self.above is None:
            return f"≤ {self.up_to} h"
        if self.up_to is None:
            return f"> {self.above} h"
        return f"{self.above} to {self.up_to} h"


def turnaround_buckets(*, start: date, end: date) -> tuple[HoursBucket, ...]:
    """The range's decided requests counted by hours to decision, per urgency. One query."""
    edges = sorted(set(HOUR_EDGES) | set(clock_hours().values()))
    spans = [(None, edges[0]), *pairwise(edges), (edges[-1], None)]

    def within(above, up_to) -> Q:
        q = Q()
        if above is not None:
            q &= Q(to_decision__gt=timedelta(hours=above))
        if up_to is not None:
            q &= Q(to_decision__lte=timedelta(hours=up_to))
        return q

    counted = (
        OverrideRequest.objects.filter(received_between(start, end), decision__isnull=False)
        .annotate(to_decision=TO_DECISION)
        .aggregate(
            **{
                f"b{index}_{urgency}": Count("pk", filter=within(*span) & Q(urgency=urgency))
                for index, span in enumerate(spans)
                for urgency in Urgency.values
            }
        )
    )
    return tuple(
        HoursBucket(
            above=above,
            up_to=up_to,
            counts={urgency: counted[f"b{index}_{urgency}"] for urgency in Urgency.values},
        )
        for index, (above, up_to) in enumerate(spans)
    )


@dataclass(frozen=True)
class DueNext:
    """An open request or appeal and its clock; no member: the dashboard names none."""

    kind: str  # "request" or "appeal"
    pk: int
    request_id: int
    urgency: str
    drug: str
    policy_code: str
    due_at: datetime


def due_next(*, limit: int = NEXT_DUE) -> tuple[DueNext, ...]:
    """The open requests and appeals with the earliest due times (the overdue first), at
    most `limit` in all. One query per kind, each reading `limit` rows by the due index."""
    requests = (
        OverrideRequest.objects.filter(status__in=OPEN_REQUEST_STATUSES)
        .order_by("due_at", "pk")
        .annotate(drug=drug_name(), policy_code=F("policy__code"), request_pk=F("pk"))
        .values("pk", "request_pk", "urgency", "drug", "policy_code", "due_at", "prescription__ndc")
    )[:limit]
    appeals = (
        Appeal.objects.filter(status__in=OPEN_APPEAL_STATUSES)
        .order_by("due_at", "pk")
        .annotate(
            drug=drug_name("request__"),
            policy_code=F("request__policy__code"),
            request_pk=F("request_id"),
        )
        .values(
            "pk",
            "request_pk",
            "urgency",
            "drug",
            "policy_code",
            "due_at",
            "request__prescription__ndc",
        )
    )[:limit]
    rows = [("request", row) for row in requests] + [("appeal", row) for row in appeals]
    rows.sort(key=lambda kind_row: (kind_row[1]["due_at"], kind_row[0], kind_row[1]["pk"]))
    return tuple(_due_next(kind, row) for kind, row in rows[:limit])


def _due_next(kind: str, row: dict) -> DueNext:
    ndc = row.get("prescription__ndc") or row.get("request__prescription__ndc") or ""
    return DueNext(
        kind=kind,
        pk=row["pk"],
        request_id=row["request_pk"],
        urgency=row["urgency"],
        drug=row["drug"] or format_ndc(ndc),
        policy_code=row["policy_code"],
        due_at=row["due_at"],
    )
