"""Unit tests for the pure point-of-service rule in ``policies.rules``.

The worked cases use Kesimpta: plain limits of 1 pen per 28 days at retail and
3 pens per 84 days at home delivery; override grants of 4 per 28 (retail) and
6 per 84 (home delivery).  Day 0 is 2026-01-05.

The module is imported as a whole (``rules.test_limit``) because a function
named ``test_limit`` imported into a test module would be collected by pytest.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from policies import rules

DAY0 = date(2026, 1, 5)

RETAIL = rules.Limit(Decimal("1"), 28)
HOME_DELIVERY = rules.Limit(Decimal("3"), 84)
RETAIL_OVERRIDE = rules.Limit(Decimal("4"), 28)
HOME_DELIVERY_OVERRIDE = rules.Limit(Decimal("6"), 84)


def day(n: int) -> date:
    return DAY0 + timedelta(days=n)


def fill(n: int, quantity: str | int, days_supply: int, ref: object = None) -> rules.Fill:
    return rules.Fill(
        ref=ref if ref is not None else f"claim-day-{n}",
        filled_on=day(n),
        quantity=Decimal(str(quantity)),
        days_supply=days_supply,
    )


def claim(
    n: int,
    quantity: str | int,
    days_supply: int,
    *,
    fills: list[rules.Fill] | None = None,
    limit: rules.Limit = RETAIL,
    override_limit: rules.Limit | None = None,
) -> rules.ClaimOutcome:
    return rules.decide(
        quantity=Decimal(str(quantity)),
        days_supply=days_supply,
        on=day(n),
        fills=fills or [],
        limit=limit,
        override_limit=override_limit,
    )


# ---------------------------------------------------------------------------
# Fill cover and on hand
# ---------------------------------------------------------------------------


def test_a_fill_covers_its_fill_date_through_days_supply_minus_one_days_later() -> None:
    assert fill(0, 1, 28).covers_through == day(27)
    assert fill(0, 1, 1).covers_through == day(0)


def test_on_hand_counts_only_the_days_of_a_fill_inside_the_window() -> None:
    total, contributions = rules.on_hand([fill(0, 1, 28)], day(7), 28)
    assert total == Fraction(3, 4)
    assert [c.on_hand for c in contributions] == [Fraction(3, 4)]


def test_on_hand_counts_a_fill_that_is_longer_than_the_window_only_for_the_window() -> None:
    total, _ = rules.on_hand([fill(0, 3, 84)], day(0), 28)
    assert total == 1


def test_fills_whose_cover_misses_the_window_contribute_nothing_and_are_not_listed() -> None:
    old, current = fill(-28, 1, 28, ref="old"), fill(0, 1, 28, ref="current")
    total, contributions = rules.on_hand([old, current], day(0), 28)
    assert total == 1
    assert [c.fill.ref for c in contributions] == ["current"]


def test_on_hand_is_zero_with_no_fills() -> None:
    assert rules.on_hand([], day(0), 28) == (Fraction(0), ())


def test_contributions_are_ordered_by_fill_date_and_echo_the_fill_ref() -> None:
    later, earlier = fill(10, 1, 84, ref=2), fill(0, 1, 28, ref=1)
    _, contributions = rules.on_hand([later, earlier], day(14), 28)
    assert [c.fill.ref for c in contributions] == [1, 2]
    assert contributions[0].fill is earlier


def test_on_hand_counts_a_fill_dated_after_the_window_start() -> None:
    total, contributions = rules.on_hand([fill(14, 1, 28)], day(0), 28)
    assert total == Fraction(14, 28)
    assert len(contributions) == 1


def test_on_hand_with_fractional_quantities_stays_exact() -> None:
    # 0.4 mL over 28 days, 21 of them in the window: 0.3 mL exactly.
    total, _ = rules.on_hand([fill(0, "0.4", 28)], day(7), 28)
    assert isinstance(total, Fraction)
    assert total == Fraction(3, 10)
    # 0.1 mL over 3 days seen one day at a time: three thirds add up to exactly 0.1
    # (in floating point 0.1 / 3 * 3 is not 0.1).
    parts = [rules.on_hand([fill(0, "0.1", 3)], day(n), 1)[0] for n in range(3)]
    assert parts == [Fraction(1, 30)] * 3
    assert sum(parts) == Fraction(1, 10)


def test_on_hand_accepts_any_iterable_of_fills() -> None:
    total, _ = rules.on_hand(iter([fill(0, 1, 28)]), day(0), 28)
    assert total == 1


# ---------------------------------------------------------------------------
# The two clauses of test_limit
# ---------------------------------------------------------------------------


def test_the_rate_clause_rejects_a_short_days_supply() -> None:
    result = rules.test_limit(RETAIL, [], Decimal("1"), 7, day(0))
    assert not result.rate_ok
    assert result.on_hand_ok
    assert not result.passes


def test_the_rate_clause_allows_exactly_the_limit_rate() -> None:
    # 3 pens for 84 days is exactly the rate of 1 pen per 28 days.
    assert rules.test_limit(RETAIL, [], Decimal("3"), 84, day(0)).rate_ok


def test_the_on_hand_clause_allows_exactly_the_limit() -> None:
    result = rules.test_limit(HOME_DELIVERY, [fill(0, 3, 84)], Decimal("2"), 56, day(56))
    assert result.on_hand == 1
    assert result.on_hand_ok and result.rate_ok and result.passes


def test_the_on_hand_clause_rejects_going_over_the_limit_by_a_fraction() -> None:
    result = rules.test_limit(RETAIL, [fill(0, 1, 28)], Decimal("1"), 28, day(27))
    assert result.on_hand == Fraction(1, 28)
    assert result.rate_ok
    assert not result.on_hand_ok


def test_the_on_hand_clause_uses_the_window_of_the_limit_being_tested() -> None:
    fills = [fill(0, 1, 28)]
    assert rules.test_limit(RETAIL, fills, Decimal("1"), 28, day(1)).on_hand == Fraction(27, 28)
    assert rules.test_limit(HOME_DELIVERY, fills, Decimal("1"), 28, day(1)).on_hand == Fraction(
        27, 28
    )
    assert rules.test_limit(HOME_DELIVERY, [fill(0, 3, 84)], Decimal("1"), 28, day(28)).on_hand == 2


def test_allowed_now_is_whole_units_left_under_the_limit() -> None:
    assert (
        rules.test_limit(HOME_DELIVERY, [fill(0, 3, 84)], Decimal("3"), 84, day(56)).allowed_now
        == 2
    )
    # 3 - 27/28 = 2.04 rounds down to 2 whole pens.
    assert (
        rules.test_limit(HOME_DELIVERY, [fill(0, 1, 28)], Decimal("3"), 84, day(1)).allowed_now == 2
    )


def test_allowed_now_ignores_the_rate_clause() -> None:
    result = rules.test_limit(RETAIL, [], Decimal("1"), 7, day(0))
    assert not result.rate_ok
    assert result.allowed_now == 1


def test_allowed_now_is_never_negative() -> None:
    fills = [fill(0, 4, 28)]
    result = rules.test_limit(RETAIL, fills, Decimal("1"), 28, day(0))
    assert result.on_hand == 4
    assert result.allowed_now == 0


def test_test_limit_is_not_collected_by_pytest() -> None:
    assert rules.test_limit.__test__ is False


# ---------------------------------------------------------------------------
# earliest_date
# ---------------------------------------------------------------------------


def test_earliest_date_is_today_when_the_claim_already_passes() -> None:
    assert rules.earliest_date(RETAIL, [], Decimal("1"), 28, day(0)) == day(0)


def test_earliest_date_is_the_day_after_the_last_covered_day_at_the_latest() -> None:
    assert rules.earliest_date(RETAIL, [fill(0, 1, 28)], Decimal("1"), 28, day(3)) == day(28)


def test_earliest_date_is_none_when_the_rate_clause_fails() -> None:
    assert rules.earliest_date(RETAIL, [], Decimal("1"), 7, day(0)) is None


def test_earliest_date_is_none_when_the_quantity_alone_exceeds_the_limit() -> None:
    assert rules.earliest_date(RETAIL, [], Decimal("3"), 84, day(0)) is None


def test_earliest_date_finds_a_fractional_claim_before_the_fill_runs_out() -> None:
    # 0.5 pen fits once on hand is down to 0.5: 14 days of the 28-day fill are left on day 14.
    assert rules.earliest_date(RETAIL, [fill(0, 1, 28)], Decimal("0.5"), 14, day(1)) == day(14)


def test_earliest_date_scans_day_by_day_when_a_fill_is_dated_after_the_claim() -> None:
    # A back-dated claim on day 0: the member also has a fill on day 29.
    # On day 0 the day -13 fill leaves 15/28 on hand, too much for 0.5 more;
    # on day 1 it leaves 14/28 and the day 29 fill is still outside the window,
    # so the claim would pay.  From day 2 the day 29 fill enters the window as
    # fast as the old one leaves it; once the old one has run out, on hand
    # rises (day 16: 15/28) and only falls back to 14/28 on day 43.  On hand
    # is not monotone, and a binary search over day 0 .. day 57 would answer
    # day 43.
    fills = [fill(-13, 1, 28), fill(29, 1, 28)]
    passes = [rules.test_limit(RETAIL, fills, Decimal("0.5"), 28, day(n)).passes for n in range(58)]
    assert passes == [False] + [True] * 15 + [False] * 27 + [True] * 15
    assert rules.earliest_date(RETAIL, fills, Decimal("0.5"), 28, day(0)) == day(1)


def test_earliest_date_with_a_back_dated_claim_waits_for_the_later_fill_to_run_out() -> None:
    decision = claim(0, 1, 28, fills=[fill(10, 1, 28)])
    assert not decision.paid
    assert decision.on_hand == Fraction(18, 28)
    assert decision.earliest_date == day(38)


# ---------------------------------------------------------------------------
# decide: plain first, then the override
# ---------------------------------------------------------------------------


def test_a_claim_within_the_plain_limit_never_uses_the_override() -> None:
    decision = claim(0, 1, 28, override_limit=RETAIL_OVERRIDE)
    assert decision.paid and not decision.uses_override
    assert decision.override is None
    assert decision.applied is decision.plain


def test_the_override_is_tried_only_when_the_plain_limit_fails() -> None:
    decision = claim(0, 2, 28, override_limit=RETAIL_OVERRIDE)
    assert decision.paid and decision.uses_override
    assert not decision.plain.passes
    assert decision.override is not None and decision.override.passes
    assert decision.applied is decision.override


def test_a_paid_claim_has_no_earliest_date() -> None:
    assert claim(0, 1, 28).earliest_date is None
    assert claim(0, 4, 28, override_limit=RETAIL_OVERRIDE).earliest_date is None


def test_a_rejected_claim_reports_the_applied_limits_figures() -> None:
    decision = claim(7, 5, 28, fills=[fill(0, 1, 28)], override_limit=RETAIL_OVERRIDE)
    assert not decision.paid
    assert decision.applied is decision.override
    assert decision.on_hand == Fraction(3, 4)
    assert decision.allowed_now == 3
    assert decision.plain.allowed_now == 0


def test_the_earliest_date_is_stated_against_the_plain_limit() -> None:
    # 2 pens would fit the override on day 7 were the rate right, but the plain
    # limit (1 pen) never allows 2 pens, so there is no earliest date.
    decision = claim(7, 2, 7, fills=[fill(0, 1, 28)], override_limit=RETAIL_OVERRIDE)
    assert not decision.paid
    assert decision.earliest_date is None


# ---------------------------------------------------------------------------
# Worked cases
# ---------------------------------------------------------------------------


def test_case_1_it_pays_one_pen_for_28_days_at_retail_with_nothing_on_hand() -> None:
    decision = claim(0, 1, 28)
    assert decision.paid and not decision.uses_override


def test_case_2_it_rejects_four_pens_for_28_days_at_retail() -> None:
    decision = claim(0, 4, 28)
    assert not decision.paid
    assert decision.allowed_now == 1
    assert decision.earliest_date is None


def test_case_3_it_rejects_a_second_pen_one_week_later() -> None:
    decision = claim(7, 1, 28, fills=[fill(0, 1, 28)])
    assert not decision.paid
    assert decision.on_hand == Fraction(3, 4)
    assert decision.allowed_now == 0
    assert decision.earliest_date == day(28)


def test_case_4_it_pays_one_pen_every_28_days() -> None:
    fills: list[rules.Fill] = []
    for n in (0, 28, 56):
        decision = claim(n, 1, 28, fills=fills)
        assert decision.paid, n
        fills.append(fill(n, 1, 28))


def test_case_5_it_rejects_a_pen_one_day_early() -> None:
    decision = claim(27, 1, 28, fills=[fill(0, 1, 28)])
    assert not decision.paid
    assert decision.allowed_now == 0
    assert decision.earliest_date == day(28)


def test_case_6_it_rejects_one_pen_for_seven_days_at_retail_on_rate() -> None:
    decision = claim(0, 1, 7)
    assert not decision.paid
    assert not decision.plain.rate_ok
    assert decision.allowed_now == 1
    assert decision.earliest_date is None


def test_case_7_home_delivery_pays_three_pens_every_84_days_but_not_at_day_56() -> None:
    assert claim(0, 3, 84, limit=HOME_DELIVERY).paid
    fills = [fill(0, 3, 84)]
    early = claim(56, 3, 84, fills=fills, limit=HOME_DELIVERY)
    assert not early.paid
    assert early.on_hand == 1
    assert early.allowed_now == 2
    assert early.earliest_date == day(84)
    assert claim(84, 3, 84, fills=fills, limit=HOME_DELIVERY).paid


def test_case_8_it_rejects_three_pens_for_84_days_at_retail() -> None:
    decision = claim(0, 3, 84)
    assert not decision.paid
    assert decision.plain.rate_ok
    assert decision.allowed_now == 1
    assert decision.earliest_date is None


def test_case_9_home_delivery_pays_after_two_retail_pens_have_run_out() -> None:
    fills = [fill(0, 1, 28)]
    assert claim(28, 1, 28, fills=fills).paid
    fills.append(fill(28, 1, 28))
    assert claim(56, 3, 84, fills=fills, limit=HOME_DELIVERY).paid


def test_case_10_retail_fills_count_against_a_home_delivery_claim() -> None:
    decision = claim(1, 3, 84, fills=[fill(0, 1, 28)], limit=HOME_DELIVERY)
    assert not decision.paid
    assert decision.on_hand == Fraction(27, 28)
    assert decision.allowed_now == 2
    assert decision.earliest_date == day(28)


def test_case_11_a_used_override_counts_against_the_next_plain_claim() -> None:
    first = claim(2, 4, 28, override_limit=RETAIL_OVERRIDE)
    assert first.paid and first.uses_override
    # The grant is used up, so the next claim is tested against the plain limit only.
    second = claim(10, 1, 28, fills=[fill(2, 4, 28)])
    assert not second.paid
    assert second.override is None
    assert second.allowed_now == 0
    assert second.earliest_date == day(30)


def test_case_12_a_home_delivery_override_pays_six_pens_for_84_days() -> None:
    decision = claim(0, 6, 84, limit=HOME_DELIVERY, override_limit=HOME_DELIVERY_OVERRIDE)
    assert decision.paid and decision.uses_override


def test_case_13_it_rejects_more_than_the_override_allows() -> None:
    decision = claim(0, 5, 28, override_limit=RETAIL_OVERRIDE)
    assert not decision.paid and not decision.uses_override
    assert decision.applied is decision.override
    assert decision.allowed_now == 4
    assert decision.earliest_date is None


def test_case_14_an_override_pays_on_top_of_a_plain_fill_still_on_hand() -> None:
    decision = claim(7, 3, 21, fills=[fill(0, 1, 28)], override_limit=RETAIL_OVERRIDE)
    assert decision.paid and decision.uses_override
    assert decision.on_hand == Fraction(3, 4)


def test_case_15_an_override_is_not_used_when_the_plain_limit_suffices() -> None:
    decision = claim(0, 1, 28, override_limit=RETAIL_OVERRIDE)
    assert decision.paid and not decision.uses_override


# ---------------------------------------------------------------------------
# Input validation
# ---------------------------------------------------------------------------


def test_it_refuses_float_quantities() -> None:
    with pytest.raises(TypeError):
        rules.decide(quantity=0.4, days_supply=28, on=day(0), fills=[], limit=RETAIL)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        rules.Limit(1.0, 28)  # type: ignore[arg-type]


def test_it_refuses_a_days_supply_below_one() -> None:
    with pytest.raises(ValueError):
        claim(0, 1, 0)
    with pytest.raises(ValueError):
        fill(0, 1, 0)
    with pytest.raises(ValueError):
        rules.Limit(Decimal("1"), 0)


def test_it_refuses_a_non_positive_claim_quantity() -> None:
    with pytest.raises(ValueError):
        claim(0, 0, 28)


def test_it_refuses_a_datetime_for_a_date() -> None:
    with pytest.raises(TypeError):
        rules.decide(
            quantity=Decimal("1"),
            days_supply=28,
            on=datetime(2026, 1, 5, 12, 0),
            fills=[],
            limit=RETAIL,
        )


# ---------------------------------------------------------------------------
# Wording
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "unit", "expected"),
    [
        (Decimal("1"), "pen", "1 pen"),
        (Decimal("3"), "pen", "3 pens"),
        (Decimal("0"), "pen", "0 pens"),
        (Decimal("1.5"), "pen", "1.5 pens"),
        (Decimal("0.4"), "mL", "0.4 mL"),
        (Decimal("2"), "mL", "2 mL"),
        (Decimal("1.00"), "pen", "1 pen"),
        (Decimal("1E+1"), "pen", "10 pens"),
        (Fraction(3, 4), "pen", "0.75 pen"),
        (Fraction(27, 28), "pen", "0.96 pen"),
        (Fraction(20, 7), "pen", "2.86 pens"),
        (Fraction(1, 8), "mL", "0.125 mL"),
        (2, "syringe", "2 syringes"),
        (2, "pre-filled pen", "2 pre-filled pen"),
    ],
)
def test_describe_quantity(quantity: Decimal | Fraction | int, unit: str, expected: str) -> None:
    assert rules.describe_quantity(quantity, unit) == expected


def test_describe_limit() -> None:
    assert rules.describe_limit(RETAIL, "pen", "retail") == "1 pen per 28 days at retail"
    assert (
        rules.describe_limit(HOME_DELIVERY, "pen", "home delivery")
        == "3 pens per 84 days at home delivery"
    )
    assert (
        rules.describe_limit(rules.Limit(Decimal("0.4"), 1), "mL", "retail")
        == "0.4 mL per day at retail"
    )


def test_reject_message_for_a_pen_still_on_hand() -> None:
    decision = claim(7, 1, 28, fills=[fill(0, 1, 28)])
    message = rules.reject_message(
        decision, unit="pen", channel_label="retail", quantity=Decimal("1"), days_supply=28
    )
    assert message == (
        "Plan limit exceeded: 1 pen per 28 days at retail. "
        "0.75 pen still on hand from the fill of 2026-01-05 (1 pen for 28 days). "
        "Allowed now: 0 pens. "
        "Earliest date this claim would pay: 2026-02-02. "
        "An override can be requested from the plan."
    )
    assert "\n" not in message


def test_reject_message_names_the_rate_clause() -> None:
    decision = claim(0, 4, 28)
    message = rules.reject_message(
        decision, unit="pen", channel_label="retail", quantity=Decimal("4"), days_supply=28
    )
    assert "Plan limit exceeded: 1 pen per 28 days at retail." in message
    assert "4 pens for 28 days is more than 1 pen per 28 days at retail." in message
    assert "Allowed now: 1 pen." in message
    assert "This quantity exceeds the limit on any date." in message
    assert "still on hand" not in message


def test_reject_message_when_the_quantity_alone_is_more_than_may_be_on_hand() -> None:
    decision = claim(0, 3, 84)
    message = rules.reject_message(
        decision, unit="pen", channel_label="retail", quantity=Decimal("3"), days_supply=84
    )
    assert "3 pens is more than the 1 pen that may be on hand at one time." in message
    assert "This quantity exceeds the limit on any date." in message


def test_reject_message_names_the_override_limit_when_it_applied() -> None:
    decision = claim(7, 5, 28, fills=[fill(0, 1, 28)], override_limit=RETAIL_OVERRIDE)
    message = rules.reject_message(
        decision, unit="pen", channel_label="retail", quantity=Decimal("5"), days_supply=28
    )
    assert message.startswith("Override limit exceeded: 4 pens per 28 days at retail")
    assert "plan limit: 1 pen per 28 days at retail" in message
    assert "5 pens for 28 days is more than 4 pens per 28 days at retail." in message
    assert "0.75 pen still on hand from the fill of 2026-01-05" in message
    assert "Allowed now: 3 pens." in message
    assert "This quantity exceeds the limit on any date." in message
    assert "An override can be requested" not in message


def test_reject_message_lists_every_fill_on_hand() -> None:
    fills = [fill(0, 1, 28), fill(20, "0.5", 14)]
    decision = claim(21, 3, 84, fills=fills, limit=HOME_DELIVERY)
    message = rules.reject_message(
        decision, unit="pen", channel_label="home delivery", quantity=Decimal("3"), days_supply=84
    )
    # Day 21, window days 21..104: 7/28 of the first fill, 13/14 of the 0.5 pen.
    assert "0.71 pen still on hand from the fills of" in message  # 5/7 pen
    assert "2026-01-05 (1 pen for 28 days, 0.25 pen of it on hand)" in message
    assert "2026-01-25 (0.5 pen for 14 days, 0.46 pen of it on hand)" in message
    assert "Allowed now: 2 pens." in message
    assert "Earliest date this claim would pay: 2026-02-08." in message


def test_reject_message_shows_fractional_millilitres() -> None:
    limit = rules.Limit(Decimal("0.4"), 28)
    decision = claim(7, "0.4", 28, fills=[fill(0, "0.4", 28)], limit=limit)
    message = rules.reject_message(
        decision, unit="mL", channel_label="retail", quantity=Decimal("0.4"), days_supply=28
    )
    assert "0.4 mL per 28 days at retail" in message
    assert "0.3 mL still on hand from the fill of 2026-01-05 (0.4 mL for 28 days)." in message
    assert "Allowed now: 0 mL." in message
    assert "Earliest date this claim would pay: 2026-02-02." in message


def test_reject_message_refuses_a_paid_decision() -> None:
    with pytest.raises(ValueError):
        rules.reject_message(
            claim(0, 1, 28),
            unit="pen",
            channel_label="retail",
            quantity=Decimal("1"),
            days_supply=28,
        )
