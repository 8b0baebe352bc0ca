"""The replay under the unchanged version reproduces every stored outcome of the scenario
files exactly: paid or rejected, and the override that paid (ADR 0021)."""

from datetime import timedelta

import pytest

from policies.files import load_policy_file
from priorauth.models import Claim
from tests.scenarios import test_kesimpta_scenarios as kesimpta_file
from tests.scenarios import test_policy_scenarios as other_files
from tests.support.paths import POLICY_DATA
from tests.support.replay_check import disagreements
from tests.support.steps import at_noon, create_member


def _assert_reproduced(policy, runner):
    days = [runner.day(0) - timedelta(days=1), Claim.objects.order_by("-date_of_service")]
    last = days[1].first().date_of_service
    compared, wrong = disagreements(policy, first_day=days[0], last_day=last)
    assert compared == Claim.objects.count()
    assert wrong == []


@pytest.mark.parametrize(
    "case",
    kesimpta_file.SCENARIOS["cases"],
    ids=[c["name"] for c in kesimpta_file.SCENARIOS["cases"]],
)
def test_kesimpta_scenario_replays_as_stored(case, kesimpta, as_intake, as_claims, as_pharmacist):
    runner = kesimpta_file.Runner(
        as_intake, as_claims, as_pharmacist, kesimpta_file.SCENARIOS["ndc"]
    )
    with at_noon(kesimpta_file.DAY_0):
        for member_id in ("M1", "M2"):
            assert create_member(as_intake, member_id).status_code == 201
    for step in case["steps"]:
        runner.run(step)
    _assert_reproduced(kesimpta, runner)


@pytest.mark.parametrize(("scenarios", "case"), list(other_files._cases()))
def test_other_scenarios_replay_as_stored(scenarios, case, db, as_intake, as_claims, as_pharmacist):
    policy = load_policy_file(POLICY_DATA / scenarios["policy_file"]).policy
    runner = other_files.Runner(scenarios, policy, as_intake, as_claims, as_pharmacist)
    with at_noon(other_files.DAY_0):
        assert create_member(as_intake, "M1").status_code == 201
    for step in case["steps"]:
        runner.run(step)
    _assert_reproduced(policy, runner)
