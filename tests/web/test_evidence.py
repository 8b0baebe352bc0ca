"""Unit tests for ``priorauth.evidence.assess``: the wording follows the policy given.

Plain objects in, no database: these tests carry no ``django_db`` mark, so any ORM
query inside ``evidence`` would fail them.  Two policies are used side by side, a
Kesimpta-like pen policy (1 pen per 28 days at retail) and a tablet policy with a
90-day limit and criteria of its own; the same claims history must read differently
under each.  Today is 2026-06-15 (no date in these histories contains "28").
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
import yaml

from policies import rules
from priorauth import evidence
from priorauth.models import ClaimStatus, RejectCode
from tests.support.paths import POLICY_DATA

TODAY = date(2026, 6, 15)
HISTORY_DAYS = 180

PEN = dict(
    limit=rules.Limit(Decimal("1"), 28),
    policy_per_days=[28, 84],
    criteria=[(1, "Initiating treatment or additional induction dosing")],
    unit="pen",
)
TABLET = dict(
    limit=rules.Limit(Decimal("90"), 90),
    policy_per_days=[90, 270],
    criteria=[(1, "New start after hospital discharge"), (2, "Dose titration")],
    unit="tablet",
)
TABLET_SEE = (
    " See criterion 1, “New start after hospital discharge”, and criterion 2, “Dose titration”."
)
PEN_SEE = " See criterion 1, “Initiating treatment or additional induction dosing”."


@dataclass(frozen=True)
class Claim:
    pk: int
    date_of_service: date
    quantity: Decimal
    days_supply: int
    status: ClaimStatus
    reject_code: str = ""


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def paid(pk: int, days_ago: int, quantity="30", days_supply=30) -> Claim:
    return Claim(pk, ago(days_ago), Decimal(quantity), days_supply, ClaimStatus.PAID)


def rejected(pk: int, days_ago: int) -> Claim:
    return Claim(
        pk,
        ago(days_ago),
        Decimal("30"),
        30,
        ClaimStatus.REJECTED,
        RejectCode.PLAN_LIMITATIONS_EXCEEDED,
    )


def reversed_(pk: int, days_ago: int) -> Claim:
    return Claim(pk, ago(days_ago), Decimal("30"), 30, ClaimStatus.REVERSED)


def assess(claims, policy, **overrides):
    values = dict(policy, claims=claims, today=TODAY, history_days=HISTORY_DAYS)
    values.update(overrides)
    return evidence.assess(**values)


def test_assess_takes_keywords_only():
    with pytest.raises(TypeError):
        evidence.assess([], PEN["limit"], [28], [], "pen", TODAY, HISTORY_DAYS)  # type: ignore[misc]


def test_no_fills_reads_as_new_to_therapy_and_names_the_pen_criterion():
    result = assess([], PEN)
    assert result.findings == [
        f"No paid fills in the last 180 days: the member appears new to this therapy.{PEN_SEE}",
        "Supply falling in the next 28 days, from fills already paid: 0 pens "
        "(limit 1 pen per 28 days).",
    ]


def test_no_fills_under_the_tablet_policy_names_its_criteria_its_unit_and_its_window():
    result = assess([], TABLET, history_days=120)
    assert result.findings == [
        f"No paid fills in the last 120 days: the member appears new to this therapy.{TABLET_SEE}",
        "Supply falling in the next 90 days, from fills already paid: 0 tablets "
        "(limit 90 tablets per 90 days).",
    ]


def test_the_same_history_reads_by_each_policy_s_limit():
    claims = [paid(1, 60, quantity="30", days_supply=30)]

    pen = assess(claims, PEN).findings
    assert pen[0] == (
        f"1 paid fill since {ago(60)}, the last 60 days ago: "
        f"the member appears established on this therapy.{PEN_SEE}"
    )

    tablet = assess(claims, TABLET).findings
    assert tablet[0] == (
        f"First paid fill 60 days ago ({ago(60)}): within the first 90 days of therapy, "
        f"so the member appears to be starting it.{TABLET_SEE}"
    )
    # 30 tablets filled 60 days ago for 30 days: none left in today's 90-day window.
    assert tablet[1] == (
        "Supply falling in the next 90 days, from fills already paid: 0 tablets "
        "(limit 90 tablets per 90 days)."
    )
    assert tablet[2] == f"Days since last fill: 60 (paid on {ago(60)}: 30 tablets for 30 days)."
    text = " ".join(tablet)
    assert "28" not in text
    assert "induction" not in text.lower()
    assert not re.search(r"\bpens?\b", text)


def test_the_tablet_policy_s_findings_never_borrow_the_pen_policy_s_words():
    claims = [
        paid(1, 40, quantity="90", days_supply=90),
        rejected(2, 10),
        rejected(3, 45),
        reversed_(4, 20),
    ]
    result = assess(claims, TABLET)
    assert result.findings == [
        f"First paid fill 40 days ago ({ago(40)}): within the first 90 days of therapy, "
        f"so the member appears to be starting it.{TABLET_SEE}",
        "Supply falling in the next 90 days, from fills already paid: 50 tablets "
        "(limit 90 tablets per 90 days).",
        f"Days since last fill: 40 (paid on {ago(40)}: 90 tablets for 90 days).",
        f"2 claims rejected for the limit (code 76) in the last 90 days, most recently on "
        f"{ago(10)}.",
        "1 reversed claim.",
    ]
    text = " ".join(result.findings)
    assert "28" not in text and "30 days" not in text
    assert "induction" not in text.lower()
    assert result.timeline is not None
    assert result.timeline.summary.startswith("Supply falling in each 90-day window")
    assert result.timeline.end == TODAY + timedelta(days=90)


def test_recent_rejects_are_counted_in_the_limit_s_window():
    claims = [rejected(1, 10), rejected(2, 45), rejected(3, 100)]
    pen = assess(claims, PEN).findings
    assert pen[-1] == (
        f"1 claim rejected for the limit (code 76) in the last 28 days, most recently on {ago(10)}."
    )
    tablet = assess(claims, TABLET).findings
    assert tablet[-1] == (
        f"2 claims rejected for the limit (code 76) in the last 90 days, most recently on "
        f"{ago(10)}."
    )


def test_the_window_is_inclusive_of_its_last_day():
    assert "within the first 90 days" in assess([paid(1, 90)], TABLET).findings[0]
    assert "established" in assess([paid(1, 91)], TABLET).findings[0]


def test_only_paid_claims_count_as_fills():
    claims = [rejected(1, 5), reversed_(2, 6), reversed_(3, 7)]
    result = assess(claims, TABLET)
    assert result.supply_in_window == 0
    assert result.findings[0].startswith("No paid fills in the last 180 days")
    assert result.findings[-1] == "2 reversed claims."


def test_a_channel_without_a_limit_falls_back_to_the_policy_s_longest_window():
    claims = [paid(1, 60), rejected(2, 80)]
    result = assess(claims, TABLET, limit=None, policy_per_days=[30, 120, 90])
    assert result.findings == [
        f"First paid fill 60 days ago ({ago(60)}): within the first 120 days of therapy, "
        f"so the member appears to be starting it.{TABLET_SEE}",
        f"Days since last fill: 60 (paid on {ago(60)}: 30 tablets for 30 days).",
        f"1 claim rejected for the limit (code 76) in the last 120 days, most recently on "
        f"{ago(80)}.",
    ]
    assert result.timeline is None
    assert result.supply_in_window == 0


def test_a_policy_without_limits_falls_back_to_the_look_back():
    result = assess([paid(1, 100)], TABLET, limit=None, policy_per_days=[], history_days=150)
    assert "within the first 150 days of therapy" in result.findings[0]


def test_three_criteria_are_all_named_in_the_policy_s_order():
    criteria = [(1, "Loading dose"), (2, "Weight-based dosing"), (3, "Dose titration")]
    result = assess([], TABLET, criteria=criteria)
    assert result.findings[0].endswith(
        " See criterion 1, “Loading dose”; criterion 2, “Weight-based dosing”; "
        "and criterion 3, “Dose titration”."
    )


def test_a_policy_without_criteria_names_none():
    result = assess([], TABLET, criteria=[])
    assert result.findings[0] == (
        "No paid fills in the last 180 days: the member appears new to this therapy."
    )


@pytest.mark.parametrize("name", ["kesimpta.yaml", "humira.yaml", "emgality.yaml"])
def test_the_shipped_policies_read_with_their_own_windows_units_and_criteria(name):
    data = yaml.safe_load((POLICY_DATA / name).read_text())["policy"]
    criteria = [(c["number"], c["label"]) for c in data["criteria"]]
    unit = data["products"][0]["unit"]
    per_days = [lim["per_days"] for lim in data["limits"]]
    for lim in data["limits"]:
        window = lim["per_days"]
        policy = dict(
            limit=rules.Limit(Decimal(str(lim["max_quantity"])), window),
            policy_per_days=per_days,
            criteria=criteria,
            unit=unit,
        )
        starting = assess([paid(1, window, quantity="1", days_supply=window)], policy).findings
        assert f"within the first {window} days of therapy" in starting[0]
        assert all(f"criterion {n}, “{label}”" in starting[0] for n, label in criteria)
        assert starting[1].endswith(f" per {window} days).")
        assert f" {unit}" in starting[1]
        established = assess([paid(1, window + 1, quantity="1")], policy).findings
        assert "the member appears established on this therapy" in established[0]


def test_a_reject_for_another_reason_than_the_limit_is_not_counted_as_one():
    other = Claim(9, ago(3), Decimal("30"), 30, ClaimStatus.REJECTED, "65")
    found = evidence.assess(
        claims=[other], today=TODAY, history_days=HISTORY_DAYS, **TABLET
    ).findings
    assert not [f for f in found if "rejected" in f]
