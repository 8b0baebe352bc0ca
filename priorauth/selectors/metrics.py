"""The reporting figures (docs/domain.md §11): what a plan publishes and a UM manager watches.

Every figure is computed by the database: one aggregate query per grouping (overall,
urgency, policy code, line of business) for the counts, the mean and the clocks, and one
window query per grouping that fetches only the decisions at the ranks the median and
the 90th percentile need. So the number of queries is the same for 10 requests or a
million (tests/selectors/test_metrics.py counts them).

Definitions (domain.md §11 is the reference):
- a request belongs to the range when its `received_at`, as a date in the plan's zone
  (settings.TIME_ZONE), is from `start` to `end` inclusive;
- approved, denied, withdrawn and still open are the request's status now, so the four
  add up to the requests received; percentages are of the requests received;
- approved on appeal: received in the range, denied, and an appeal of it overturned;
- hours to decision are wall-clock hours from `received_at` to the decision's
  `decided_at`, over decided requests; the median and 90th percentile interpolate
  linearly between the closest ranks, as PostgreSQL's percentile_cont;
- late: decided after `due_at`; past due now: open and `due_at` before now; due soon:
  open and due from now to 24 hours from now. These two are as of now, whatever the range.
"""

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import RowNumber, TruncDate
from django.utils import timezone

from priorauth.models import (
    OPEN_APPEAL_STATUSES,
    OPEN_REQUEST_STATUSES,
    Appeal,
    AppealDecision,
    AppealOutcome,
    OverrideRequest,
    RequestStatus,
)

from .metrics_values import (
    GROUPINGS,
    AppealClock,
    DailyVolume,
    DecisionRow,
    Figures,
    Report,
    figures_from,
    hours,
    interpolated,
)

DUE_SOON = timedelta(hours=24)
MEDIAN = Fraction(1, 2)
P90 = Fraction(9, 10)

# The group key of each grouping: what the rows are split by ("" puts them all together).
GROUP_FIELDS = {
    "overall": None,
    "urgency": "urgency",
    "policy": "policy__code",
    "line_of_business": "member__line_of_business",
}
assert tuple(GROUP_FIELDS) == GROUPINGS

TO_DECISION = ExpressionWrapper(
    F("decision__decided_at") - F("received_at"), output_field=DurationField()
)


def received_between(start: date, end: date) -> Q:
    """Received from the start of `start` to the end of `end`, local days of the plan's zone.

    As a half-open interval of instants, so the database compares the indexed column
    itself (no date function per row) and a day of 23 or 25 hours counts as it is.
    """
    zone = ZoneInfo(settings.TIME_ZONE)
    first = datetime.combine(start, time.min, tzinfo=zone)
    after_last = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    return Q(received_at__gte=first, received_at__lt=after_last)


def metrics_report(*, start: date, end: date, now: datetime | None = None) -> Report:
    """The figures for requests received from `start` to `end`, overall and per grouping."""
    now = now or timezone.now()
    in_range = received_between(start, end)
    groups = {
        grouping: _grouping_figures(grouping, in_range=in_range, now=now) for grouping in GROUPINGS
    }
    overall = groups["overall"][0] if groups["overall"] else figures_from("overall", "all", {})
    return Report(
        start=start,
        end=end,
        zone=settings.TIME_ZONE,
        as_of=now,
        overall=overall,
        by_urgency=groups["urgency"],
        by_policy=groups["policy"],
        by_line_of_business=groups["line_of_business"],
        appeals=appeal_clock(now=now),
    )


def _overturned() -> Exists:
    return Exists(
        AppealDecision.objects.filter(
            appeal__request=OuterRef("pk"), outcome=AppealOutcome.OVERTURN
        )
    )


def _open_now(now: datetime) -> dict:
    open_ = Q(status__in=OPEN_REQUEST_STATUSES)
    return {
        "open_past_due": Count("pk", filter=open_ & Q(due_at__lt=now)),
        "open_due_soon": Count("pk", filter=open_ & Q(due_at__gte=now, due_at__lte=now + DUE_SOON)),
    }


def _counts(in_range: Q, now: datetime) -> dict:
    decided = in_range & Q(decision__isnull=False)
    return {
        "received": Count("pk", filter=in_range),
        "approved": Count("pk", filter=in_range & Q(status=RequestStatus.APPROVED)),
        "denied": Count("pk", filter=in_range & Q(status=RequestStatus.DENIED)),
        "withdrawn": Count("pk", filter=in_range & Q(status=RequestStatus.WITHDRAWN)),
        "still_open": Count("pk", filter=in_range & Q(status__in=OPEN_REQUEST_STATUSES)),
        "approved_on_appeal": Count(
            "pk", filter=in_range & Q(status=RequestStatus.DENIED) & Q(_overturned())
        ),
        "automatic": Count("pk", filter=decided & Q(decision__automatic=True)),
        "decided": Count("pk", filter=decided),
        "decided_late": Count("pk", filter=decided & Q(decision__decided_at__gt=F("due_at"))),
        "time_to_decision": Sum(TO_DECISION, filter=decided),
        **_open_now(now),
    }


def _grouping_figures(grouping: str, *, in_range: Q, now: datetime) -> tuple[Figures, ...]:
    field = GROUP_FIELDS[grouping]
    # The requests of the range, and the open ones for the clocks as of now (a few, found
    # by the open-queue index); nothing else is read.
    rows = OverrideRequest.objects.filter(in_range | Q(status__in=OPEN_REQUEST_STATUSES))
    rows = rows.annotate(group=F(field) if field else Value("all")).values("group")
    counted = rows.annotate(**_counts(in_range, now)).order_by("group")
    ranked = _ranked_hours(grouping, in_range=in_range)
    return tuple(
        figures_from(grouping, row["group"], row, ranked.get(row["group"], {})) for row in counted
    )


