"""The admin's impact gate (ADR 0021): a save that puts a rule into force needs a replay of
that rule from the last day (PRIORAUTH_IMPACT_FRESH_HOURS), or an explicit, recorded
decision to go without one.

Called from the limits' formset, which sees the whole page (the policy form's values on
its instance, the products beside it): the rule checked is the one the save would store.
"""

from django import forms
from django.conf import settings
from django.utils import timezone

from . import rules
from .impact import VersionRule, rule_fingerprint
from .models import Policy


def check_impact_gate(policy: Policy, *, ndcs: set[str], limits: dict[str, tuple]) -> None:
    from priorauth.selectors import impact as impact_reads

    after = rule_fingerprint(
        VersionRule(
            line_of_business=policy.line_of_business,
            ndcs=frozenset(ndcs),
            limits={channel: rules.Limit(q, days) for channel, (q, days) in limits.items()},
        )
    )
    stored = Policy.objects.filter(pk=policy.pk).first() if policy.pk else None
    today = timezone.localdate()
    if not impact_reads.made_effective_by_save(
        effective_from=policy.effective_from,
        today=today,
        before_from=stored.effective_from if stored else None,
        before_fingerprint=rule_fingerprint(impact_reads.version_rule(stored)) if stored else None,
        after_fingerprint=after,
    ):
        return
    hours = settings.PRIORAUTH_IMPACT_FRESH_HOURS
    if impact_reads.current_replay(
        policy_pk=policy.pk, fingerprint=after, now=timezone.now(), hours=hours
    ):
        return
    ticked, reason = getattr(policy, "_impact_gate_choice", (False, ""))
    if ticked and reason:
        policy._made_effective_without_replay = reason  # the save's history says so
        return
    if ticked:
        raise forms.ValidationError(impact_reads.WITHOUT_REPLAY_REASON_REQUIRED)
    raise forms.ValidationError(
        impact_reads.NEEDS_REPLAY.format(starts=policy.effective_from, hours=hours)
    )


def impact_panel(policy: Policy) -> dict:
    """What the version's admin page says about its replays: the latest, and whether it is
    of the rule as it is now and recent enough for the gate."""
    from priorauth.selectors import impact as impact_reads

    latest = impact_reads.latest_impact_report(policy)
    fingerprint = rule_fingerprint(impact_reads.version_rule(policy))
    current = impact_reads.current_replay(
        policy_pk=policy.pk,
        fingerprint=fingerprint,
        now=timezone.now(),
        hours=settings.PRIORAUTH_IMPACT_FRESH_HOURS,
    )
    return {
        "latest": latest,
        "latest_is_of_this_rule": latest is not None and latest.fingerprint == fingerprint,
        "current": current,
        "days": settings.PRIORAUTH_IMPACT_DAYS,
    }
