"""The case page: everything needed to decide on one screen, decisions through the services."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from priorauth import services
from priorauth.models import Decision, Override, OverrideRequest, PHIAccess
from tests.support import factories
from tests.support.data import SEED_CRITERION
from tests.support.steps import KESIMPTA_NDC

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(kesimpta):
    factories.member("M1", first_name="Avery", last_name="Quinlan")
    return factories.kesimpta_request(
        "M1", urgency="expedited", clinical_notes="Starting ofatumumab; needs weeks 0, 1, 2 and 4."
    )


@pytest.fixture
def as_pharmacist_page(client, pharmacist):
    client.force_login(pharmacist)
    return client


def test_the_case_page_shows_the_induction_criterion_verbatim_and_what_was_attested(
    as_pharmacist_page, case
):
    page = as_pharmacist_page.get(f"/requests/{case.pk}/").content.decode()
    assert SEED_CRITERION in page
    assert "Weeks 0, 1, 2, and 4 doses at retail" in page  # the note
    assert "Attested by the requester" in page
    assert "Avery Quinlan" in page and "1980-04-01" in page
    assert "NPI 1234567893" in page
    assert "Any other exception is considered not medically necessary." in page
    assert "4 pens per 28 days at retail, or 6 pens per 84 days at home delivery" in page


SEE_CRITERION_1 = "See criterion 1, “Initiating treatment or additional induction dosing”."


def test_a_member_with_no_fills_appears_new_and_the_policy_criterion_is_named(
    as_pharmacist_page, case
):
    page = as_pharmacist_page.get(f"/requests/{case.pk}/").content.decode()
    assert (
        "No paid fills in the last 180 days: the member appears new to this therapy. "
        + SEE_CRITERION_1
    ) in page
    assert "Fills in the last 180 days</h3>" in page
    assert "<svg" in page and "Supply falling in each window, against the limit" in page


def test_the_look_back_shown_is_the_setting(as_pharmacist_page, case, settings):
    settings.PRIORAUTH_HISTORY_DAYS = 120
    page = as_pharmacist_page.get(f"/requests/{case.pk}/").content.decode()
    assert "Fills in the last 120 days</h3>" in page
    assert "No paid fills in the last 120 days: " in page
    assert "last 180 days" not in page


def test_a_recent_first_fill_is_within_the_first_limit_window(as_pharmacist_page, case):
    filled_on = timezone.localdate() - timedelta(days=12)
    services.claim_adjudicate(
        member_id="M1",
        ndc=KESIMPTA_NDC,
        quantity=1,
        days_supply=28,
        channel="retail",
        date_of_service=filled_on,
    )
    page = as_pharmacist_page.get(f"/requests/{case.pk}/").content.decode()
    assert (
        f"First paid fill 12 days ago ({filled_on}): within the first 28 days of therapy, "
        "so the member appears to be starting it. " + SEE_CRITERION_1
    ) in page
    # 16 of the fill's 28 days fall in the next 28: 16/28 = 0.57 pen.
    assert (
        "Supply falling in the next 28 days, from fills already paid: 0.57 pen "
        "(limit 1 pen per 28 days)."
    ) in page
    assert f"Days since last fill: 12 (paid on {filled_on}: 1 pen for 28 days)." in page


def test_a_home_delivery_request_reads_against_the_home_delivery_limit(
    as_pharmacist_page, kesimpta
):
    factories.member("M2")
    case = factories.kesimpta_request("M2", quantity=6, days_supply=84, channel="home_delivery")
    filled_on = timezone.localdate() - timedelta(days=40)
    services.claim_adjudicate(
        member_id="M2",
        ndc=KESIMPTA_NDC,
        quantity=3,
        days_supply=84,
        channel="home_delivery",
        date_of_service=filled_on,
    )
    page = as_pharmacist_page.get(f"/requests/{case.pk}/").content.decode()
    assert (
        f"First paid fill 40 days ago ({filled_on}): within the first 84 days of therapy, "
        "so the member appears to be starting it. " + SEE_CRITERION_1
    ) in page
    # 3 pens over 84 days, 44 of them still ahead: 44 * 3 / 84 = 1.57 pens.
    assert (
        "Supply falling in the next 84 days, from fills already paid: 1.57 pens "
        "(limit 3 pens per 84 days)."
    ) in page


def test_viewing_a_case_is_recorded(as_pharmacist_page, pharmacist, case):
    as_pharmacist_page.get(f"/requests/{case.pk}/")
    entry = PHIAccess.objects.get()
    assert (entry.user, entry.member.member_id, entry.action) == (
        pharmacist,
        "M1",
        "case page view",
    )


def test_the_case_page_makes_a_fixed_number_of_queries(as_pharmacist_page, case, kesimpta):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert as_pharmacist_page.get(f"/requests/{case.pk}/").status_code == 200
        return len(queries)

    before = count()
    for n in range(20):
        services.claim_adjudicate(
            member_id="M1",
            ndc=KESIMPTA_NDC,
            quantity=1,
            days_supply=28,
            channel="retail",
            date_of_service=timezone.localdate() - timedelta(days=7 * n),
        )
    services.override_request_take(request_id=case.pk, by=factories.reviewer())
    services.override_request_release(request_id=case.pk, by=factories.reviewer())
    assert count() == before


def test_approving_on_the_page_creates_the_override_and_shows_it(as_pharmacist_page, case):
    response = as_pharmacist_page.post(
        f"/requests/{case.pk}/approve/", {"criterion_number": "1", "confirmed": "1"}, follow=True
    )
    override = Override.objects.get()
    page = response.content.decode()
    assert f"Override {override.authorization_number} is in force from" in page
    assert override.authorization_number in page
    assert (override.ends_on - override.starts_on).days == 29
    assert OverrideRequest.objects.get().status == "approved"


def test_a_denial_without_a_reason_is_refused_and_nothing_changes(as_pharmacist_page, case):
    response = as_pharmacist_page.post(f"/requests/{case.pk}/deny/", {"reason": "  "})
    assert response.status_code == 400
    assert "A denial needs a reason." in response.content.decode()
    assert Decision.objects.count() == 0
    assert OverrideRequest.objects.get().status == "pending"


def test_the_second_pharmacist_sees_who_decided_first(client, pharmacist, pharmacist2, case):
    services.override_request_decide(
        request_id=case.pk, outcome="approve", criterion_number=1, by=pharmacist
    )
    client.force_login(pharmacist2)
    response = client.post(f"/requests/{case.pk}/deny/", {"reason": "Not met"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "already approved by pharmacist" in page
    assert "Authorization number" in page  # the current state is shown
    assert Decision.objects.count() == 1


def test_pend_and_answer_move_the_request_and_keep_history(as_pharmacist_page, case):
    as_pharmacist_page.post(f"/requests/{case.pk}/pend/", {"reason": "Send the chart notes"})
    case.refresh_from_db()
    assert (case.status, case.status_reason) == ("needs_info", "Send the chart notes")
    as_pharmacist_page.post(f"/requests/{case.pk}/answer/", {"notes": "Chart notes received"})
    case.refresh_from_db()
    assert case.status == "pending"
    assert "Chart notes received" in case.clinical_notes
    reasons = list(case.history.values_list("history_change_reason", flat=True))
    assert "information needed: Send the chart notes" in reasons
    assert "information supplied" in reasons


def test_an_auditor_sees_the_case_but_cannot_act(client, auditor, case):
    client.force_login(auditor)
    page = client.get(f"/requests/{case.pk}/").content.decode()
    assert SEED_CRITERION in page
    assert "only a clinical pharmacist can decide it" in page
    assert (
        client.post(f"/requests/{case.pk}/approve/", {"criterion_number": "1"}).status_code == 403
    )
    assert Decision.objects.count() == 0


def test_intake_cannot_reach_the_case_page_or_the_decision_form(client, intake, case):
    client.force_login(intake)
    assert client.get(f"/requests/{case.pk}/").status_code == 403
    assert (
        client.post(f"/requests/{case.pk}/approve/", {"criterion_number": "1"}).status_code == 403
    )


def test_the_approval_notice_says_what_is_authorized_and_until_when(as_pharmacist_page, case):
    as_pharmacist_page.post(
        f"/requests/{case.pk}/approve/", {"criterion_number": "1", "confirmed": "1"}
    )
    override = Override.objects.get()
    page = as_pharmacist_page.get(f"/requests/{case.pk}/notice/").content.decode()
    assert "Coverage determination: approved" in page
    assert override.authorization_number in page
    assert override.ends_on.strftime("%B %-d, %Y") in page
    assert "Home delivery" in page or "home delivery" in page


def test_the_denial_notice_quotes_the_reason_the_criterion_and_the_appeal_rights(
    as_pharmacist_page, case
):
    as_pharmacist_page.post(
        f"/requests/{case.pk}/deny/",
        {"reason": "Established on therapy since 2025.", "confirmed": "1"},
    )
    page = as_pharmacist_page.get(f"/requests/{case.pk}/notice/").content.decode()
    assert "Coverage determination: denied" in page
    assert "Established on therapy since 2025." in page
    assert SEED_CRITERION in page
    # The appeal clocks the queue enforces (docs/domain.md §10): 7 days, 72 hours.
    assert "Expedited appeal:" in page and "we decide within 72 hours" in page
    assert "Standard appeal:" in page and "we decide within 168 hours" in page
    assert "within <strong>180 days</strong> of the date of this notice" in page


def test_the_denial_notice_quotes_the_appeal_settings(as_pharmacist_page, case, settings):
    settings.PRIORAUTH_APPEAL_DAYS = 60
    settings.PRIORAUTH_APPEAL_EXPEDITED_HOURS = 24
    as_pharmacist_page.post(f"/requests/{case.pk}/deny/", {"reason": "Not met.", "confirmed": "1"})
    page = as_pharmacist_page.get(f"/requests/{case.pk}/notice/").content.decode()
    assert "within <strong>60 days</strong>" in page and "we decide within 24 hours" in page


def test_intake_sees_the_notice_of_its_own_request_only(client, intake, pharmacist, case):
    services.override_request_decide(
        request_id=case.pk, outcome="deny", reason="Not met", by=pharmacist
    )
    client.force_login(intake)
    assert client.get(f"/requests/{case.pk}/notice/").status_code == 403  # submitted by nobody
    OverrideRequest.objects.filter(pk=case.pk).update(submitted_by=intake)
    assert client.get(f"/requests/{case.pk}/notice/").status_code == 200