def _ranked_hours(grouping: str, *, in_range: Q) -> dict[str, dict[str, Fraction]]:
    """The median and 90th percentile hours to decision of each group, from one query.

    Numbers each group's decided requests by time to decision (ROW_NUMBER) and counts
    them (COUNT over the group), then keeps only the rows at the ranks the two
    percentiles interpolate between: at most four per group, whatever its size.
    """
    field = GROUP_FIELDS[grouping]
    partition = [F(field)] if field else None
    decided = OverrideRequest.objects.filter(in_range, decision__isnull=False).annotate(
        group=F(field) if field else Value("all"),
        hours=TO_DECISION,
        rank=Window(RowNumber(), partition_by=partition, order_by=[TO_DECISION.asc(), F("pk")]),
        size=Window(Count("pk"), partition_by=partition),
    )
    at_ranks = Q()
    for fraction in (MEDIAN, P90):
        for bound in _rank_bounds(fraction):
            at_ranks |= Q(rank=bound)
    found: dict[str, dict[int, timedelta]] = defaultdict(dict)
    sizes: dict[str, int] = {}
    # No order: the model's default (due_at) would sort every decided row of the range
    # after the windows, before the few at the ranks are kept.
    for row in decided.filter(at_ranks).order_by().values("group", "rank", "size", "hours"):
        found[row["group"]][row["rank"]] = row["hours"]
        sizes[row["group"]] = row["size"]
    return {
        group: {
            "median": interpolated(found[group], sizes[group], MEDIAN),
            "p90": interpolated(found[group], sizes[group], P90),
        }
        for group in found
    }


def _rank_bounds(fraction: Fraction):
    """The 1-based ranks below and above the percentile's position, as SQL on the window's
    size: 1 + floor(f·(n-1)) and 1 + ceil(f·(n-1)) in integer arithmetic (the same on
    SQLite and PostgreSQL, both of which divide integers exactly that way)."""
    a, b = fraction.numerator, fraction.denominator
    steps = (F("size") - 1) * a
    return (steps / b + 1, (steps + (b - 1)) / b + 1)


def appeal_clock(*, now: datetime | None = None) -> AppealClock:
    """Open appeals past their due time now, and those due in the next 24 hours."""
    now = now or timezone.now()
    counted = Appeal.objects.filter(status__in=OPEN_APPEAL_STATUSES).aggregate(
        open=Count("pk"),
        past_due=Count("pk", filter=Q(due_at__lt=now)),
        due_soon=Count("pk", filter=Q(due_at__gte=now, due_at__lte=now + DUE_SOON)),
    )
    return AppealClock(**counted)


def daily_volume(*, start: date, end: date) -> tuple[DailyVolume, ...]:
    """Requests received each day of the range (local dates), by their status now; every
    day of the range is listed, with zeros where nothing was received. One query."""
    zone = ZoneInfo(settings.TIME_ZONE)
    counted = (
        OverrideRequest.objects.filter(received_between(start, end))
        .annotate(day=TruncDate("received_at", tzinfo=zone))
        .values("day")
        .annotate(
            approved=Count("pk", filter=Q(status=RequestStatus.APPROVED)),
            denied=Count("pk", filter=Q(status=RequestStatus.DENIED)),
            withdrawn=Count("pk", filter=Q(status=RequestStatus.WITHDRAWN)),
            still_open=Count("pk", filter=Q(status__in=OPEN_REQUEST_STATUSES)),
        )
    )
    by_day = {row.pop("day"): row for row in counted}
    days = (start + timedelta(days=n) for n in range((end - start).days + 1))
    empty = {"approved": 0, "denied": 0, "withdrawn": 0, "still_open": 0}
    return tuple(DailyVolume(day=day, **by_day.get(day, empty)) for day in days)


def decision_rows(*, start: date, end: date, chunk_size: int = 2000) -> Iterator[DecisionRow]:
    """One row per request received in the range, in receipt order, read in chunks (a
    year's rows are never all in memory). No member ID, name or birth date: the rows are
    for counting and auditing the figures, and the request ID leads to the case."""
    zone = ZoneInfo(settings.TIME_ZONE)
    last_appeal = Appeal.objects.filter(request=OuterRef("pk")).order_by("-received_at", "-pk")
    rows = (
        OverrideRequest.objects.filter(received_between(start, end))
        .order_by("received_at", "pk")
        .values(
            "pk",
            "received_at",
            "due_at",
            "urgency",
            "status",
            "decision__decided_at",
            "decision__automatic",
            policy_code=F("policy__code"),
            line_of_business=F("member__line_of_business"),
            appeal_outcome=Subquery(last_appeal.values("decision__outcome")[:1]),
            appeal_status=Subquery(last_appeal.values("status")[:1]),
        )
    )
    for row in rows.iterator(chunk_size=chunk_size):
        yield _decision_row(row, zone)


def _decision_row(row: dict, zone: ZoneInfo) -> DecisionRow:
    decided_at = row["decision__decided_at"]
    return DecisionRow(
        request_id=row["pk"],
        received_at=row["received_at"].astimezone(zone),
        urgency=row["urgency"],
        policy_code=row["policy_code"],
        line_of_business=row["line_of_business"],
        outcome=row["status"],
        decided_at=decided_at.astimezone(zone) if decided_at else None,
        hours_to_decision=hours(decided_at - row["received_at"]) if decided_at else None,
        decided_late=decided_at > row["due_at"] if decided_at else None,
        automatic=bool(row["decision__automatic"]),
        appeal=row["appeal_outcome"] or row["appeal_status"] or "",
    )
