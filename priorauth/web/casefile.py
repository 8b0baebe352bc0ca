"""What a reviewer reads about one request, on its case page and on its appeal's page:
the member, the prescription, the policy's limits and criteria, the claims evidence,
what the determination found at receipt, and the member's overrides of the policy.

One builder for both pages, so an appeal is judged on the same evidence the denial was.
"""

from datetime import date, timedelta

from django.conf import settings
from django.http import Http404

from policies import rules
from policies import selectors as policy_selectors
from priorauth import evidence, selectors
from priorauth.models import OverrideRequest

from .findings import read_determination


def case_or_404(request_id: int) -> OverrideRequest:
    case = selectors.case_request(request_id)
    if case is None:
        raise Http404("No such request.")
    return case


def request_evidence(case: OverrideRequest, today: date) -> dict:
    """The template context the shared parts of the case pages read (templates/priorauth/
    _case_*.html)."""
    policy = case.policy
    limits, criteria = policy_selectors.policy_rules(policy)
    history_days = settings.PRIORAUTH_HISTORY_DAYS
    claims = list(
        selectors.claim_history(
            member=case.member, policy_code=policy.code, since=today - timedelta(days=history_days)
        )
    )
    overrides = selectors.member_overrides(member=case.member, policy_code=policy.code)
    unit = policy_selectors.policy_unit(policy)
    found = read_determination(case.determination)
    return {
        "case": case,
        "member": case.member,
        "prescription": case.prescription,
        "policy": policy,
        "limits": limits,
        "criteria": criteria,
        "claims": claims,
        "unit": unit,
        "history_days": history_days,
        "evidence": _evidence(case, limits, criteria, claims, unit, today, history_days),
        "overrides": [(o, o.status_on(today), o.days_left(today)) for o in overrides],
        "found": found,
        "answer_rows": found.answer_rows(case.answers or {}, _questions_asked(case)),
        "today": today,
    }


def _evidence(
    case: OverrideRequest, limits, criteria, claims, unit, today, history_days
) -> evidence.Evidence:
    channel_limit = next((lim for lim in limits if lim.channel == case.prescription.channel), None)
    return evidence.assess(
        claims=claims,
        limit=rules.Limit(channel_limit.max_quantity, channel_limit.per_days)
        if channel_limit
        else None,
        policy_per_days=[lim.per_days for lim in limits],
        criteria=[(c.number, c.label) for c in criteria],
        unit=unit,
        today=today,
        history_days=history_days,
    )


def _questions_asked(case: OverrideRequest) -> tuple:
    """The attested criterion's questions, from the per-process policy cache (the same
    reads whatever the number of questions, so the page's query count stays fixed)."""
    if case.attested_criterion is None:
        return ()
    criterion = policy_selectors.criteria_of(case.policy).get(case.attested_criterion.number)
    return criterion.rules.questions if criterion is not None else ()
