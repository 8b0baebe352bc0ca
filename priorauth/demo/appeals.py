"""Appeals in the demo (docs/domain.md §10): a few members' requests are denied by a
pharmacist and appealed by the office that submitted them, one appeal ending in each
status: pending, in review, needs information, overturned, upheld, withdrawn.

Planned like the other requests (planner.py), carried out through the services after
the requests are walked: the appeal is filed by intake, taken, pended, withdrawn and
decided by someone other than the pharmacist who denied it (overturned by pharmacist2,
upheld by the physician reviewer).
"""

from priorauth import services
from priorauth.models import AppealOutcome, RequestStatus, Urgency

from .coverage import DemoPolicy
from .histories import DemoMember
from .narratives import (
    APPEAL_ENDS,
    APPEAL_IN_REVIEW,
    APPEAL_NEEDS_INFO,
    APPEAL_NOTES,
    APPEAL_OVERTURNED,
    APPEAL_PEND_REASON,
    APPEAL_REASONS,
    APPEAL_UPHELD,
    APPEAL_UPHOLD_REASON,
    APPEAL_WITHDRAW_REASON,
    APPEAL_WITHDRAWN,
    INITIATION,
    NEW_START,
    QUESTION_SET_POLICY,
    REINDUCTION,
)
from .planner import STATUS_WEIGHTS, PlannedRequest


def plan_appealed_requests(
    demo_policy: DemoPolicy, group: list[DemoMember]
) -> tuple[list[PlannedRequest], list[DemoMember]]:
    """Denied requests to be appealed, one per appeal end (as many as the members left
    allow, keeping one request per status for the rest of the plan), and those members.

    Only for the policy the demo tells its stories about, which has a criterion to
    overturn under. A new start's initiation is the one overturned."""
    if demo_policy.policy.code != QUESTION_SET_POLICY or demo_policy.criterion is None:
        return [], group
    room = min(len(APPEAL_ENDS), len(group) - len(STATUS_WEIGHTS))
    if room <= 0:
        return [], group
    # From the back: the rest of the plan takes its requesters from the front. The
    # overturned appeal goes to a new start, if one is chosen (stable sorts: the ends in
    # their order of priority, the members in theirs).
    chosen = sorted(group[-room:], key=lambda who: who.kind != NEW_START)
    ends = sorted(APPEAL_ENDS[:room], key=lambda end: end != APPEAL_OVERTURNED)
    planned = [
        PlannedRequest(
            who,
            INITIATION if who.kind == NEW_START else REINDUCTION,
            status=RequestStatus.DENIED,
            appeal=end,
        )
        for who, end in zip(chosen, ends, strict=True)
    ]
    return planned, [who for who in group if who not in chosen]


def walk_appeals(demo_policy: DemoPolicy, planned: list[PlannedRequest], *, staff: dict) -> None:
    """File each planned appeal and take it to its end, through the services."""
    for plan in planned:
        if not plan.appeal or plan.request.status != RequestStatus.DENIED:
            continue  # not to be appealed, or the system approved it at receipt
        appeal = services.appeal_file(
            request_id=plan.request.pk,
            reason=APPEAL_REASONS[plan.appeal],
            urgency=Urgency.EXPEDITED if plan.appeal == APPEAL_IN_REVIEW else Urgency.STANDARD,
            clinical_notes=APPEAL_NOTES.get(plan.appeal, ""),
            by=staff["intake"],
            only_submitted_by=staff["intake"],
        )
        _to_its_end(appeal.pk, plan.appeal, demo_policy, staff)


def _to_its_end(appeal_id: int, end: str, demo_policy: DemoPolicy, staff: dict) -> None:
    pharmacist, physician = staff["pharmacist2"], staff["physician"]
    if end == APPEAL_IN_REVIEW:
        services.appeal_take(appeal_id=appeal_id, by=physician)
    elif end == APPEAL_NEEDS_INFO:
        services.appeal_take(appeal_id=appeal_id, by=pharmacist)
        services.appeal_pend(appeal_id=appeal_id, reason=APPEAL_PEND_REASON, by=pharmacist)
    elif end == APPEAL_WITHDRAWN:
        services.appeal_withdraw(appeal_id=appeal_id, reason=APPEAL_WITHDRAW_REASON, by=pharmacist)
    elif end == APPEAL_OVERTURNED:
        services.appeal_take(appeal_id=appeal_id, by=pharmacist)
        services.appeal_decide(
            appeal_id=appeal_id,
            outcome=AppealOutcome.OVERTURN,
            criterion_number=demo_policy.criterion.number,
            by=pharmacist,
        )
    elif end == APPEAL_UPHELD:
        services.appeal_take(appeal_id=appeal_id, by=physician)
        services.appeal_decide(
            appeal_id=appeal_id,
            outcome=AppealOutcome.UPHOLD,
            reason=APPEAL_UPHOLD_REASON,
            by=physician,
        )
