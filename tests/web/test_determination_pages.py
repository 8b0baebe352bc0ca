"""What the real-time determination did, where pharmacists look (docs/domain.md §9): the case
page's questions, evidence and reasons; the queue's "determined automatically" filter;
the overrides page's mark, and revoking an automatic approval."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from policies.models import CriterionQuestion
from priorauth import services
from priorauth.models import Override, OverrideRequest
from tests.support import factories
from tests.support.questions import (
    ADDITIONAL_INDUCTION,
    INITIATING,
    REASON_TEXT,
)
from tests.support.steps import KESIMPTA_NDC

pytestmark = pytest.mark.django_db


@pytest.fixture
def questions(kesimpta):
    """Criterion 1 as the shipped file has it: the "reason" question, 180 days, automatic."""
    return kesimpta.criteria.get(number=1)


@pytest.fixture
def as_pharmacist_page(client, pharmacist):
    client.force_login(pharmacist)
    return client


def fill_days_ago(member_id: str, days: int):
    return services.claim_adjudicate(
        member_id=member_id,
        ndc=KESIMPTA_NDC,
        quantity=1,
        days_supply=28,
        channel="retail",
        date_of_service=timezone.localdate() - timedelta(days=days),
    )


def answered(member_id: str, reason: str, *, fill_days: int | None = None) -> OverrideRequest:
    """A new member's Kesimpta request answering "reason" (after one fill, if given)."""
    factories.member(member_id)
    if fill_days is not None:
        fill_days_ago(member_id, fill_days)
    return factories.kesimpta_request(member_id, answers={"reason": reason})


def text_of(response) -> str:
    return response.content.decode().replace("&quot;", '"').replace("&#x27;", "'")


def section(page: str, heading_id: str) -> str:
    """The text of the <section> labelled by `heading_id` (to check what is said where)."""
    start = page.index(f'aria-labelledby="{heading_id}"')
    return page[start : page.index("</section>", start)]


# --- The case page ---------------------------------------------------------------------


def test_a_pended_case_shows_the_answers_the_evidence_and_why(as_pharmacist_page, questions):
    case = answered("P1", INITIATING, fill_days=30)
    page = text_of(as_pharmacist_page.get(f"/requests/{case.pk}/"))
    found = section(page, "h-determination")
    assert "Sent to a pharmacist by the system" in found
    assert "<h3>Questions and answers</h3>" in found
    assert f"<td>{REASON_TEXT}</td><td>{INITIATING}</td>" in found
    assert "Yes, it supports approval" in found
    assert "<h3>Claims evidence</h3>" in found
    filled_on = (timezone.localdate() - timedelta(days=30)).isoformat()
    assert f"Last paid fill {filled_on}, 30 days before receipt" in found
    assert "(does not support approval)" in found
    assert "<h3>Why the system did not approve</h3>" in found
    reasons = found.split("Why the system did not approve")[1]
    assert f"Last paid fill {filled_on}" in reasons
    assert REASON_TEXT not in reasons  # the answer supported approval: not a reason


def test_an_answer_that_does_not_support_approval_says_so_in_words(as_pharmacist_page, questions):
    case = answered("P2", ADDITIONAL_INDUCTION)
    found = section(text_of(as_pharmacist_page.get(f"/requests/{case.pk}/")), "h-determination")
    assert f"<td>{ADDITIONAL_INDUCTION}</td>" in found
    assert "No, it does not support approval" in found
    reasons = found.split("Why the system did not approve")[1]
    assert 'answered "additional induction dosing"; approved automatically only for' in reasons
    assert "No paid fill of the policy's products in the 180 days before receipt." in found


def test_an_unanswered_question_is_shown_as_not_answered(as_pharmacist_page, questions):
    factories.member("P3")
    case = factories.kesimpta_request("P3")
    found = section(text_of(as_pharmacist_page.get(f"/requests/{case.pk}/")), "h-determination")
    assert f"<td>{REASON_TEXT}</td><td>Not answered</td>" in found
    assert f'"{REASON_TEXT}" not answered.' in found


def test_an_automatic_approval_shows_who_decided_and_every_finding(as_pharmacist_page, questions):
    case = answered("A1", INITIATING)
    page = text_of(as_pharmacist_page.get(f"/requests/{case.pk}/"))
    found = section(page, "h-determination")
    assert "Approved automatically by the system" in found
    assert "Why the system did not approve" not in found
    assert "No paid fill of the policy's products in the 180 days before receipt." in found
    assert "Asked for 4 pens for 28 days; the criterion allows 4 pens per 28 days." in found
    decision = section(page, "h-decision")
    assert "<strong>Approved</strong> automatically by the system on" in decision
    assert case.override.authorization_number in decision


