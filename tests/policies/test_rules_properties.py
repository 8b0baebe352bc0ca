"""Property tests for the pure point-of-service rule in ``policies.rules``.

Quantities are Decimals with one decimal place, limits 1..10 units per
1..120 days, days supply 1..120 and dates within 200 days of a fixed day.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from policies import rules

DAY0 = date(2026, 1, 5)
MAX_OFFSET = 200
MAX_DAYS = 120

# Past the last day any generated fill can cover, plus one: on hand is 0
# from there on, so a claim that does not pay by then never will.
HORIZON = MAX_OFFSET + MAX_DAYS + 1

PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)

limits = st.builds(
    rules.Limit,
    max_quantity=st.integers(min_value=1, max_value=10).map(Decimal),
    per_days=st.integers(min_value=1, max_value=MAX_DAYS),
)
# A little above the largest limit so that "more than the limit" claims occur.
quantities = st.decimals(min_value=Decimal("0.1"), max_value=Decimal("12"), places=1)
days_supplies = st.integers(min_value=1, max_value=MAX_DAYS)
offsets = st.integers(min_value=0, max_value=MAX_OFFSET)


def day(n: int) -> date:
    return DAY0 + timedelta(days=n)


@st.composite
def fills(draw: st.DrawFn, min_offset: int = 0, max_offset: int = MAX_OFFSET) -> rules.Fill:
    return rules.Fill(
        ref=draw(st.uuids()),
        filled_on=day(draw(st.integers(min_value=min_offset, max_value=max_offset))),
        quantity=draw(quantities),
        days_supply=draw(days_supplies),
    )


Claim = tuple[int, Decimal, int]  # (day offset, quantity, days supply)


@st.composite
def claims(draw: st.DrawFn, limit: rules.Limit) -> Claim:
    """A quarter arbitrary claims, the rest within the limit's rate and size.

    Arbitrary claims alone mostly fail the rate clause (which never depends on
    the date), leaving too few cases where the earliest date is interesting.
    """
    offset = draw(offsets)
    if draw(st.integers(min_value=0, max_value=3)) == 0:
        return offset, draw(quantities), draw(days_supplies)
    days_supply = draw(days_supplies)
    cap = min(
        Fraction(limit.max_quantity), Fraction(limit.max_quantity) * days_supply / limit.per_days
    )
    tenths = math.floor(cap * 10)
    if tenths < 1:  # no one-decimal quantity fits this days supply: use the limit's own
        days_supply, tenths = limit.per_days, int(limit.max_quantity * 10)
    return offset, Decimal(draw(st.integers(min_value=1, max_value=tenths))) / 10, days_supply


def brute_force_earliest(
    limit: rules.Limit, history: list[rules.Fill], quantity: Decimal, days_supply: int, on: date
) -> date | None:
    """Try every day from ``on`` until nothing can be on hand any more."""
    x = on
    while x <= day(HORIZON):
        if rules.test_limit(limit, history, quantity, days_supply, x).passes:
            return x
        x += timedelta(days=1)
    return None


# (a) ------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(limit=limits, data=st.data())
def test_adjudicating_claims_in_date_order_never_puts_more_than_the_limit_on_hand(
    limit: rules.Limit, data: st.DataObject
) -> None:
    # On hand on a date is what the member holds from fills dispensed by that
    # date.  Fills dispensed later are left out: the rule looks forward from
    # each claim, so a later small fill can still land in a window that began
    # on an earlier claim's date (1 pen for 28 days on day 0, then 0.1 pen for
    # 3 days on day 5, puts 1.1 pens in days 0..27) without anyone ever
    # holding more than the limit.
    sequence = data.draw(st.lists(claims(limit), max_size=12))
    history: list[rules.Fill] = []
    for n, (offset, quantity, days_supply) in enumerate(sorted(sequence, key=lambda c: c[0])):
        decision = rules.decide(
            quantity=quantity, days_supply=days_supply, on=day(offset), fills=history, limit=limit
        )
        if decision.paid:
            history.append(rules.Fill(n, day(offset), quantity, days_supply))

    for offset, _, _ in sequence:
        dispensed = [f for f in history if f.filled_on <= day(offset)]
        held, _ = rules.on_hand(dispensed, day(offset), limit.per_days)
        assert held <= limit.max_quantity


# (b) ------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(
    limit=limits,
    override_limit=st.none() | limits,
    data=st.data(),
)
def test_a_claim_pays_on_its_earliest_date_and_not_the_day_before(
    limit: rules.Limit, override_limit: rules.Limit | None, data: st.DataObject
) -> None:
    offset, quantity, days_supply = data.draw(claims(limit))
    # Fills that can still be on hand on the claim date, all dated up to it
    # (binary search) or some after it (a back-dated claim: linear scan).
    latest_fill = data.draw(st.sampled_from([offset, MAX_OFFSET]))
    history = data.draw(
        st.lists(fills(max(0, offset - MAX_DAYS), latest_fill), min_size=1, max_size=6)
    )
    on = day(offset)
    earliest = rules.earliest_date(limit, history, quantity, days_supply, on)
    if earliest is None:
        # Never: the rate is too high or the quantity alone exceeds the limit.
        plain = rules.test_limit(limit, history, quantity, days_supply, on)
        assert not plain.rate_ok or quantity > limit.max_quantity
        return

    assert earliest >= on
    then = rules.decide(
        quantity=quantity,
        days_supply=days_supply,
        on=earliest,
        fills=history,
        limit=limit,
        override_limit=override_limit,
    )
    assert then.paid and not then.uses_override

    if earliest > on:
        before = rules.decide(
            quantity=quantity,
            days_supply=days_supply,
            on=earliest - timedelta(days=1),
            fills=history,
            limit=limit,
        )
        assert not before.paid

    today = rules.decide(
        quantity=quantity, days_supply=days_supply, on=on, fills=history, limit=limit
    )
    assert today.earliest_date == (None if today.paid else earliest)


# (c) ------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(history=st.lists(fills(), max_size=8), start=offsets, per_days=days_supplies)
def test_on_hand_is_never_negative_nor_more_than_was_filled(
    history: list[rules.Fill], start: int, per_days: int
) -> None:
    held, contributions = rules.on_hand(history, day(start), per_days)
    assert isinstance(held, Fraction)
    assert 0 <= held <= sum(f.quantity for f in history)
    assert held == sum(c.on_hand for c in contributions)
    for contribution in contributions:
        assert 0 <= contribution.on_hand <= contribution.fill.quantity
    assert [c.fill.filled_on for c in contributions] == sorted(
        c.fill.filled_on for c in contributions
    )


# (d) ------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(limit=limits, data=st.data())
def test_the_binary_search_finds_the_same_earliest_date_as_a_linear_scan(
    limit: rules.Limit, data: st.DataObject
) -> None:
    # Every fill on or before the claim date: the binary-search path.
    offset, quantity, days_supply = data.draw(claims(limit))
    history = data.draw(st.lists(fills(max(0, offset - MAX_DAYS), offset), min_size=1, max_size=6))
    on = day(offset)
    assert rules.earliest_date(limit, history, quantity, days_supply, on) == brute_force_earliest(
        limit, history, quantity, days_supply, on
    )


@PROPERTY_SETTINGS
@given(limit=limits, data=st.data())
def test_the_earliest_date_matches_a_linear_scan_with_back_dated_claims_too(
    limit: rules.Limit, data: st.DataObject
) -> None:
    # Fills also after the claim date: the linear-scan path.
    offset, quantity, days_supply = data.draw(claims(limit))
    history = data.draw(
        st.lists(fills(max(0, offset - MAX_DAYS), MAX_OFFSET), min_size=1, max_size=6)
    )
    on = day(offset)
    assert rules.earliest_date(limit, history, quantity, days_supply, on) == brute_force_earliest(
        limit, history, quantity, days_supply, on
    )
