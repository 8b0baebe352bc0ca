"""The reporting figures (docs/domain.md §11), asserted exactly on a known week.

tests/support/metrics.py builds the week and says, request by request, what happened;
each expected figure below is worked out from that list by hand.
"""

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from priorauth import selectors
from priorauth.selectors.metrics_values import AppealClock, for_display, percentile_ranks
from tests.support.metrics import END, MEDICARE_CODE, NOW, START, build_week, local

pytestmark = pytest.mark.django_db

KESIMPTA = "cigna-ms-kesimpta-dqm"


@pytest.fixture
def week(kesimpta, intake, pharmacist, pharmacist2, physician):
    return build_week(
        intake=intake, pharmacist=pharmacist, pharmacist2=pharmacist2, physician=physician
    )


@pytest.fixture
def report(week):
    return selectors.metrics_report(start=START, end=END, now=NOW)


def _d(*values):
    return tuple(None if v is None else Decimal(v) for v in values)


def _counts(figures):
    return (
        figures.received,
        figures.approved,
        figures.denied,
        figures.withdrawn,
        figures.still_open,
        figures.approved_on_appeal,
        figures.automatic,
        figures.decided,
        figures.decided_late,
        figures.open_past_due,
        figures.open_due_soon,
    )


def _percentages(figures):
    return (
        figures.approved_percent,
        figures.denied_percent,
        figures.withdrawn_percent,
        figures.still_open_percent,
        figures.approved_on_appeal_percent,
        figures.automatic_percent,
    )


def _hours(figures):
    return (figures.hours_mean, figures.hours_median, figures.hours_p90)


def test_overall_figures_of_the_week(report):
    overall = report.overall
    assert (overall.grouping, overall.group) == ("overall", "all")
    assert _counts(overall) == (9, 3, 2, 1, 3, 1, 1, 5, 1, 2, 1)
    assert _percentages(overall) == _d("33.3", "22.2", "11.1", "33.3", "11.1", "11.1")
    # Hours to decision 0, 2, 6, 24, 96: an odd count, the median is the middle one and
    # the 90th percentile lies 0.6 of the way from 24 to 96.
    assert _hours(overall) == _d("25.6", "6.0", "67.2")
    assert overall.exact.hours == {
        "mean": Fraction(128, 5),
        "median": Fraction(6),
        "p90": Fraction(336, 5),
    }


def test_the_four_outcomes_add_up_to_exactly_100_percent_even_where_the_display_does_not(report):
    for figures in report.groups():
        exact = figures.exact.percent
        parts = ("approved", "denied", "withdrawn", "still_open")
        assert sum(exact[p] for p in parts) == 100, figures.group
    expedited = report.by_urgency[0]
    assert expedited.group == "expedited"
    assert sum(_percentages(expedited)[:4]) == Decimal("99.9")


def test_figures_per_urgency(report):
    expedited, standard = report.by_urgency
    assert (expedited.group, standard.group) == ("expedited", "standard")
    assert _counts(standard) == (6, 3, 1, 0, 2, 1, 1, 4, 1, 1, 1)
    assert _percentages(standard) == _d("50.0", "16.7", "0.0", "33.3", "16.7", "16.7")
    # 0, 2, 24, 96: an even count, the median halfway between 2 and 24.
    assert _hours(standard) == _d("30.5", "13.0", "74.4")
    assert _counts(expedited) == (3, 0, 1, 1, 1, 0, 0, 1, 0, 1, 0)
    assert _percentages(expedited) == _d("0.0", "33.3", "33.3", "33.3", "0.0", "0.0")
    assert _hours(expedited) == _d("6.0", "6.0", "6.0")


def test_figures_per_policy_code(report):
    kesimpta, medicare = report.by_policy
    assert (kesimpta.group, medicare.group) == (KESIMPTA, MEDICARE_CODE)
    assert _counts(kesimpta) == (8, 2, 2, 1, 3, 1, 1, 4, 1, 2, 1)
    assert _percentages(kesimpta) == _d("25.0", "25.0", "12.5", "37.5", "12.5", "12.5")
    assert _hours(kesimpta) == _d("31.5", "15.0", "74.4")
    assert _counts(medicare) == (1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0)
    assert _percentages(medicare) == _d("100.0", "0.0", "0.0", "0.0", "0.0", "0.0")
    assert _hours(medicare) == _d("2.0", "2.0", "2.0")


def test_figures_per_line_of_business_are_the_members(report):
    commercial, medicare = report.by_line_of_business
    assert (commercial.group, medicare.group) == ("commercial", "medicare")
    by_policy = {f.group: f for f in report.by_policy}
    # In this week each line of business has its own policy, so the figures agree.
    assert _counts(commercial) == _counts(by_policy[KESIMPTA])
    assert _hours(medicare) == _hours(by_policy[MEDICARE_CODE])


def test_open_appeals_past_due_and_due_within_24_hours_now(report):
    assert report.appeals == AppealClock(open=2, past_due=1, due_soon=1)


def test_the_clocks_are_as_of_now_whatever_the_range(week):
    # A month before the week: nothing received, but the open requests' clocks run now.
    quiet = selectors.metrics_report(start=date(2026, 10, 1), end=date(2026, 10, 7), now=NOW)
    assert _counts(quiet.overall) == (0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 1)


