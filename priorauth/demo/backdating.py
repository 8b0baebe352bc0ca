"""The demo's only writes that bypass the services: moving times into the past.

The services stamp the present (a request is received now, an override starts on
the day it is approved) and rightly offer no way to say otherwise. The demo needs a
queue with realistic ages and one override past its end, so these two functions
write the dates with a queryset update, and leave no history row of their own.

A request moved into the past takes its story with it: its history rows, its decision
and its override's history are moved onto the same past (in the same order, spread over
most of the time since the new receipt), so that no history entry comes before the
request was received and no decision before receipt or, for one decided within its
clock, after its due time.
"""

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.utils import timezone

from priorauth import services
from priorauth.models import (
    OPEN_REQUEST_STATUSES,
    Decision,
    Override,
    OverrideRequest,
    OverrideStatus,
)

from .planner import PlannedRequest


def spread_receipt_times(planned: list[PlannedRequest], *, rng: random.Random, now: datetime):
    """Spread the receipt times over the last days: the first of each open status, then
    every third, is overdue; the others are part way through their clock."""
    open_seen: dict[str, int] = {}
    for plan in planned:
        request = plan.request
        is_open = request.status in OPEN_REQUEST_STATUSES
        overdue = False
        if is_open:
            seen = open_seen.get(request.status, 0)
            open_seen[request.status] = seen + 1
            overdue = seen % 3 == 0
        age_hours = _age_hours(request.urgency, is_open=is_open, overdue=overdue, rng=rng)
        backdate_request_receipt(request, now - timedelta(hours=age_hours))


def _age_hours(urgency: str, *, is_open: bool, overdue: bool, rng: random.Random) -> float:
    clock_hours = services.due_in(urgency).total_seconds() / 3600
    if overdue:
        return clock_hours + rng.uniform(1, 36)
    if is_open:
        return rng.uniform(0.05, 0.75) * clock_hours
    # Decided or withdrawn within the clock.
    return rng.uniform(0.1, 0.9) * clock_hours


# The request's last event lands this far into the time between its new receipt and now.
STORY_SHARE = 0.8


def backdate_request_receipt(request: OverrideRequest, received_at: datetime) -> None:
    """Direct write: override_request_submit always receives now. Keeps
    due_at = received_at + the urgency's clock, as the service would have set it, and
    moves what happened to the request since onto the new past (_move_story)."""
    stored = OverrideRequest.objects.get(pk=request.pk)
    _move_story(stored, received_at)
    OverrideRequest.objects.filter(pk=request.pk).update(
        received_at=received_at, due_at=received_at + services.due_in(request.urgency)
    )


def _move_story(request: OverrideRequest, received_at: datetime) -> None:
    """Move the request's story onto the new past: its creation (the history row written
    at receipt) as far from the receipt as it really was; every later event, in order,
    spread over STORY_SHARE of the time from the new receipt to now."""
    was = request.received_at
    rows = list(request.history.all())
    decision = Decision.objects.filter(request=request).first()
    override = Override.objects.filter(request=request).first()
    override_rows = list(override.history.all()) if override else []
    created = min((h.history_date for h in rows if h.history_type == "+"), default=was)
    times = [h.history_date for h in [*rows, *override_rows]]
    times += [decision.decided_at] if decision else []
    real_span = (max([created, *times]) - created).total_seconds()
    new_span = (timezone.now() - received_at).total_seconds() * STORY_SHARE
    scale = new_span / real_span if real_span > 0 else 0.0

    def moved(moment: datetime) -> datetime:
        if moment <= created:
            return received_at + (moment - was)
        later = (moment - created).total_seconds() * scale
        return received_at + (created - was) + timedelta(seconds=later)

    for row in [*rows, *override_rows]:
        type(row).objects.filter(pk=row.pk).update(history_date=moved(row.history_date))
    # The decision and its override at the history entry that records the decision
    # (written milliseconds apart, which the spreading would stretch to minutes).
    decided = min(
        (h.history_date for h in rows if decision and h.status == request.status),
        default=decision.decided_at if decision else None,
    )
    if decision:
        Decision.objects.filter(pk=decision.pk).update(decided_at=moved(decided))
    if override:
        Override.objects.filter(pk=override.pk).update(created_at=moved(decided))


def leave_one_override_past_its_end(today: date, say: Callable[[str], None]) -> None:
    """Leave one override stored `active` although its last day has passed.

    This is the state the expiry task exists for: after `make run`, beat flips it
    to `expired` within PRIORAUTH_EXPIRY_INTERVAL_SECONDS, and meanwhile no claim
    may use it (the check reads the dates, not the stored status). Direct write: an
    approval always starts today, and no service moves an override's dates.
    """
    # A pharmacist's approval: the system's are the demo's fresh question-set requests.
    override = (
        Override.objects.filter(status=OverrideStatus.ACTIVE)
        .exclude(request__decision__automatic=True)
        .order_by("id")
        .first()
    )
    if override is None:
        return
    ended_on = today - timedelta(days=4)
    Override.objects.filter(pk=override.pk).update(
        starts_on=today - timedelta(days=33), ends_on=ended_on
    )
    say(
        f"Override {override.authorization_number} ended on {ended_on} but is stored "
        "active: the expiry task will mark it expired on its next run."
    )
