"""The dashboard's chart geometry (priorauth/charts.py): counts in, shapes out, exactly."""

from decimal import Decimal

import pytest

from priorauth import charts
from priorauth.charts import BOTTOM, HEIGHT, LEFT, RIGHT, TOP, WIDTH, nice_step, stacked_bars

BASELINE = Decimal(HEIGHT - BOTTOM)
PLOT_HEIGHT = HEIGHT - BOTTOM - TOP  # 196


@pytest.mark.parametrize(
    ("top", "step"),
    [(0, 1), (1, 1), (5, 1), (6, 2), (10, 2), (11, 5), (25, 5), (26, 10), (51, 20), (999, 200)],
)
def test_the_scale_steps_are_1_2_5_times_a_power_of_ten_in_at_most_five_steps(top, step):
    assert nice_step(top) == step
    assert step * charts.MAX_TICKS >= top


def test_bars_stack_in_series_order_from_the_baseline_to_their_total():
    shapes = stacked_bars(
        ["Mon", "Tue"], ["approved", "denied"], [{"approved": 3, "denied": 1}, {"denied": 2}]
    )
    # Tallest 4: steps of 1, the scale 0 to 4, 49 units per request.
    assert shapes.scale_top == 4
    assert [(t.value, t.y) for t in shapes.ticks] == [
        (0, Decimal("212.0")),
        (1, Decimal("163.0")),
        (2, Decimal("114.0")),
        (3, Decimal("65.0")),
        (4, Decimal("16.0")),
    ]
    approved, denied, tuesday = shapes.bars
    assert (approved.series, approved.count, approved.y, approved.height) == (
        "approved",
        3,
        Decimal("65.0"),
        Decimal("147.0"),
    )
    assert approved.y + approved.height == BASELINE
    assert denied.y + denied.height == approved.y  # on top of the approved part
    assert denied.y == Decimal(TOP)  # the tallest bar reaches the top tick
    assert (tuesday.category, tuesday.series, tuesday.height) == ("Tue", "denied", Decimal("98.0"))
    # Two slots of 326 units; a bar is 7/10 of its slot, centred in it.
    assert approved.width == Decimal("228.2")
    assert approved.x == Decimal(LEFT) + Decimal("48.9")
    assert tuesday.x == approved.x + 326
    assert [label.x for label in shapes.labels] == [Decimal("219.0"), Decimal("545.0")]
    assert shapes.right == WIDTH - RIGHT


def test_a_zero_count_draws_no_bar_and_an_empty_chart_still_has_a_scale():
    shapes = stacked_bars(["Mon"], ["approved", "denied"], [{"approved": 0, "denied": 0}])
    assert shapes.bars == ()
    assert shapes.scale_top == 1
    assert [t.value for t in shapes.ticks] == [0, 1]


def test_a_long_range_labels_every_nth_category_only():
    days = [f"d{n}" for n in range(365)]
    shapes = stacked_bars(days, ["approved"], [{"approved": 1}] * 365)
    assert len(shapes.bars) == 365
    assert len(shapes.labels) <= charts.MAX_CATEGORY_LABELS
    assert [label.text for label in shapes.labels[:2]] == ["d0", "d31"]


def test_markers_sit_on_the_boundary_between_categories():
    shapes = stacked_bars(
        ["≤ 24 h", "24 to 72 h", "> 72 h"],
        ["standard"],
        [{"standard": 1}] * 3,
        markers={1: "Expedited clock 24 h", 2: "Standard clock 72 h"},
    )
    # Three slots of 652/3 units from x = 56.
    assert [(m.text, m.x) for m in shapes.markers] == [
        ("Expedited clock 24 h", Decimal("273.3")),
        ("Standard clock 72 h", Decimal("490.7")),
    ]


def test_counts_must_match_the_categories():
    with pytest.raises(ValueError, match="one mapping of counts per category"):
        stacked_bars(["Mon", "Tue"], ["approved"], [{"approved": 1}])


def test_every_coordinate_fits_the_drawing():
    shapes = stacked_bars(["a", "b", "c"], ["x", "y"], [{"x": 7, "y": 5}, {"x": 1}, {"y": 13}])
    for bar in shapes.bars:
        assert bar.x >= LEFT and bar.x + bar.width <= WIDTH - RIGHT
        assert bar.y >= TOP and bar.y + bar.height <= BASELINE
    assert PLOT_HEIGHT == BASELINE - TOP
