"""The SQL queries a submission costs, counted in process: the determination alone
(`selectors.determine_request`), and `services.override_request_submit` without
answers, with answers that pend and with answers that approve.

Import after django.setup(). The requests are made by the benchmark's user, so the
next run removes them with the rest.
"""

from decimal import Decimal

from django.utils import timezone

from benchmarks.claims_queries import QueryCount, captured, show_queries
from benchmarks.determination_data import KESIMPTA_CODE
from benchmarks.determination_month import Planned, Planner
from benchmarks.report import say
from policies import selectors as policy_selectors
from policies.rules import determination
from priorauth import selectors, services
from priorauth.models import Member


def count_and_show(args, planner: Planner, user) -> tuple[list[QueryCount], list[QueryCount]]:
    """(the determination's counts, the submissions' counts), printed as they come (with -v,
    each query's SQL). Kesimpta criterion 1, members the plan has not used."""
    say("  counting queries per determination and submission ...")
    new = planner.one(KESIMPTA_CODE, "initiating")
    on_drug = planner.one(KESIMPTA_CODE, "established")
    # Warm-up: the policy caches, the system user, first-use query plans.
    _submit(planner.one(KESIMPTA_CODE, "initiating"), user, with_answers=True)
    _submit(planner.one(KESIMPTA_CODE, "established"), user, with_answers=True)
    determinations = [
        _count_determination("a) determination: new to the drug", new),
        _count_determination("b) determination: on the drug", on_drug),
    ]
    submissions = [
        _count_submission(
            "c) submission without answers",
            planner.one(KESIMPTA_CODE, "established"),
            user,
            with_answers=False,
        ),
        _count_submission("d) submission, answers, pended", on_drug, user, with_answers=True),
        _count_submission("e) submission, answers, approved", new, user, with_answers=True),
    ]
    for c in determinations + submissions:
        say(f"    {c.case:<36} {c.outcome:<9} {c.count:>3} queries (+ {c.control} BEGIN/COMMIT)")
        if args.verbose:
            show_queries(c)
    return determinations, submissions


def _kwargs(planned: Planned, *, with_answers: bool) -> dict:
    body = dict(planned.body)
    if not with_answers:
        body.pop("answers")
    return {**body, "quantity": Decimal(body["quantity"])}


def _submit(planned: Planned, user, *, with_answers: bool):
    return services.override_request_submit(
        submitted_by=user, **_kwargs(planned, with_answers=with_answers)
    )


def _count_submission(case: str, planned: Planned, user, *, with_answers: bool) -> QueryCount:
    expected = planned.expected if with_answers else "pended"
    request, queries = captured(lambda: _submit(planned, user, with_answers=with_answers))
    outcome = request.determination["outcome"]
    return QueryCount(case, expected, outcome, queries)


def _count_determination(case: str, planned: Planned) -> QueryCount:
    """`selectors.determine_request` as the service calls it, on its own; what it needs
    from before (the member, the managed limit, the criterion) read outside the count."""
    body = planned.body
    today = timezone.localdate()
    member = Member.objects.get(member_id=body["member_id"])
    managed = policy_selectors.managed_limit(
        ndc=body["ndc"], channel=body["channel"], on=today, line_of_business=member.line_of_business
    )
    criterion = policy_selectors.criteria_of(managed.policy)[body["criterion_number"]]
    answers, _ = determination.check_answers(criterion.rules.questions, body["answers"])

    def determine():
        return selectors.determine_request(
            member=member,
            managed=managed,
            criterion=criterion,
            answers=answers,
            quantity=Decimal(body["quantity"]),
            days_supply=body["days_supply"],
            channel=body["channel"],
            received_on=today,
        )

    determine()  # first-use work (query plans) is not what we measure
    found, queries = captured(determine)
    return QueryCount(case, planned.expected, found.outcome, queries)
