"""Policy impact in tests: a draft version with a changed limit, and a direct
re-adjudication of the stored claims under a version through the real claim service."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import time_machine
from django.utils import timezone

from policies.models import Policy, QuantityLimit
from policies.selectors import forget_policies
from policies.services import policy_version_prepare
from priorauth import services
from priorauth.models import Claim, ClaimStatus, Override, OverrideStatus, RejectCode


def draft_with_limit(
    policy: Policy, *, channel: str, max_quantity: str, per_days: int, today: date
) -> Policy:
    """A version of `policy` from tomorrow whose `channel` limit is changed."""
    draft = policy_version_prepare(
        policy_id=policy.pk,
        effective_from=today + timedelta(days=1),
        reason="impact test",
        today=today,
    ).policy
    QuantityLimit.objects.filter(policy=draft, channel=channel).update(
        max_quantity=Decimal(max_quantity), per_days=per_days
    )
    return draft


@dataclass(frozen=True)
class Redecided:
    now_rejected: set[int]  # ids of the original claims (paid, not reversed) now rejected
    now_paid: set[int]


def readjudicate_under(draft: Policy, *, first_day: date, last_day: date) -> Redecided:
    """Decide again, through claim_adjudicate, every claim of the draft's NDCs dated in the
    period, in the order they were decided, with the draft's limits in force, reversing
    each at its time as before. The stored claims of the period are removed first, one-time
    overrides they used are given back, and nothing is kept: call inside a test's
    transaction, after the report was made.
    """
    ndcs = list(draft.products.values_list("ndcs__ndc", flat=True))
    claims = list(
        Claim.objects.filter(ndc__in=ndcs, date_of_service__range=(first_day, last_day))
        .exclude(reject_code__in=[RejectCode.PATIENT_NOT_COVERED, RejectCode.CLAIM_TOO_OLD])
        .select_related("member")
        .order_by("id")
    )
    used = {c.override_id for c in claims if c.override_id}
    Override.objects.filter(pk__in=used, status=OverrideStatus.USED).update(
        status=OverrideStatus.ACTIVE
    )
    Claim.objects.filter(pk__in=[c.pk for c in claims]).delete()
    current = Policy.objects.in_force(last_day).filter(code=draft.code).exclude(pk=draft.pk).get()
    for limit in draft.limits.all():
        QuantityLimit.objects.filter(policy=current, channel=limit.channel).update(
            max_quantity=limit.max_quantity, per_days=limit.per_days
        )
    forget_policies()
    events = sorted(
        [(c.submitted_at, 0, c) for c in claims]
        + [(c.reversed_at, 1, c) for c in claims if c.status == ClaimStatus.REVERSED],
        key=lambda e: (e[0], e[1], e[2].pk),
    )
    again: dict[int, Claim] = {}
    for moment, kind, original in events:
        with time_machine.travel(_aware(moment), tick=False):
            if kind == 0:
                again[original.pk] = services.claim_adjudicate(
                    member_id=original.member.member_id,
                    ndc=original.ndc,
                    quantity=original.quantity,
                    days_supply=original.days_supply,
                    channel=original.channel,
                    date_of_service=original.date_of_service,
                    received_on=original.date_of_service,
                )
            elif again[original.pk].status == ClaimStatus.PAID:
                services.claim_reverse(claim_id=again[original.pk].pk)
    counted = [c for c in claims if c.status != ClaimStatus.REVERSED]
    return Redecided(
        now_rejected={
            c.pk for c in counted if c.status == ClaimStatus.PAID and again[c.pk].status != "paid"
        },
        now_paid={
            c.pk for c in counted if c.status != ClaimStatus.PAID and again[c.pk].status == "paid"
        },
    )


def _aware(moment: datetime) -> datetime:
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def changed_claims(report) -> tuple[set[int], set[int]]:
    """(now rejected, now paid) claim ids, from the report's affected-member rows."""
    rejected, paid = set(), set()
    for row in report.members.all():
        for ref, _day, _channel, kind in row.claims:
            (rejected if kind == "now_rejected" else paid).add(ref)
    return rejected, paid
