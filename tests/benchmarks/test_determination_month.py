"""The determination benchmark's month and its tally (benchmarks/determination_month.py,
benchmarks/determination_tally.py): what the published share rests on. The month must
send answers the questions accept, use each member once per policy, and count only the
system's approvals as automatic."""

import random
from datetime import date

import pytest

from benchmarks.determination_load import Answered
from benchmarks.determination_month import (
    Planned,
    Planner,
    Pool,
    approving_answers,
    declining_answers,
    member_pools,
)
from benchmarks.determination_tally import is_automatic, pend_reasons, tally
from policies.files import load_policy_file
from policies.rules import determination
from tests.support.paths import POLICY_DATA

RECEIVED = date(2026, 11, 30)
REASON = determination.Question(
    id="reason",
    text="Why does the patient need more than the plan limit?",
    type="choice",
    required=True,
    choices=("initiating treatment", "additional induction dosing", "other"),
    approve_when=("initiating treatment",),
)


@pytest.fixture
def plans(db):
    """The three shipped policies, with small member pools."""
    policies = {}
    for name in ("kesimpta", "humira", "emgality"):
        policy = load_policy_file(POLICY_DATA / f"{name}.yaml").policy
        policies[policy.code] = policy
    return member_pools(policies, n_members=2_000, n_new=300, rng=random.Random(7))


def test_declining_answers_choose_an_answer_the_question_does_not_approve_with():
    assert declining_answers([REASON], RECEIVED) == {"reason": "additional induction dosing"}


def test_declining_a_yes_no_question_answers_it_the_other_way():
    loading = determination.Question(
        id="loading_dose", text="Loading dose?", type="boolean", approve_when=(True,)
    )
    assert declining_answers([loading], RECEIVED) == {"loading_dose": False}


def test_there_are_no_declining_answers_when_no_question_can_say_no():
    started = determination.Question(id="started", text="First dose", type="date")
    assert declining_answers([started], RECEIVED) is None


def test_approving_answers_of_every_type_are_read_and_approve_a_new_patient():
    questions = (
        REASON,
        determination.Question(id="loading", text="?", type="boolean", approve_when=(True,)),
        determination.Question(id="weight", text="?", type="number", required=True),
        determination.Question(id="started", text="?", type="date", required=True),
        determination.Question(id="notes", text="?", type="text", required=True),
    )
    answers, problems = determination.check_answers(
        questions, approving_answers(questions, RECEIVED)
    )
    found = determination.determine(
        criterion=determination.CriterionRules(number=1, auto_approve=True, questions=questions),
        answers=answers,
        fill_dates=[],
        received_on=RECEIVED,
        requested=determination.Requested(
            quantity=4, days_supply=28, channel_label="retail", unit="pen", grant=None
        ),
    )
    assert problems == {}
    # Every question supports approval; only the grant (none given here) stands in the way.
    assert [f.subject for f in found.findings if not f.supports] == ["grant"]


def test_a_month_asks_for_each_member_once_per_policy(plans):
    month = Planner(plans, RECEIVED).draw(400)
    pairs = [(p.policy_code, p.body["member_id"]) for p in month]
    assert len(set(pairs)) == len(pairs) == 400


def test_every_answer_of_the_month_is_one_the_criterion_questions_accept(plans):
    for planned in Planner(plans, RECEIVED).draw(300):
        number = planned.body["criterion_number"]
        if number is None:
            assert planned.body["answers"] == {}
            continue
        questions = plans[planned.policy_code].criteria[number].rules.questions
        assert determination.check_answers(questions, planned.body["answers"])[1] == {}


def test_with_the_shipped_questions_every_new_start_is_planned_approved_and_nothing_else(
    plans,
):
    month = Planner(plans, RECEIVED).draw(300)
    assert {p.expected for p in month if p.kind == "initiating"} == {"approved"}
    assert {p.expected for p in month if p.kind != "initiating"} == {"pended"}


def test_humira_maintenance_is_the_criterion_left_to_a_pharmacist(plans):
    assert plans["inflammatory-humira-dqm"].pharmacist_criterion.number == 2
    assert plans["cigna-ms-kesimpta-dqm"].pharmacist_criterion is None


def test_members_new_to_kesimpta_are_the_ones_with_no_history(plans):
    month = Planner(plans, RECEIVED).draw(300)
    new_to_kesimpta = {
        p.body["member_id"][:2]
        for p in month
        if p.policy_code == "cigna-ms-kesimpta-dqm" and p.kind == "initiating"
    }
    assert new_to_kesimpta == {"BD"}  # the seeded members BM... all take Kesimpta


def test_a_request_without_answers_keeps_everything_else():
    planned = Planned(
        "cigna-ms-kesimpta-dqm",
        "initiating",
        "initiating",
        "approved",
        {"member_id": "BD0000001", "criterion_number": 1, "answers": {"reason": "other"}},
    )
    assert (
        planned.encoded(with_answers=False) == b'{"member_id": "BD0000001", "criterion_number": 1}'
    )


def test_only_an_approval_by_the_system_counts_as_automatic():
    assert is_automatic({"status": "approved", "decided_by": "system"})
    assert not is_automatic({"status": "approved", "decided_by": "pharmacist"})
    assert not is_automatic({"status": "pending", "decided_by": None})


def _answer(*findings: tuple[str, bool], status: str = "pending") -> dict:
    return {
        "status": status,
        "decided_by": "system" if status == "approved" else None,
        "determination": {
            "findings": [
                {"subject": subject, "key": "", "supports": supports, "text": ""}
                for subject, supports in findings
            ]
        },
    }


def test_a_criterion_finding_without_an_attested_criterion_is_counted_as_no_criterion():
    answer = _answer(("criterion", False), ("grant", True))
    assert pend_reasons(answer, attested=False) == {"no criterion"}
    assert pend_reasons(answer, attested=True) == {"criterion"}


def test_the_tally_counts_shares_reasons_and_requests_that_came_out_otherwise():
    def entry(member: str, expected: str, answer: dict) -> Answered:
        body = {"member_id": member, "criterion_number": 1}
        planned = Planned("cigna-ms-kesimpta-dqm", "initiating", "initiating", expected, body)
        return Answered(planned, status_code=201, answer=answer, latency_ms=10.0)

    month = tally(
        [
            entry("BD1", "approved", _answer(("evidence", True), status="approved")),
            entry("BD2", "approved", _answer(("evidence", False), ("question", False))),
            entry("BD3", "pended", _answer(("evidence", False))),
        ]
    )
    assert month.automatic["cigna-ms-kesimpta-dqm"] == 1
    assert month.pended == 2
    assert month.reasons == {"evidence": 2, "question": 1}
    unexpected = ("cigna-ms-kesimpta-dqm", "initiating", "approved", "pended")
    assert month.unexpected == {unexpected: 1}


def test_a_pool_that_runs_out_says_so_rather_than_using_a_member_again():
    pool = Pool("kesimpta new", ["BD0000001"])
    assert pool.take() == "BD0000001"
    with pytest.raises(RuntimeError, match="ran out after 1 members"):
        pool.take()