def test_an_empty_range_gives_zeros_and_no_percentages_or_hours(db):
    report = selectors.metrics_report(start=START, end=END, now=NOW)
    assert _counts(report.overall) == (0,) * 11
    assert _percentages(report.overall) == (None,) * 6
    assert _hours(report.overall) == (None, None, None)
    assert (report.by_urgency, report.by_policy, report.by_line_of_business) == ((), (), ())
    assert report.appeals == AppealClock(open=0, past_due=0, due_soon=0)


def test_the_range_is_of_local_dates_in_the_plans_zone(week):
    # O1 came in at 23:30 on Sunday 1 November, New York time (04:30 UTC on the 2nd):
    # it is Sunday's, not Monday's; R9 at 23:59 on Sunday 8th is the range's last.
    sunday = selectors.metrics_report(start=START - timedelta(days=1), end=START - timedelta(1))
    assert sunday.overall.received == 1
    last = selectors.metrics_report(start=END, end=END, now=NOW)
    assert last.overall.received == 1


def test_daily_volume_by_outcome_lists_every_day_of_the_range(week):
    days = selectors.daily_volume(start=START, end=END)
    assert [(d.day, d.approved, d.denied, d.withdrawn, d.still_open) for d in days] == [
        (date(2026, 11, 2), 1, 1, 0, 0),
        (date(2026, 11, 3), 0, 1, 0, 0),
        (date(2026, 11, 4), 1, 0, 1, 0),
        (date(2026, 11, 5), 1, 0, 0, 0),
        (date(2026, 11, 6), 0, 0, 0, 1),
        (date(2026, 11, 7), 0, 0, 0, 1),
        (date(2026, 11, 8), 0, 0, 0, 1),
    ]


def test_decision_rows_in_receipt_order_with_no_member_data(week):
    rows = list(selectors.decision_rows(start=START, end=END))
    names = {r.pk: name for name, r in week.requests.items()}
    assert [names[row.request_id] for row in rows] == [
        "R1", "R2", "R3", "R5", "R4", "R6", "R8", "R7", "R9",
    ]  # fmt: skip
    r2 = rows[1]
    assert (r2.received_at, r2.decided_at) == (local(0, 10), local(4, 10))
    assert r2.received_at.utcoffset() == timedelta(hours=-5)  # shown in the plan's zone
    assert (r2.outcome, r2.hours_to_decision, r2.decided_late, r2.automatic, r2.appeal) == (
        "denied",
        96,
        True,
        False,
        "overturn",
    )
    r4 = rows[4]
    assert (r4.outcome, r4.hours_to_decision, r4.decided_late, r4.automatic) == (
        "approved",
        0,
        False,
        True,
    )
    assert rows[2].appeal == "uphold"
    assert (rows[5].policy_code, rows[5].line_of_business) == (MEDICARE_CODE, "medicare")
    r9 = rows[-1]
    assert (r9.outcome, r9.decided_at, r9.hours_to_decision, r9.decided_late, r9.appeal) == (
        "pending",
        None,
        None,
        None,
        "",
    )
    assert not any(hasattr(row, name) for row in rows for name in ("member", "member_id"))


def test_rows_agree_with_the_figures(week, report):
    rows = list(selectors.decision_rows(start=START, end=END))
    assert len(rows) == report.overall.received
    decided = [row.hours_to_decision for row in rows if row.hours_to_decision is not None]
    assert sum(decided) / len(decided) == report.overall.exact.hours["mean"]
    assert sum(1 for row in rows if row.decided_late) == report.overall.decided_late


def _queries(start, end):
    with CaptureQueriesContext(connection) as captured:
        selectors.metrics_report(start=start, end=end, now=NOW)
        selectors.daily_volume(start=start, end=end)
    return len(captured.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_volume(kesimpta, pharmacist):
    from tests.support import factories

    policy = kesimpta
    factories.open_requests(5, policy=policy, prefix="A")
    five = _queries(date(2000, 1, 1), date(2100, 1, 1))
    factories.open_requests(45, policy=policy, prefix="B")
    fifty = _queries(date(2000, 1, 1), date(2100, 1, 1))
    # 4 groupings x (counts + ranks), the appeals' clock, the daily volume.
    assert five == fifty == 10


@pytest.mark.parametrize(
    ("size", "fraction", "ranks"),
    [
        (1, Fraction(1, 2), (1, 1)),
        (4, Fraction(1, 2), (2, 3)),
        (5, Fraction(1, 2), (3, 3)),
        (5, Fraction(9, 10), (4, 5)),
        (11, Fraction(9, 10), (10, 10)),
    ],
)
def test_percentile_ranks_are_the_closest_ranks_percentile_cont_uses(size, fraction, ranks):
    assert percentile_ranks(size, fraction) == ranks


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Fraction(1, 4), "0.2"),
        (Fraction(3, 4), "0.8"),
        (Fraction(100, 3), "33.3"),
        (Fraction(200, 3), "66.7"),
        (Fraction(5, 100), "0.0"),
        (Fraction(15, 100), "0.2"),
        (None, None),
    ],
)
def test_display_rounds_half_to_even_to_one_place(value, shown):
    assert for_display(value) == (None if shown is None else Decimal(shown))
