"""Replay every stored claim of a policy under one version and list where the replay and
the store disagree (an empty list is the reproduction the impact report rests on)."""

from datetime import date

from policies.impact import replay_member
from priorauth.selectors.impact import ReplayScope, version_rule


def disagreements(policy, *, first_day: date, last_day: date) -> tuple[int, list[tuple]]:
    """(claims compared, [(claim id, stored (paid, override), replayed (paid, override))])."""
    rule = version_rule(policy)
    scope = ReplayScope(
        policy_code=policy.code,
        lines_of_business=(policy.line_of_business,),
        first_day=first_day,
        last_day=last_day,
    )
    compared, wrong = 0, []
    for _pk, line, claims, overrides in scope.members():
        decisions = replay_member(claims, overrides, rule, line_of_business=line)
        for claim, decision in zip([c for c in claims if c.replayed], decisions, strict=True):
            compared += 1
            stored = (claim.stored_paid, claim.stored_override)
            if stored != (decision.paid, decision.override):
                wrong.append((claim.ref, stored, (decision.paid, decision.override)))
    return compared, wrong
