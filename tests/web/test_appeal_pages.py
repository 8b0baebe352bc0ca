"""The appeal case page, its decisions and its notice (docs/domain.md §10): the original
request and its evidence, the denial and who made it, the appeal; only the forms the
service would accept from the viewer; the person who denied is told why not."""

import pytest
from django.contrib.messages import get_messages

from priorauth import errors, services
from priorauth.models import AppealDecision, Member, Override, PHIAccess
from tests.support import factories
from tests.support.data import SEED_CRITERION

pytestmark = pytest.mark.django_db

OVERTURN_FORM = "Overturn the denial"
UPHOLD_FORM = "Uphold the denial"


@pytest.fixture
def denied(kesimpta, intake, pharmacist):
    return factories.denied(
        "M1",
        submitted_by=intake,
        denied_by=pharmacist,
        reason="No evidence that treatment is being initiated.",
        first_name="Avery",
        last_name="Quinlan",
        clinical_notes="Restarting ofatumumab after a gap.",
    )


@pytest.fixture
def appeal(denied, intake):
    return factories.appeal(
        denied,
        by=intake,
        reason="The last dose was 14 months ago; this is a new induction.",
        clinical_notes="Neurology note of 2026-10-30.",
    )


def page_of(client, user, appeal) -> str:
    client.force_login(user)
    response = client.get(f"/appeals/{appeal.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def decide(client, user, appeal, action: str, **posted):
    """The decision as confirmed (the dialog's or the confirmation page's second post)."""
    client.force_login(user)
    return client.post(f"/appeals/{appeal.pk}/{action}/", {"confirmed": "1", **posted})


def test_the_page_shows_the_request_the_denial_the_appeal_and_the_evidence(
    client, physician, appeal, denied
):
    page = page_of(client, physician, appeal)
    # the original request
    assert "The request that was denied" in page
    assert "Avery Quinlan" in page and "NPI 1234567893" in page
    assert "4 pens for 28 days, retail" in page
    assert "Restarting ofatumumab after a gap." in page
    # the denial, its reason, who and when
    assert 'Denied by <strong class="denier">pharmacist</strong>' in page
    assert "No evidence that treatment is being initiated." in page
    # the appeal, its notes and its clock
    assert "The last dose was 14 months ago; this is a new induction." in page
    assert "Neurology note of 2026-10-30." in page
    assert "6 d 23 h left" in page  # 168 hours, standard
    # the evidence and the policy, as on the case page
    assert "Evidence from the claims history" in page
    assert "the member appears new to this therapy" in page
    assert SEED_CRITERION in page
    # the histories
    assert "History of this appeal" in page and "appeal received" in page
    assert "History of the request" in page


def test_viewing_the_page_is_recorded(client, auditor, appeal):
    page_of(client, auditor, appeal)
    entry = PHIAccess.objects.get(action="appeal page view")
    assert (entry.user, entry.member.member_id, entry.path) == (
        auditor,
        "M1",
        f"/appeals/{appeal.pk}/",
    )


def test_the_denier_sees_why_they_cannot_decide_and_no_form(client, pharmacist, appeal, denied):
    page = page_of(client, pharmacist, appeal)
    assert errors.APPEAL_BY_DENIER.format(request_id=denied.pk) in page
    assert OVERTURN_FORM not in page and UPHOLD_FORM not in page
    assert "Take this appeal" not in page


def test_another_pharmacist_may_overturn_only(client, pharmacist2, appeal):
    page = page_of(client, pharmacist2, appeal)
    assert OVERTURN_FORM in page and UPHOLD_FORM not in page
    assert "Only a physician reviewer can uphold a denial" in page
    assert "Take this appeal" in page


def test_a_physician_may_overturn_or_uphold(client, physician, appeal):
    page = page_of(client, physician, appeal)
    assert OVERTURN_FORM in page and UPHOLD_FORM in page
    assert 'class="why-not"' not in page


def test_an_auditor_reads_it_and_may_decide_nothing(client, auditor, appeal):
    page = page_of(client, auditor, appeal)
    assert OVERTURN_FORM not in page and UPHOLD_FORM not in page
    assert "who did not make the denial decides this appeal" in page
    assert decide(client, auditor, appeal, "overturn", criterion_number="1").status_code == 403
    assert not AppealDecision.objects.exists()


def test_intake_cannot_open_the_appeal_page(client, intake, appeal):
    client.force_login(intake)
    assert client.get(f"/appeals/{appeal.pk}/").status_code == 403


def test_the_denier_overturning_through_the_page_is_403_and_nothing_is_decided(
    client, pharmacist, appeal, denied
):
    response = decide(client, pharmacist, appeal, "overturn", criterion_number="1")
    assert response.status_code == 403
    page = response.content.decode()
    assert errors.APPEAL_BY_DENIER.format(request_id=denied.pk) in page
    assert "The request that was denied" in page  # the page again, as it is
    assert not AppealDecision.objects.exists() and not Override.objects.exists()


def test_a_pharmacist_upholding_through_the_page_is_403(client, pharmacist2, appeal):
    response = decide(client, pharmacist2, appeal, "uphold", reason="Still not met.")
    assert response.status_code == 403
    assert "Only a physician reviewer can uphold a denial" in response.content.decode()
    assert not AppealDecision.objects.exists()


def test_a_pharmacist_overturns_and_the_override_is_created_as_an_approval_does(
    client, pharmacist2, appeal, denied
):
    response = decide(client, pharmacist2, appeal, "overturn", criterion_number="1")
    assert response.status_code == 302 and response["Location"] == f"/appeals/{appeal.pk}/"
    override = Override.objects.get()
    assert override.request == denied and override.criterion.number == 1
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message.startswith(f"Overturned. Override {override.authorization_number} is in force")
    decided = page_of(client, pharmacist2, appeal)
    assert "Overturned</strong> by pharmacist2 (Clinical pharmacist)" in decided
    assert override.authorization_number in decided
    # the request's case page says where its override came from
    case = client.get(f"/requests/{denied.pk}/").content.decode()
    assert "The denial was overturned on appeal" in case
    assert f'href="/appeals/{appeal.pk}/"' in case


def test_the_overturn_notice_says_what_is_authorized_for_how_long_and_its_number(
    client, pharmacist2, intake, appeal
):
    decide(client, pharmacist2, appeal, "overturn", criterion_number="1")
    override = Override.objects.get()
    client.force_login(intake)  # the requester reads it too
    notice = client.get(f"/appeals/{appeal.pk}/notice/")
    assert notice.status_code == 200
    page = notice.content.decode()
    assert "Appeal decision: denial overturned" in page
    assert "<li>4 pens per 28 days at retail</li>" in page
    assert "<li>6 pens per 84 days at home delivery</li>" in page
    assert override.authorization_number in page
    assert override.starts_on.strftime("%B %-d, %Y") in page
    assert override.ends_on.strftime("%B %-d, %Y") in page
    assert SEED_CRITERION in page
    assert PHIAccess.objects.filter(action="appeal notice view", user=intake).exists()


def test_a_physician_must_give_a_reason_to_uphold(client, physician, appeal):
    response = decide(client, physician, appeal, "uphold", reason="  ")
    assert response.status_code == 400
    page = response.content.decode()
    assert f'<p class="error" id="uphold-error">{errors.REASON_REQUIRED}</p>' in page
    assert not AppealDecision.objects.exists()


@pytest.mark.parametrize(
    ("line_of_business", "next_level", "days"),
    [
        ("commercial", "an external review by an Independent Review Organization", 120),
        ("medicare", "a reconsideration by the Independent Review Entity (IRE)", 60),
    ],
)
def test_the_upheld_notice_gives_the_reason_the_criterion_who_and_the_next_level(
    client, kesimpta, intake, pharmacist, physician, line_of_business, next_level, days
):
    denied = factories.denied("M9", submitted_by=intake, denied_by=pharmacist)
    # The member's plan as the notice reads it (the Kesimpta file manages commercial plans).
    Member.objects.filter(pk=denied.member_id).update(line_of_business=line_of_business)
    appeal = factories.appeal(denied, by=intake)
    reason = "The 14-month gap is not documented by any claim or note."
    assert decide(client, physician, appeal, "uphold", reason=reason).status_code == 302
    page = client.get(f"/appeals/{appeal.pk}/notice/").content.decode()
    assert "Appeal decision: denial upheld" in page
    assert reason in page
    assert SEED_CRITERION in page  # the denial's criterion (the one attested), verbatim
    assert "physician, Physician reviewer, who was not involved in the denial" in page
    assert next_level in page
    assert f"within <strong>{days} days</strong>" in page


def test_the_next_level_follows_the_setting(
    client, settings, kesimpta, intake, pharmacist, physician
):
    settings.PRIORAUTH_NEXT_APPEAL_LEVEL = {"commercial": ("a review by the State", 45)}
    denied = factories.denied("M9", submitted_by=intake, denied_by=pharmacist)
    appeal = factories.appeal(denied, by=intake)
    services.appeal_decide(appeal_id=appeal.pk, outcome="uphold", reason="No.", by=physician)
    client.force_login(intake)
    page = client.get(f"/appeals/{appeal.pk}/notice/").content.decode()
    assert "a review by the State" in page and "<strong>45 days</strong>" in page


def test_an_open_appeal_has_no_notice_and_another_intake_sees_none(
    client, intake, appeal, physician, django_user_model
):
    from priorauth import roles
    from tests.support.cast import make_user

    client.force_login(intake)
    assert client.get(f"/appeals/{appeal.pk}/notice/").status_code == 404
    services.appeal_decide(appeal_id=appeal.pk, outcome="uphold", reason="No.", by=physician)
    client.force_login(make_user(django_user_model, "intake2", roles.INTAKE))
    assert client.get(f"/appeals/{appeal.pk}/notice/").status_code == 403


def test_a_physician_takes_pends_records_the_answer_and_releases_through_the_page(
    client, physician, appeal
):
    client.force_login(physician)
    url = f"/appeals/{appeal.pk}"
    assert client.post(f"{url}/take/").status_code == 302
    appeal.refresh_from_db()
    assert (appeal.status, appeal.assigned_to) == ("in_review", physician)
    assert client.post(f"{url}/pend/", {"reason": ""}).status_code == 400
    client.post(f"{url}/pend/", {"reason": "Send the neurology note."})
    appeal.refresh_from_db()
    assert (appeal.status, appeal.status_reason) == ("needs_info", "Send the neurology note.")
    client.post(f"{url}/answer/", {"notes": "Note received by fax."})
    appeal.refresh_from_db()
    assert appeal.status == "pending" and "Note received by fax." in appeal.clinical_notes
    client.post(f"{url}/take/")
    assert client.post(f"{url}/release/")["Location"] == "/queue/"
    appeal.refresh_from_db()
    assert (appeal.status, appeal.assigned_to) == ("pending", None)


def test_withdrawing_needs_a_reason(client, pharmacist2, appeal):
    client.force_login(pharmacist2)
    refused = client.post(f"/appeals/{appeal.pk}/withdraw/", {"reason": " "})
    assert refused.status_code == 400
    assert errors.APPEAL_WITHDRAW_REASON_REQUIRED in refused.content.decode()
    client.post(f"/appeals/{appeal.pk}/withdraw/", {"reason": "The prescriber asked by phone."})
    appeal.refresh_from_db()
    assert (appeal.status, appeal.status_reason) == ("withdrawn", "The prescriber asked by phone.")


def test_the_denier_does_not_work_the_appeal_either(client, pharmacist, appeal, denied):
    client.force_login(pharmacist)
    response = client.post(f"/appeals/{appeal.pk}/take/")
    assert response.status_code == 403
    assert errors.APPEAL_BY_DENIER.format(request_id=denied.pk) in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.status == "pending" and appeal.assigned_to is None


def test_an_unknown_action_or_appeal_is_404(client, physician, appeal):
    client.force_login(physician)
    assert client.post(f"/appeals/{appeal.pk}/approve/").status_code == 404
    assert client.get(f"/appeals/{appeal.pk + 1000}/").status_code == 404
