"""Reading the quantities a criterion's text states (policies.change_warnings), so a grant
that no longer matches them is warned of, and a text without them never is."""

from decimal import Decimal

import pytest

from policies.change_warnings import StatedGrant, grant_text_mismatches, stated_grants
from policies.files import read_policy_file
from tests.support.paths import EMGALITY_FILE, HUMIRA_FILE, KESIMPTA_FILE


def test_two_grants_in_one_sentence_each_with_its_days_and_channel():
    text = (
        "approve a one-time override of 4 pens as a 28-day supply at retail or 6 pens as "
        "an 84-day supply at home delivery."
    )
    assert stated_grants(text, ["pen"]) == [
        StatedGrant(Decimal(4), "pens", 28, "retail"),
        StatedGrant(Decimal(6), "pens", 84, "home_delivery"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("approve 6 pens per 28 days at retail", [(Decimal(6), 28, "retail")]),
        ("2 pens or syringes as a 30-day supply at retail", [(Decimal(2), 30, "retail")]),
        ("approve four pens per 28 days by mail order", [(Decimal(4), 28, "home_delivery")]),
        ("approve 1.5 mL per 30 days at retail", [(Decimal("1.5"), 30, "retail")]),
        ("approve 3 Tablets per 30 calendar days at Retail", [(Decimal(3), 30, "retail")]),
        ("approve 2 pens per month", [(Decimal(2), None, None)]),
    ],
)
def test_the_ways_a_policy_writes_a_quantity(text, expected):
    found = [(s.quantity, s.days, s.channel) for s in stated_grants(text, ["pen", "mL"])]
    assert found == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "If the patient is initiating treatment, approve an override.",
        # Doses and days of a regimen are not a grant: no unit word next to the numbers.
        "requires induction dosing (160 mg on day 1 and 80 mg on day 15)",
        "Weeks 0, 1, 2, and 4 doses at retail",
    ],
)
def test_a_text_without_a_stated_quantity_states_nothing(text):
    assert stated_grants(text, ["pen"]) == []
    grants = {"retail": (Decimal(9), 99)}
    assert grant_text_mismatches(number=1, text=text, grants=grants, units=["pen"]) == []


def test_a_quantity_without_a_channel_agrees_with_any_grant_that_has_it():
    grants = {"retail": (Decimal(4), 28), "home_delivery": (Decimal(6), 84)}
    assert grant_text_mismatches(number=2, text="approve 6 pens", grants=grants) == []
    assert grant_text_mismatches(number=2, text="approve 5 pens", grants=grants) == [
        "Criterion 2's text says 5 pens, but its grant is 4 per 28 days at retail and "
        "6 per 84 days at home delivery. Check the grant, or update the text."
    ]


@pytest.mark.parametrize("path", [KESIMPTA_FILE, EMGALITY_FILE, HUMIRA_FILE])
def test_the_shipped_policies_texts_agree_with_their_grants(path):
    policy = read_policy_file(path)
    units = [product["unit"] for product in policy["products"]]
    for criterion in policy["criteria"]:
        grants = {
            g["channel"]: (Decimal(str(g["max_quantity"])), g["per_days"])
            for g in criterion["grants"]
        }
        text, number = criterion["text"], criterion["number"]
        assert stated_grants(text, units), number  # they do state them
        assert grant_text_mismatches(number=number, text=text, grants=grants, units=units) == []
