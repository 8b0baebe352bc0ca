"""The worked cases of the other shipped policies (emgality.json, humira.json), through the API.

Each case loads the policy from its file in policies/data/ (the real loading path) and
drives the HTTP API: members, claims, override requests and decisions. A step names a
product, not an NDC: the NDC is read from the loaded policy, so a corrected NDC in the
data file does not break the cases.
"""

import json
from datetime import date
from pathlib import Path

import pytest

from policies.files import load_policy_file
from policies.models import ProductNDC
from tests.support.paths import POLICY_DATA
from tests.support.scenarios import ScenarioRunner, assert_claim_as_expected
from tests.support.steps import at_noon, create_member, decide, submit_claim, submit_request

HERE = Path(__file__).resolve().parent
SCENARIO_FILES = ("emgality.json", "humira.json")
DAY_0 = date(2026, 3, 2)  # after both policies took effect (2025-07-01)


def _cases():
    for name in SCENARIO_FILES:
        scenarios = json.loads((HERE / name).read_text())
        for case in scenarios["cases"]:
            yield pytest.param(scenarios, case, id=f"{name[:-5]}: {case['name']}")


class Runner(ScenarioRunner):
    day_0 = DAY_0

    def __init__(self, scenarios: dict, policy, as_intake, as_claims, as_pharmacist):
        self.as_intake, self.as_claims, self.as_pharmacist = as_intake, as_claims, as_pharmacist
        self.ndcs = {
            key: ProductNDC.objects.filter(product__policy=policy, product__name=name)
            .values_list("ndc", flat=True)
            .first()
            for key, name in scenarios["products"].items()
        }
        assert all(self.ndcs.values()), self.ndcs

    def approve(self, step):
        submitted = submit_request(
            self.as_intake,
            member_id="M1",
            ndc=self.ndcs[step["product"]],
            quantity=str(step["quantity"]),
            days_supply=step["days_supply"],
            channel=step.get("channel", "retail"),
            criterion_number=step["criterion"],
        )
        assert submitted.status_code == 201, submitted.json()
        decided = decide(
            self.as_pharmacist,
            submitted.json()["id"],
            decision="approve",
            criterion_number=step["criterion"],
        )
        assert decided.status_code == 200, decided.json()
        override = decided.json()["override"]
        assert override["status"] == "active"
        assert override["one_time"] == step["one_time"]
        assert override["starts_on"] == self.day(step["day"]).isoformat()
        assert override["ends_on"] == self.day(step["ends_day"]).isoformat()

    def claim(self, step):
        response = submit_claim(
            self.as_claims,
            member_id="M1",
            ndc=self.ndcs[step["product"]],
            channel=step["channel"],
            quantity=str(step["quantity"]),
            days_supply=step["days_supply"],
            date_of_service=self.day(step["day"]).isoformat(),
        )
        assert_claim_as_expected(response, step, self.day)


@pytest.mark.parametrize(("scenarios", "case"), list(_cases()))
def test_scenario(scenarios, case, db, as_intake, as_claims, as_pharmacist):
    policy = load_policy_file(POLICY_DATA / scenarios["policy_file"]).policy
    runner = Runner(scenarios, policy, as_intake, as_claims, as_pharmacist)
    with at_noon(DAY_0):
        assert create_member(as_intake, "M1").status_code == 201
    for step in case["steps"]:
        runner.run(step)


def test_each_new_policy_has_its_shape():
    emgality = json.loads((HERE / "emgality.json").read_text())
    humira = json.loads((HERE / "humira.json").read_text())
    assert len(emgality["products"]) > 1  # several products share one limit
    approvals = [s for c in humira["cases"] for s in c["steps"] if s["action"] == "approve"]
    assert approvals and not any(s["one_time"] for s in approvals)  # months, not one-time