def test_a_case_with_no_criterion_says_no_questions_were_asked(as_pharmacist_page, questions):
    factories.member("O1")
    case = factories.kesimpta_request("O1", criterion_number=None)
    found = section(text_of(as_pharmacist_page.get(f"/requests/{case.pk}/")), "h-determination")
    assert "No criterion was attested, so no questions were asked." in found
    assert 'No criterion was attested ("other").' in found


def test_the_case_page_s_queries_do_not_grow_with_questions_or_fills(
    as_pharmacist_page, questions, settings
):
    # No policy cache: every view reads the criteria, so counts compare like with like.
    settings.PRIORAUTH_POLICY_CACHE_SECONDS = 0
    case = answered("Q1", INITIATING, fill_days=30)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert as_pharmacist_page.get(f"/requests/{case.pk}/").status_code == 200
        return len(queries)

    before = count()
    for n in range(5):
        CriterionQuestion.objects.create(
            criterion=questions, key=f"extra_{n}", text=f"Extra question {n}?", type="text"
        )
    for n in range(1, 6):
        fill_days_ago("Q1", 30 + 28 * n)
    assert count() == before


# --- The queue --------------------------------------------------------------------------


def test_the_queue_filters_what_the_system_approved(as_pharmacist_page, questions):
    approved = answered("A1", INITIATING)
    pended = answered("P1", ADDITIONAL_INDUCTION)
    by_pharmacist = answered("H1", ADDITIONAL_INDUCTION)
    factories.approve(by_pharmacist)

    default = as_pharmacist_page.get("/queue/")
    assert [row["request"].pk for row in default.context["rows"]] == [pended.pk]

    automatic = as_pharmacist_page.get("/queue/?auto=1")
    assert [row["request"].pk for row in automatic.context["rows"]] == [approved.pk]
    # Decided at receipt: no clock runs, and it is never overdue.
    assert [(r["clock"], r["overdue"]) for r in automatic.context["rows"]] == [("Decided", False)]
    page = automatic.content.decode()
    assert "1 request determined automatically" in page
    assert "Approved automatically" in page
    assert 'id="f-auto" name="auto" value="1" checked' in page


def test_the_automatic_filter_composes_with_the_others(as_pharmacist_page, questions):
    answered("A1", INITIATING)
    second = answered("A2", INITIATING)
    found = as_pharmacist_page.get("/queue/?auto=1&q=A2").context["rows"]
    assert [row["request"].pk for row in found] == [second.pk]


# --- Overrides and the notice -----------------------------------------------------------


def test_the_overrides_page_marks_an_automatic_approval_and_a_pharmacist_can_revoke_it(
    as_pharmacist_page, pharmacist, questions
):
    automatic = answered("A1", INITIATING).override
    by_pharmacist = factories.approve(answered("H1", ADDITIONAL_INDUCTION)).override
    response = as_pharmacist_page.get("/overrides/")
    marked = {
        o.authorization_number: o.approved_automatically for o, _, _ in response.context["active"]
    }
    assert marked == {
        automatic.authorization_number: True,
        by_pharmacist.authorization_number: False,
    }
    page = response.content.decode()
    assert (
        f'{automatic.authorization_number} <span class="badge info">Approved automatically' in page
    )
    assert f"{by_pharmacist.authorization_number}</td>" in page

    as_pharmacist_page.post(
        f"/overrides/{automatic.pk}/revoke/",
        {"reason": "Prescriber: patient is not new to therapy"},
    )
    revoked = Override.objects.get(pk=automatic.pk)
    assert (revoked.status, revoked.revoked_by) == ("revoked", pharmacist)
    ended = as_pharmacist_page.get("/overrides/")
    assert [o.approved_automatically for o, _ in ended.context["ended"]] == [True]
    assert "Prescriber: patient is not new to therapy" in ended.content.decode()


def test_the_approval_notice_says_when_the_system_decided(as_pharmacist_page, questions):
    case = answered("A1", INITIATING)
    decided_at = timezone.localtime(case.decision.decided_at)
    page = text_of(as_pharmacist_page.get(f"/requests/{case.pk}/notice/"))
    assert f"{decided_at:%B} {decided_at.day}, {decided_at:%Y} {decided_at:%H:%M}" in page
    assert ", automatically by the system" in page
    assert f"approved automatically by the system on {decided_at:%B} {decided_at.day}" in page
    assert "decided by a clinical pharmacist" not in page


def test_a_pharmacist_s_notice_still_names_the_pharmacist(as_pharmacist_page, questions):
    case = answered("H1", ADDITIONAL_INDUCTION)
    factories.approve(case)
    page = text_of(as_pharmacist_page.get(f"/requests/{case.pk}/notice/"))
    # By name and role; this factory user has no name on file, so the username stands in.
    assert "decided by factory-pharmacist, Clinical pharmacist" in page
    assert "automatically" not in page
