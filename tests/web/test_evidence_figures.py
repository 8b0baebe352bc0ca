"""The case page's figures say what they are ("supply falling in the next 28 days", "days
since last fill"), and its timeline has a y-axis in the product's unit, the limit line
drawn over the data, and no ramp from zero before the first fill."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from priorauth import services
from tests.support import factories
from tests.support.steps import KESIMPTA_NDC

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_pens_two_days_ago(kesimpta, client, pharmacist):
    """The report's member: 3 pens for 84 days by home delivery, two days ago."""
    factories.member("M1")
    filled_on = timezone.localdate() - timedelta(days=2)
    services.claim_adjudicate(
        member_id="M1",
        ndc=KESIMPTA_NDC,
        quantity=3,
        days_supply=84,
        channel="home_delivery",
        date_of_service=filled_on,
    )
    case = factories.kesimpta_request("M1")  # retail: the 28-day window
    client.force_login(pharmacist)
    return client.get(f"/requests/{case.pk}/").content.decode(), filled_on


def figure(page: str, name: str) -> str:
    found = re.search(
        rf'<dt>([^<]*)</dt><dd class="figure" data-figure="{name}">([^<]*)</dd>', page
    )
    assert found, f"no figure {name}"
    return f"{found.group(1)}: {found.group(2)}"


def test_the_figures_are_named_for_what_they_are(three_pens_two_days_ago):
    page, filled_on = three_pens_two_days_ago
    # 28 of the fill's 84 days fall in the next 28: 3 * 28 / 84 = 1 pen, not what is held.
    assert figure(page, "supply-in-window") == "Supply falling in the next 28 days: 1 pen"
    assert figure(page, "days-since-last-fill") == "Days since last fill: 2"
    assert "On hand today" not in page
    assert f"Days since last fill: 2 (paid on {filled_on}: 3 pens for 84 days)." in page


def svg_of(page: str) -> str:
    return re.search(r"<svg.*?</svg>", page, re.S).group(0)


def test_the_chart_has_a_y_axis_labelled_in_the_products_unit(three_pens_two_days_ago):
    svg = svg_of(three_pens_two_days_ago[0])
    assert re.search(r'<text class="axis-label"[^>]*data-axis="y">pens</text>', svg)
    labels = re.findall(r'text-anchor="end">([0-9.]+)</text>', svg)
    assert labels[0] == "0" and len(labels) >= 3  # a scale, from zero


def test_the_limit_line_is_drawn_after_the_data_line(three_pens_two_days_ago):
    svg = svg_of(three_pens_two_days_ago[0])
    assert svg.index('class="supply"') < svg.index('class="limit-line"')
    assert "limit: 1 pen per 28 days" in three_pens_two_days_ago[0]  # the legend


def test_the_line_starts_at_the_first_fill_not_with_a_ramp_from_zero(
    three_pens_two_days_ago, settings
):
    page, _ = three_pens_two_days_ago
    svg = svg_of(page)
    points = re.search(r'<polyline points="([^"]+)" class="supply"', svg).group(1).split()
    xs = [float(p.split(",")[0]) for p in points]
    ys = [float(p.split(",")[1]) for p in points]
    bottom = float(
        re.search(r'<line x1="[\d.]+" x2="[\d.]+" y1="([\d.]+)" y2="\1" class="axis"', svg).group(1)
    )
    # Two days of the look-back before today: the line covers the fill's day onwards only.
    assert len(points) == 2 + 28 + 1
    assert ys[0] < bottom  # its first value is the fill's, not zero
    today_x = float(re.search(r'<line x1="([\d.]+)" x2="\1"[^>]*class="today-line"', svg).group(1))
    assert xs[0] < today_x and xs[2] == today_x


def test_no_fill_no_line(kesimpta, client, pharmacist):
    factories.member("M2")
    case = factories.kesimpta_request("M2")
    client.force_login(pharmacist)
    page = client.get(f"/requests/{case.pk}/").content.decode()
    assert 'class="supply"' not in svg_of(page)
    assert "No paid fill in the look-back: no line." in page
    assert figure(page, "days-since-last-fill") == "Days since last fill: none in 180 days"
