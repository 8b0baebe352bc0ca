"""The dashboard's charts as shapes: counts in, rectangles, ticks and labels out (ADR 0014).

Pure: no database, no template. The template draws what this returns as inline SVG
(priorauth/_bar_chart.html), so the geometry is tested here as numbers. Positions are
worked out as Fractions and given as Decimals with one decimal place (half-even, the same
rounding as the figures), so a bar's top and the tick of the same value meet exactly.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from priorauth.selectors.metrics_values import for_display

# The drawing's box (SVG user units) and the margins that hold the axes' labels.
WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 16, 48
BAR_SHARE = Fraction(7, 10)  # of each category's slot; the rest is the gap between bars
MAX_TICKS = 5
MAX_CATEGORY_LABELS = 12  # beyond this, every n-th category is labelled (a year has 365)


def _at(value: Fraction) -> Decimal:
    return for_display(value)


@dataclass(frozen=True)
class Bar:
    series: str  # also its CSS class: bar-<series>
    category: str
    count: int
    x: Decimal
    y: Decimal
    width: Decimal
    height: Decimal


@dataclass(frozen=True)
class Tick:
    value: int
    y: Decimal


@dataclass(frozen=True)
class CategoryLabel:
    text: str
    x: Decimal  # the middle of the category's slot


@dataclass(frozen=True)
class Marker:
    """A vertical line between two categories, e.g. a clock among the hours' buckets."""

    text: str
    x: Decimal


@dataclass(frozen=True)
class StackedBars:
    width: int
    height: int
    left: int
    top: int
    right: Decimal  # the plot's right edge
    bottom: Decimal  # the plot's baseline
    scale_top: int
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    labels: tuple[CategoryLabel, ...]
    markers: tuple[Marker, ...]
    label_y: Decimal  # where the category labels' baseline is
    axis_title_x: Decimal  # the middle of the plot, under the category labels
    axis_title_y: Decimal


def nice_step(top: int, max_ticks: int = MAX_TICKS) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50 ... that counts from 0 past `top` in at most
    `max_ticks` steps: whole numbers, since the charts count requests."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if step * max_ticks >= top:
                return step
        magnitude *= 10


def stacked_bars(
    categories: Sequence[str],
    series: Sequence[str],
    counts: Sequence[Mapping[str, int]],
    *,
    markers: Mapping[int, str] | None = None,
) -> StackedBars:
    """One bar per category, its series stacked in the order given (the first at the
    bottom). `counts[i][s]` is category i's count of series s. `markers` maps a boundary
    (0 = before the first category, len = after the last) to its text."""
    if len(counts) != len(categories):
        raise ValueError("one mapping of counts per category")
    bottom = Fraction(HEIGHT - BOTTOM)
    plot_height = bottom - TOP
    right = Fraction(WIDTH - RIGHT)
    slot = (right - LEFT) / max(len(categories), 1)
    tallest = max((sum(c.get(s, 0) for s in series) for c in counts), default=0)
    step = nice_step(tallest)
    scale_top = step * max(-(-tallest // step), 1)  # at least one step, so 0 has a scale

    def y_of(value: int) -> Fraction:
        return bottom - plot_height * value / scale_top

    bars = []
    for index, (category, counted) in enumerate(zip(categories, counts, strict=True)):
        x = LEFT + slot * index + slot * (1 - BAR_SHARE) / 2
        below = 0
        for name in series:
            count = counted.get(name, 0)
            if count:
                top = y_of(below + count)
                bars.append(
                    Bar(
                        series=name,
                        category=category,
                        count=count,
                        x=_at(x),
                        y=_at(top),
                        width=_at(slot * BAR_SHARE),
                        height=_at(y_of(below) - top),
                    )
                )
            below += count
    every = -(-len(categories) // MAX_CATEGORY_LABELS) or 1
    labels = tuple(
        CategoryLabel(text=text, x=_at(LEFT + slot * index + slot / 2))
        for index, text in enumerate(categories)
        if index % every == 0
    )
    return StackedBars(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        top=TOP,
        right=_at(right),
        bottom=_at(bottom),
        scale_top=scale_top,
        bars=tuple(bars),
        ticks=tuple(Tick(value=v, y=_at(y_of(v))) for v in range(0, scale_top + 1, step)),
        labels=labels,
        markers=tuple(
            Marker(text=text, x=_at(LEFT + slot * boundary))
            for boundary, text in sorted((markers or {}).items())
        ),
        label_y=_at(bottom + 16),
        axis_title_x=_at((LEFT + right) / 2),
        axis_title_y=_at(bottom + 36),
    )
