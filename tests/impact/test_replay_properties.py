"""Properties of the impact replay (policies.impact), on generated member histories."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from policies import rules
from policies.impact import ReplayClaim, ReplayOverride, VersionRule, replay_member

DAY0 = date(2026, 1, 5)
NDC = "00078100768"
LINE = "commercial"
PROPERTY_SETTINGS = settings(max_examples=300, deadline=None)

quantities = st.decimals(min_value=Decimal("0.5"), max_value=Decimal("6"), places=1)


@st.composite
def histories(draw) -> list[ReplayClaim]:
    """A member's claims in decision order: mostly in date order, some back-dated, some
    reversed later (the reversal after the claim, before or after later claims)."""
    count = draw(st.integers(min_value=1, max_value=12))
    claims, moment = [], datetime(2026, 1, 5, 12, tzinfo=UTC)
    for ref in range(1, count + 1):
        moment += timedelta(hours=draw(st.integers(min_value=1, max_value=24 * 20)))
        on = moment.date() - timedelta(days=draw(st.sampled_from([0, 0, 0, 3, 10])))
        reversed_after = draw(st.one_of(st.none(), st.integers(min_value=1, max_value=24 * 30)))
        claims.append(
            ReplayClaim(
                ref=ref,
                ndc=NDC,
                quantity=draw(quantities),
                days_supply=draw(st.sampled_from([7, 14, 28, 30, 56, 84])),
                channel=draw(st.sampled_from(["retail", "home_delivery"])),
                on=on,
                submitted_at=moment,
                reversed_at=None
                if reversed_after is None
                else moment + timedelta(hours=reversed_after),
                stored_paid=True,
                stored_override=None,
                replayed=True,
            )
        )
    return claims


@st.composite
def overrides(draw) -> list[ReplayOverride]:
    found = []
    for ref in range(draw(st.integers(min_value=0, max_value=2))):
        starts = DAY0 + timedelta(days=draw(st.integers(min_value=0, max_value=120)))
        found.append(
            ReplayOverride(
                ref=100 + ref,
                one_time=draw(st.booleans()),
                starts_on=starts,
                ends_on=starts + timedelta(days=29),
                revoked_at=None,
                grants={
                    "retail": rules.Limit(Decimal(draw(st.integers(4, 8))), 28),
                    "home_delivery": rules.Limit(Decimal(6), 84),
                },
            )
        )
    return found


def rule(retail: tuple[int, int], home: tuple[int, int] = (3, 84)) -> VersionRule:
    return VersionRule(
        line_of_business=LINE,
        ndcs=frozenset({NDC}),
        limits={
            "retail": rules.Limit(Decimal(retail[0]), retail[1]),
            "home_delivery": rules.Limit(Decimal(home[0]), home[1]),
        },
    )


@PROPERTY_SETTINGS
@given(claims=histories(), held=overrides(), base=st.integers(1, 4), more=st.integers(1, 4))
def test_raising_a_limit_changes_a_member_first_by_paying_a_claim(claims, held, base, more):
    """Relaxing never turns a paid claim into a rejected one on the same history: the
    first claim of a member whose outcome changes goes from rejected to paid. A later one
    may then be rejected, because the claim that now pays is on hand (see the next test
    and ADR 0021): that is the replay being right, not the limit being tighter."""
    tight = replay_member(claims, held, rule((base, 28)), line_of_business=LINE)
    loose = replay_member(claims, held, rule((base + more, 28)), line_of_business=LINE)
    changed = [(b, a) for b, a in zip(tight, loose, strict=True) if b.paid != a.paid]
    if changed:
        before, after = changed[0]
        assert not before.paid and after.paid, (before, after)


def test_a_relaxed_limit_may_reject_a_later_claim_because_an_earlier_one_now_pays():
    def claim(ref, quantity, days_supply, channel):
        moment = datetime(2026, 1, 5, 12, tzinfo=UTC) + timedelta(hours=ref)
        return ReplayClaim(
            ref=ref, ndc=NDC, quantity=Decimal(quantity), days_supply=days_supply,
            channel=channel, on=moment.date(), submitted_at=moment, reversed_at=None,
            stored_paid=True, stored_override=None, replayed=True,
        )  # fmt: skip

    # Retail 1 per 28 days refuses half a pen for 7 days (the rate); home delivery's
    # 3 per 84 days then pays 2.6. Retail raised to 2 per 28 days pays the half pen,
    # which is on hand when the home delivery claim comes: 0.5 + 2.6 > 3.
    claims = [claim(1, "0.5", 7, "retail"), claim(2, "2.6", 84, "home_delivery")]
    tight = replay_member(claims, [], rule((1, 28)), line_of_business=LINE)
    loose = replay_member(claims, [], rule((2, 28)), line_of_business=LINE)
    assert [d.paid for d in tight] == [False, True]
    assert [d.paid for d in loose] == [True, False]


@PROPERTY_SETTINGS
@given(
    claims=histories(),
    base=st.integers(1, 4),
    more=st.integers(1, 4),
    fewer_days=st.integers(0, 20),
)
def test_on_the_same_fills_a_relaxed_limit_pays_whatever_the_tight_one_pays(
    claims, base, more, fewer_days
):
    """Claim by claim, against the fills the tight replay had: the rule is monotone."""
    tight_rule, loose_rule = rule((base, 28)), rule((base + more, 28 - fewer_days))
    fills: list[rules.Fill] = []
    for claim in claims:
        tight = rules.decide(
            quantity=claim.quantity, days_supply=claim.days_supply, on=claim.on, fills=fills,
            limit=tight_rule.limits[claim.channel],
        )  # fmt: skip
        loose = rules.decide(
            quantity=claim.quantity, days_supply=claim.days_supply, on=claim.on, fills=fills,
            limit=loose_rule.limits[claim.channel],
        )  # fmt: skip
        assert loose.paid or not tight.paid
        if tight.paid:
            fills.append(rules.Fill(claim.ref, claim.on, claim.quantity, claim.days_supply))


@PROPERTY_SETTINGS
@given(claims=histories(), held=overrides())
def test_a_version_that_manages_nothing_pays_everything(claims, held):
    decisions = replay_member(
        claims, held, VersionRule(LINE, frozenset(), {}), line_of_business=LINE
    )
    assert all(d.paid and d.override is None for d in decisions)


@PROPERTY_SETTINGS
@given(claims=histories(), held=overrides(), base=st.integers(1, 4))
def test_a_one_time_override_pays_at_most_one_claim_standing_at_a_time(claims, held, base):
    decisions = replay_member(claims, held, rule((base, 28)), line_of_business=LINE)
    by_ref = {c.ref: c for c in claims}
    for override in held:
        users = [by_ref[d.ref] for d in decisions if d.override == override.ref]
        if override.one_time:
            # A second user only after the first was reversed (the override came back).
            for first, second in pairwise(users):
                assert first.reversed_before(second.submitted_at)
