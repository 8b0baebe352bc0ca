"""The plan: which demo members ask for an override, for what, and how each request ends.

Nothing is written here; walkthrough.py carries the plan out through the services.
"""

import random
from dataclasses import dataclass, field

from priorauth.models import OverrideRequest, RequestStatus, Urgency

from .coverage import DemoPolicy
from .histories import DemoMember
from .narratives import (
    ANSWERED_NEW_START,
    ANSWERED_RECENT_FILL,
    ANSWERED_REINDUCTION,
    ANSWERS,
    EARLY_REFILL,
    HOME_DELIVERY,
    INITIATION,
    NEW_START,
    OTHER,
    QUESTION_SET_POLICY,
    REINDUCTION,
    RETAIL,
)

# How many requests end in each status, per 36 requests.
STATUS_WEIGHTS = {
    RequestStatus.APPROVED: 8,
    RequestStatus.DENIED: 5,
    RequestStatus.WITHDRAWN: 3,
    RequestStatus.NEEDS_INFO: 5,
    RequestStatus.IN_REVIEW: 6,
    RequestStatus.PENDING: 9,
}
# The statuses without a decision, in the order the requests left over are dealt to them.
UNDECIDED = (
    RequestStatus.WITHDRAWN,
    RequestStatus.NEEDS_INFO,
    RequestStatus.IN_REVIEW,
    RequestStatus.PENDING,
)


@dataclass
class PlannedRequest:
    who: DemoMember
    kind: str  # INITIATION, REINDUCTION or OTHER
    status: str = RequestStatus.PENDING
    urgency: str = Urgency.STANDARD
    request: OverrideRequest | None = None  # once submitted
    # Answered through the question set (narratives.ANSWERS): the system determines it at
    # receipt, and nobody moves it after; `status` is then what the system made of it.
    story: str = ""
    answers: dict = field(default_factory=dict)
    # Denied, then appealed to this end (narratives.APPEAL_ENDS; demo/appeals.py).
    appeal: str = ""


def plan_requests(
    demo_policy: DemoPolicy, group: list[DemoMember], rng: random.Random
) -> list[PlannedRequest]:
    """The requests of one policy's members, in the order they are to be submitted."""
    n = min(len(group), max(len(STATUS_WEIGHTS), round(len(group) * 0.6)))
    planned = _requesters(demo_policy, group)[:n]
    counts = status_counts(n, can_approve=demo_policy.criterion is not None)
    _assign_statuses(planned, counts, rng)
    # Submit in a shuffled order so request IDs do not follow the statuses.
    rng.shuffle(planned)
    _assign_urgencies(planned, rng)
    return planned


def plan_answered_requests(
    demo_policy: DemoPolicy, group: list[DemoMember]
) -> tuple[list[PlannedRequest], list[DemoMember]]:
    """The question-set requests (a new start, a member with a recent fill, a reinduction)
    and the members left for the rest of the plan.

    Only for the policy whose questions the demo knows, and only when enough members are
    left for a request in every status."""
    new_starts = [who for who in group if who.kind == NEW_START]
    established = [who for who in group if who.kind in (RETAIL, HOME_DELIVERY)]
    stories = ((ANSWERED_NEW_START, INITIATION), (ANSWERED_RECENT_FILL, INITIATION))
    stories += ((ANSWERED_REINDUCTION, REINDUCTION),)
    if (
        demo_policy.policy.code != QUESTION_SET_POLICY
        or demo_policy.criterion is None
        or not new_starts
        or len(established) < 2
        or len(group) - len(stories) < len(STATUS_WEIGHTS)
    ):
        return [], group
    # The last of each kind: the rest of the plan takes its requesters from the front.
    members = (new_starts[-1], established[-1], established[-2])
    answered = [
        PlannedRequest(who, kind, story=story, answers=dict(ANSWERS[story]))
        for who, (story, kind) in zip(members, stories, strict=True)
    ]
    return answered, [who for who in group if who not in members]


def _requesters(demo_policy: DemoPolicy, group: list[DemoMember]) -> list[PlannedRequest]:
    """New starts ask to initiate, early refillers for a replacement, the established
    members alternately for reinduction and a replacement."""
    new_starts = [who for who in group if who.kind == NEW_START]
    early_refills = [who for who in group if who.kind == EARLY_REFILL]
    established = [who for who in group if who.kind in (RETAIL, HOME_DELIVERY)]
    planned = [PlannedRequest(who, INITIATION) for who in new_starts]
    planned += [PlannedRequest(who, OTHER) for who in early_refills]
    planned += [
        PlannedRequest(who, REINDUCTION if i % 2 == 0 else OTHER)
        for i, who in enumerate(established)
    ]
    if demo_policy.criterion is None:
        for plan in planned:
            plan.kind = OTHER  # nothing to attest, nothing to approve under
    return planned


def status_counts(n: int, *, can_approve: bool) -> dict[str, int]:
    """How many of n requests end in each status."""
    if n < len(STATUS_WEIGHTS):
        # A policy with only a handful of demo members: one request per status, the
        # commonest first.
        order = [RequestStatus.PENDING, RequestStatus.APPROVED, RequestStatus.IN_REVIEW]
        order += [RequestStatus.NEEDS_INFO, RequestStatus.DENIED, RequestStatus.WITHDRAWN]
        if not can_approve:
            order.remove(RequestStatus.APPROVED)
        return {s: int(s in order[:n]) for s in STATUS_WEIGHTS}
    weights = dict(STATUS_WEIGHTS)
    if not can_approve:
        weights[RequestStatus.DENIED] += weights[RequestStatus.APPROVED]
        weights[RequestStatus.APPROVED] = 0
    total = sum(weights.values())
    counts = {s: max(1, n * w // total) if w else 0 for s, w in weights.items()}
    counts[RequestStatus.PENDING] += n - sum(counts.values())
    return counts


def _assign_statuses(
    planned: list[PlannedRequest], counts: dict[str, int], rng: random.Random
) -> None:
    """Approvals only where a criterion is attested; denials mostly where none is."""
    attested = [p for p in planned if p.kind != OTHER]
    other = [p for p in planned if p.kind == OTHER]
    rng.shuffle(attested)
    rng.shuffle(other)
    approved = attested[: counts[RequestStatus.APPROVED]]
    attested = attested[len(approved) :]
    # Approvals that found no attested request to approve become denials.
    denials = counts[RequestStatus.DENIED] + counts[RequestStatus.APPROVED] - len(approved)
    # All but one denial go to unattested requests, if there are enough of them.
    denied_other = other[: max(0, denials - 1)]
    rest = attested + other[len(denied_other) :]
    rng.shuffle(rest)
    denied_rest = rest[: denials - len(denied_other)]
    rest = rest[len(denied_rest) :]
    for plan in approved:
        plan.status = RequestStatus.APPROVED
    for plan in denied_other + denied_rest:
        plan.status = RequestStatus.DENIED
    for status in UNDECIDED:
        for plan in rest[: counts[status]]:
            plan.status = status
        rest = rest[counts[status] :]


def _assign_urgencies(planned: list[PlannedRequest], rng: random.Random) -> None:
    """A quarter expedited, at random."""
    for plan in planned:
        if rng.random() < 0.25:
            plan.urgency = Urgency.EXPEDITED
    # The queue always shows an expedited request waiting for a pharmacist.
    first_pending = next((p for p in planned if p.status == RequestStatus.PENDING), None)
    if first_pending is not None:
        first_pending.urgency = Urgency.EXPEDITED
