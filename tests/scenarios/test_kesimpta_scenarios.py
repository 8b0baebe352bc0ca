"""Every worked case of scenarios/kesimpta.json, through the HTTP API and the database."""

import json
from datetime import date
from pathlib import Path

import pytest

from tests.support.scenarios import ScenarioRunner, assert_claim_as_expected
from tests.support.steps import at_noon, create_member, decide, submit_claim, submit_request

HERE = Path(__file__).resolve().parent
SCENARIO_FILE = HERE / "kesimpta.json"
SHARED_FILE = HERE.parents[2] / "shared" / "scenarios" / "kesimpta.json"
SCENARIOS = json.loads(SCENARIO_FILE.read_text())
DAY_0 = date(2026, 3, 2)  # any date works; this one is after the policy took effect


@pytest.mark.skipif(not SHARED_FILE.exists(), reason=f"{SHARED_FILE} is not here to compare")
def test_the_copy_of_the_scenarios_is_identical_to_the_shared_file():
    assert SCENARIO_FILE.read_bytes() == SHARED_FILE.read_bytes()


def test_the_scenario_file_has_all_twenty_cases():
    assert len(SCENARIOS["cases"]) == 20


class Runner(ScenarioRunner):
    day_0 = DAY_0

    def __init__(self, as_intake, as_claims, as_pharmacist, ndc):
        self.as_intake, self.as_claims, self.as_pharmacist = as_intake, as_claims, as_pharmacist
        self.ndc = ndc
        self.claim_ids: dict[str, int] = {}

    def approve(self, step):
        member = step.get("member", "M1")
        submitted = submit_request(self.as_intake, member_id=member, ndc=self.ndc)
        assert submitted.status_code == 201, submitted.json()
        decided = decide(
            self.as_pharmacist, submitted.json()["id"], decision="approve", criterion_number=1
        )
        assert decided.status_code == 200, decided.json()
        override = decided.json()["override"]
        assert override["status"] == "active"
        assert override["starts_on"] == self.day(step["day"]).isoformat()
        assert override["ends_on"] == self.day(step["day"] + 29).isoformat()

    def claim(self, step):
        response = submit_claim(
            self.as_claims,
            member_id=step.get("member", "M1"),
            ndc=self.ndc,
            channel=step["channel"],
            quantity=str(step["quantity"]),
            days_supply=step["days_supply"],
            date_of_service=self.day(step["day"]).isoformat(),
        )
        body = assert_claim_as_expected(response, step, self.day)
        if "id" in step:
            self.claim_ids[step["id"]] = body["id"]

    def reverse(self, step):
        claim_id = self.claim_ids[step["claim"]]
        response = self.as_claims.post(f"/api/v1/claims/{claim_id}/reversal/")
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == "reversed"


@pytest.mark.parametrize("case", SCENARIOS["cases"], ids=[c["name"] for c in SCENARIOS["cases"]])
def test_scenario(case, kesimpta, as_intake, as_claims, as_pharmacist):
    runner = Runner(as_intake, as_claims, as_pharmacist, SCENARIOS["ndc"])
    with at_noon(DAY_0):
        for member_id in ("M1", "M2"):
            assert create_member(as_intake, member_id).status_code == 201
    for step in case["steps"]:
        runner.run(step)
