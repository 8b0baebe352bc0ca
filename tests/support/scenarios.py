"""Running a scenario file's steps through the HTTP API, and checking a claim's answer.

A scenario file (tests/scenarios/*.json) lists cases; a case lists steps, each on a day
numbered from the runner's day 0 and naming an action. A runner is a ScenarioRunner
with a method for each action.
"""

from datetime import date, timedelta

from tests.support.steps import at_noon


class ScenarioRunner:
    """Runs each step at noon on its day, by the method named for its action."""

    day_0: date

    def day(self, n: int) -> date:
        return self.day_0 + timedelta(days=n)

    def run(self, step: dict) -> None:
        with at_noon(self.day(step["day"])):
            getattr(self, step["action"])(step)


def assert_claim_as_expected(response, step: dict, day) -> dict:
    """Check a claim answer against a scenario step (`day(n)` turns day numbers into dates)."""
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == step["expect"], body["message"]
    if step["expect"] == "paid":
        assert (body["override"] is not None) == step["uses_override"], body
        assert body["reject_code"] == ""
        return body
    assert body["reject_code"] == step["reject_code"]
    assert body["allowed_now"] == step["allowed_now"], body
    expected = step["earliest_day"]
    assert body["earliest_date"] == (None if expected is None else day(expected).isoformat()), body
    assert body["override"] is None
    assert body["message"]
    return body
