"""The member notices (item 7 of issue 13): the plan and its contact, where to send an
appeal, quantities in the policy's unit, who decided by name and role, the prescriber;
the same notice as a PDF download, logged as a PHI read. And the prescriber on the case
page and at intake."""

import io

import pytest
from django.contrib.auth.models import Group
from pypdf import PdfReader

from priorauth import roles, services
from priorauth.models import PHIAccess
from tests.support import factories
from tests.support.questions import without_questions
from tests.support.steps import VALID_NPI

pytestmark = pytest.mark.django_db

PLAN = {
    "PRIORAUTH_PLAN_NAME": "Larkspur Community Health (test)",
    "PRIORAUTH_PLAN_PHONE": "1-800-555-0177",
    "PRIORAUTH_PLAN_HOURS": "every day, 7 a.m. to 7 p.m.",
    "PRIORAUTH_APPEALS_ADDRESS": "Larkspur Appeals|PO Box 5501|Anytown, ST 00000",
    "PRIORAUTH_APPEALS_FAX": "1-800-555-0178",
}


@pytest.fixture(autouse=True)
def plan(settings):
    for name, value in PLAN.items():
        setattr(settings, name, value)


@pytest.fixture
def named(django_user_model):
    """A pharmacist and a physician with names on file (the notices name people)."""
    people = {}
    for username, role, first, last in (
        ("reyes", roles.CLINICAL_PHARMACIST, "Morgan", "Reyes"),
        ("okafor", roles.PHYSICIAN_REVIEWER, "Samuel", "Okafor"),
    ):
        user = django_user_model.objects.create_user(username, first_name=first, last_name=last)
        user.groups.add(Group.objects.get_or_create(name=role)[0])
        people[username] = user
    return people


@pytest.fixture
def approved(kesimpta, intake, named):
    factories.listed_prescriber()
    factories.member("M1", first_name="Wren", last_name="Halloway")
    request = factories.kesimpta_request("M1", submitted_by=intake)
    services.override_request_decide(
        request_id=request.pk, outcome="approve", criterion_number=1, by=named["reyes"]
    )
    return request


@pytest.fixture
def upheld(kesimpta, intake, named):
    request = factories.denied(
        "M2", submitted_by=intake, denied_by=named["reyes"], first_name="Ilse", last_name="Brandt"
    )
    appeal = factories.appeal(request, by=intake)
    services.appeal_decide(
        appeal_id=appeal.pk, outcome="uphold", reason="Still not met.", by=named["okafor"]
    )
    return appeal


def _page(client, user, path) -> str:
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


def test_the_approval_notice_names_plan_units_decider_and_prescriber(client, intake, approved):
    page = _page(client, intake, f"/requests/{approved.pk}/notice/")
    assert "Larkspur Community Health (test)" in page
    assert "1-800-555-0177" in page and "every day, 7 a.m. to 7 p.m." in page
    assert "<td>4 pens</td>" in page  # what is authorized, in the policy's unit
    assert "4 pens for 28 days" in page  # what was requested
    assert "Morgan Reyes, Clinical pharmacist" in page
    assert "reyes)" not in page  # the username is not how a member is told
    assert "Avery Lindqvist, MD" in page and "Neurology" in page
    assert "(212) 555-0142" in page and "(212) 555-0143" in page


def test_the_denial_notice_says_where_to_send_an_appeal(client, intake, kesimpta, named):
    request = factories.denied("M3", submitted_by=intake, denied_by=named["reyes"])
    page = _page(client, intake, f"/requests/{request.pk}/notice/")
    assert "Larkspur Appeals<br>PO Box 5501<br>Anytown, ST 00000" in page
    assert "1-800-555-0178" in page  # the appeals fax
    assert "Morgan Reyes, Clinical pharmacist" in page
    assert f'NPI {VALID_NPI} · <span class="not-listed">not in the prescriber directory' in page


def test_the_upheld_appeal_notice_names_the_physician_and_the_plan(client, intake, upheld):
    page = _page(client, intake, f"/appeals/{upheld.pk}/notice/")
    assert "Samuel Okafor, Physician reviewer, who was not involved in the denial" in page
    assert "by Morgan Reyes, Clinical pharmacist" in page  # who denied
    assert "Larkspur Community Health (test)" in page and "1-800-555-0177" in page
    assert "4 pens for 28 days" in page


def _pdf_text(response) -> str:
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_the_notice_pdf_is_the_same_notice_as_an_attachment_logged_as_a_phi_read(
    client, intake, approved
):
    client.force_login(intake)
    before = PHIAccess.objects.count()
    response = client.get(f"/requests/{approved.pk}/notice.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    disposition = response["Content-Disposition"]
    assert disposition == (f'attachment; filename="determination-notice-request-{approved.pk}.pdf"')
    text = _pdf_text(response)
    for expected in (
        "Coverage determination: approved",
        "Larkspur Community Health (test)",
        "Wren Halloway",
        "4 pens",
        "Morgan Reyes, Clinical pharmacist",
        "Avery Lindqvist, MD",
        "(212) 555-0143",
        approved.override.authorization_number,
    ):
        assert expected in text, expected
    assert "Download PDF" not in text  # what print leaves out, the PDF leaves out
    entry = PHIAccess.objects.order_by("pk")[before:].get()
    assert (entry.user, entry.member.member_id, entry.action) == (
        intake,
        "M1",
        "determination notice PDF download",
    )


def test_the_appeal_notice_pdf_carries_the_next_level_and_the_appeals_contact(
    client, intake, upheld
):
    client.force_login(intake)
    response = client.get(f"/appeals/{upheld.pk}/notice.pdf")
    assert response["Content-Disposition"] == (
        f'attachment; filename="appeal-notice-{upheld.pk}.pdf"'
    )
    text = _pdf_text(response)
    assert "Appeal decision: denial upheld" in text
    assert "Samuel Okafor, Physician reviewer" in text
    assert "external review" in text
    assert PHIAccess.objects.filter(action="appeal notice PDF download").count() == 1


def test_another_intake_user_gets_no_pdf_and_nothing_is_logged(client, approved, django_user_model):
    other = django_user_model.objects.create_user("intake-other")
    other.groups.add(Group.objects.get_or_create(name=roles.INTAKE)[0])
    client.force_login(other)
    before = PHIAccess.objects.count()
    assert client.get(f"/requests/{approved.pk}/notice.pdf").status_code == 403
    assert PHIAccess.objects.count() == before


def test_the_case_page_shows_the_prescriber_with_phone_and_fax(client, pharmacist, approved):
    page = _page(client, pharmacist, f"/requests/{approved.pk}/")
    assert "Avery Lindqvist, MD</span> · Neurology · NPI 1234567893" in page
    assert 'href="tel:+12125550142"' in page and "Fax (212) 555-0143" in page


def test_intake_is_told_who_the_prescriber_is_when_the_request_is_received(
    client, intake, kesimpta
):
    without_questions(kesimpta)
    factories.listed_prescriber()
    factories.member("M5")
    client.force_login(intake)
    form = {
        "member_id": "M5",
        "ndc": "00078-1007-68",
        "quantity": "4",
        "days_supply": "28",
        "channel": "retail",
        "prescriber_npi": VALID_NPI,
        "urgency": "standard",
        "criterion_number": "1",
    }
    page = client.post("/requests/new/", form, follow=True).content.decode()
    assert "Prescriber: Avery Lindqvist, MD · Neurology · NPI 1234567893." in page
    lookup = client.get("/requests/new/").content.decode()
    assert 'data-prescriber-lookup="/api/v1/prescribers/"' in lookup
    assert "priorauth/prescriber.js" in lookup
