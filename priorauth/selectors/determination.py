"""What the real-time determination reads, and the pure rule called on it (docs/domain.md §9).

Two queries at most, whatever the policy: the dates of the member's paid fills of the
policy's products within the criterion's look-back, and the override of the policy in
force today. Everything else (the criterion, its questions, evidence and grants) comes
from the per-process policy cache (policies.selectors.criteria_of).
"""

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings

from policies.choices import Channel
from policies.rules import determination
from policies.selectors import CriterionInfo, ManagedLimit
from priorauth.models import Claim, ClaimStatus, Member

from .overrides import override_in_force


def paid_fill_dates(*, member: Member, ndcs: tuple[str, ...], since: date, until: date) -> list:
    """Dates of service of the member's paid, unreversed fills of `ndcs` in [since, until]."""
    return list(
        Claim.objects.filter(
            member=member,
            status=ClaimStatus.PAID,
            ndc__in=ndcs,
            date_of_service__gte=since,
            date_of_service__lte=until,
        ).values_list("date_of_service", flat=True)
    )


def determine_request(
    *,
    member: Member,
    managed: ManagedLimit,
    criterion: CriterionInfo | None,
    answers: dict,
    quantity: Decimal,
    days_supply: int,
    channel: str,
    received_on: date,
) -> determination.Determination:
    rules = criterion.rules if criterion is not None else None
    look_back = determination.look_back_days(rules)
    fills = (
        paid_fill_dates(
            member=member,
            ndcs=managed.ndcs,
            since=received_on - timedelta(days=look_back),
            until=received_on,
        )
        if look_back
        else []
    )
    return determination.determine(
        criterion=rules,
        answers=answers,
        fill_dates=fills,
        received_on=received_on,
        requested=determination.Requested(
            quantity=quantity,
            days_supply=days_supply,
            channel_label=Channel(channel).label,
            unit=managed.unit,
            grant=criterion.grants.get(channel) if criterion is not None else None,
        ),
        override_in_force=_override_sentence(member, managed.policy.code, received_on),
        enabled=settings.PRIORAUTH_AUTO_APPROVE,
    )


def _override_sentence(member: Member, policy_code: str, on: date) -> str | None:
    active = override_in_force(member=member, policy_code=policy_code, on=on)
    if active is None:
        return None
    return (
        f"Override {active.authorization_number} of this policy is already in force until "
        f"{active.ends_on.isoformat()}."
    )


def as_stored(found: determination.Determination) -> dict:
    """The determination as the request keeps it (JSON)."""
    return {
        "outcome": found.outcome,
        "findings": [
            {"subject": f.subject, "key": f.key, "supports": f.supports, "text": f.text}
            for f in found.findings
        ],
    }
