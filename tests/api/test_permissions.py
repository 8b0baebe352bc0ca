"""Each role reaches what docs/domain.md §5 gives it, and nothing else."""

import pytest
from rest_framework.test import APIClient

from priorauth.models import PHIAccess
from tests.support.cast import token_client
from tests.support.steps import create_member, decide, submit_claim, submit_request

pytestmark = pytest.mark.django_db

ROLE_FIXTURES = ["pharmacist", "policy_admin", "intake", "claims_system", "auditor", "stranger"]


@pytest.fixture
def cast(request):
    return {name: token_client(request.getfixturevalue(name)) for name in ROLE_FIXTURES}


@pytest.fixture
def world(kesimpta, as_intake, as_pharmacist):
    assert create_member(as_intake, "M1").status_code == 201
    request_id = submit_request(as_intake, member_id="M1").json()["id"]
    return {"request_id": request_id}


def _call(client, action, world):
    if action == "create member":
        return create_member(client, "NEW1")
    if action == "read member":
        return client.get("/api/v1/members/M1/")
    if action == "submit claim":
        return submit_claim(client, member_id="M1")
    if action == "submit request":
        return submit_request(client, member_id="M1")
    if action == "read request":
        return client.get(f"/api/v1/override-requests/{world['request_id']}/")
    if action == "decide":
        return decide(
            client, world["request_id"], decision="deny", reason="Not medically necessary"
        )
    if action == "list overrides":
        return client.get("/api/v1/overrides/?member_id=M1")
    raise AssertionError(action)


ALLOWED = {
    "create member": {"intake", "policy_admin"},
    "read member": {"pharmacist", "auditor"},
    "submit claim": {"claims_system"},
    "submit request": {"intake"},
    "read request": {"intake", "pharmacist", "auditor"},
    "decide": {"pharmacist"},
    "list overrides": {"pharmacist", "auditor"},
}


@pytest.mark.parametrize("action", list(ALLOWED))
@pytest.mark.parametrize("role", ROLE_FIXTURES)
def test_each_role_may_do_exactly_what_design_section_5_gives_it(cast, world, role, action):
    response = _call(cast[role], action, world)
    if role in ALLOWED[action]:
        assert response.status_code in (200, 201), (role, action, response.content)
    else:
        assert response.status_code == 403, (role, action, response.status_code)


@pytest.mark.parametrize(
    "path",
    ["/api/v1/members/M1/", "/api/v1/overrides/", "/api/v1/schema/", "/api/v1/docs/", "/"],
)
def test_nothing_is_served_without_a_login(world, path):
    response = APIClient().get(path)
    assert response.status_code in (302, 401, 403)
    if response.status_code == 302:
        assert "/accounts/login/" in response["Location"]


def test_a_bad_token_is_refused(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/v1/members/M1/").status_code == 401


def test_intake_sees_only_requests_it_submitted(world, django_user_model):
    from django.contrib.auth.models import Group

    other = django_user_model.objects.create_user("intake2")
    other.groups.add(Group.objects.get(name="Intake"))
    response = token_client(other).get(f"/api/v1/override-requests/{world['request_id']}/")
    assert response.status_code == 404


def test_reading_a_member_is_recorded_in_the_phi_access_log(world, as_pharmacist, pharmacist):
    assert PHIAccess.objects.count() == 0
    response = as_pharmacist.get("/api/v1/members/M1/", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    entry = PHIAccess.objects.get()
    assert (entry.user, entry.member.member_id, entry.action) == (
        pharmacist,
        "M1",
        "api member read",
    )
    assert entry.remote_addr == "10.1.2.3"
    assert entry.path == "/api/v1/members/M1/"


def test_the_phi_access_log_is_append_only(world, as_pharmacist):
    as_pharmacist.get("/api/v1/members/M1/")
    entry = PHIAccess.objects.get()
    entry.action = "tampered"
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()


def test_the_schema_and_the_swagger_ui_are_served_to_a_logged_in_user(world, as_auditor):
    schema = as_auditor.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    assert "/api/v1/claims/" in schema.json()["paths"]
    docs = as_auditor.get("/api/v1/docs/")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "swagger-ui" in page
    # Offline: every asset comes from our own static files, none from a CDN.
    assert "cdn" not in page.lower()
    assert "/static/drf_spectacular_sidecar/" in page


def test_removing_a_role_takes_effect_on_the_next_request(world, pharmacist):
    client = token_client(pharmacist)
    assert client.get("/api/v1/members/M1/").status_code == 200
    pharmacist.groups.clear()
    assert client.get("/api/v1/members/M1/").status_code == 403
