"""The intake form (same messages as the API), the overrides page, the PHI access log."""

from datetime import timedelta

import pytest
from django.utils import timezone

from priorauth.models import Override, OverrideRequest, PHIAccess
from tests.support import factories
from tests.support.questions import without_questions
from tests.support.steps import VALID_NPI, submit_request

pytestmark = pytest.mark.django_db

GOOD = {
    "member_id": "M1",
    "ndc": "00078-1007-68",
    "quantity": "4",
    "days_supply": "28",
    "channel": "retail",
    "prescriber_npi": VALID_NPI,
    "urgency": "expedited",
    "criterion_number": "1",
    "clinical_notes": "New start.",
}


@pytest.fixture
def intake_page(client, intake, kesimpta):
    factories.member("M1")
    client.force_login(intake)
    return client


def test_intake_submits_a_request_and_sees_it_in_its_list(intake_page, intake, kesimpta):
    without_questions(kesimpta)  # submitted at once, as before question sets
    response = intake_page.post("/requests/new/", GOOD, follow=True)
    request = OverrideRequest.objects.get()
    assert (request.submitted_by, request.urgency, request.attested_criterion.number) == (
        intake,
        "expedited",
        1,
    )
    assert (request.due_at - request.received_at) == timedelta(hours=24)
    assert f"Request {request.pk} received" in response.content.decode()
    assert "pending" in intake_page.get("/requests/mine/").content.decode()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("ndc", "1234"),
        ("quantity", "0"),
        ("days_supply", "400"),
        ("prescriber_npi", "1234567890"),
        ("member_id", "NOBODY"),
        ("ndc", "12345678901"),
    ],
)
def test_the_form_gives_the_same_message_as_the_api(intake_page, as_intake, field, value):
    api = submit_request(as_intake, **{**{k: v for k, v in GOOD.items()}, field: value})
    assert api.status_code == 400
    page = intake_page.post("/requests/new/", {**GOOD, field: value})
    assert page.status_code == 400
    assert api.json()[field][0] in page.content.decode().replace("&#x27;", "'")
    assert OverrideRequest.objects.count() == 0


def test_other_roles_cannot_use_the_intake_form(client, pharmacist, auditor):
    for user in (pharmacist, auditor):
        client.force_login(user)
        assert client.get("/requests/new/").status_code == 403


@pytest.fixture
def overrides(kesimpta):
    today = timezone.localdate()
    return {
        "soon": factories.override("S1", ends_on=today + timedelta(days=3)),
        "later": factories.override("L1", ends_on=today + timedelta(days=20)),
        "stale": factories.override("X1", ends_on=today - timedelta(days=2)),
        "used": factories.override("U1", ends_on=today + timedelta(days=5), status="used"),
    }


def test_the_overrides_page_shows_status_as_of_today(client, pharmacist, overrides):
    client.force_login(pharmacist)
    response = client.get("/overrides/")
    active = [(o.authorization_number, days, soon) for o, days, soon in response.context["active"]]
    assert active == [
        (overrides["soon"].authorization_number, 4, True),
        (overrides["later"].authorization_number, 21, False),
    ]
    ended = {o.authorization_number: status for o, status in response.context["ended"]}
    # Stored active, but past its end: shown as expired whatever the worker has done.
    assert ended[overrides["stale"].authorization_number] == "expired"
    assert ended[overrides["used"].authorization_number] == "used"
    assert "Ends soon" in response.content.decode()


def test_revoking_needs_a_reason_and_is_kept_in_history(client, pharmacist, overrides):
    client.force_login(pharmacist)
    target = overrides["later"]
    response = client.post(f"/overrides/{target.pk}/revoke/", {"reason": ""}, follow=True)
    assert "A revocation needs a reason." in response.content.decode()
    assert Override.objects.get(pk=target.pk).status == "active"
    client.post(f"/overrides/{target.pk}/revoke/", {"reason": "Prescriber cancelled therapy"})
    revoked = Override.objects.get(pk=target.pk)
    assert (revoked.status, revoked.revoked_by, revoked.revoke_reason) == (
        "revoked",
        pharmacist,
        "Prescriber cancelled therapy",
    )
    assert revoked.history.first().history_change_reason == "revoked: Prescriber cancelled therapy"


def test_an_ended_override_cannot_be_revoked(client, pharmacist, overrides):
    client.force_login(pharmacist)
    response = client.post(
        f"/overrides/{overrides['stale'].pk}/revoke/", {"reason": "late"}, follow=True
    )
    assert "only an active one can be revoked" in response.content.decode()
    assert Override.objects.get(pk=overrides["stale"].pk).status == "active"


def test_an_auditor_cannot_revoke(client, auditor, overrides):
    client.force_login(auditor)
    response = client.post(f"/overrides/{overrides['later'].pk}/revoke/", {"reason": "x"})
    assert response.status_code == 403


def test_auditors_browse_the_access_log_and_others_cannot(client, auditor, pharmacist, kesimpta):
    factories.member("M1")
    client.force_login(pharmacist)
    client.get("/members/M1/")
    assert PHIAccess.objects.filter(action="member page view").count() == 1
    assert client.get("/audit/access/").status_code == 403
    client.force_login(auditor)
    page = client.get("/audit/access/?member=M1").content.decode()
    assert "member page view" in page and "pharmacist" in page


def test_the_home_page_sends_each_role_to_its_work(client, pharmacist, intake, stranger):
    client.force_login(pharmacist)
    assert client.get("/")["Location"] == "/queue/"
    client.force_login(intake)
    assert client.get("/")["Location"] == "/requests/mine/"
    client.force_login(stranger)
    assert "none yet" in client.get("/").content.decode()


def test_the_form_lists_every_problem_at_once(intake_page):
    response = intake_page.post("/requests/new/", {"member_id": "M1", "ndc": "123"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) >= {"ndc", "quantity", "days_supply", "prescriber_npi", "urgency"}
    assert "is not an NDC" in errors["ndc"][0]
    assert errors["quantity"] == ["This field is required."]
    assert OverrideRequest.objects.count() == 0
