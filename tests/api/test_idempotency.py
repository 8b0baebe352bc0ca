"""`Idempotency-Key`: a retried POST returns the first answer and writes nothing more."""

import pytest

from priorauth.models import Claim, Override
from tests.support.steps import KESIMPTA_NDC, create_member, submit_request

pytestmark = pytest.mark.django_db

CLAIM = {
    "member_id": "M1",
    "ndc": KESIMPTA_NDC,
    "quantity": "1",
    "days_supply": 28,
    "channel": "retail",
}


@pytest.fixture
def member(kesimpta, as_intake):
    assert create_member(as_intake, "M1").status_code == 201


def test_a_retried_claim_returns_the_first_answer_and_is_adjudicated_once(member, as_claims):
    first = as_claims.post("/api/v1/claims/", CLAIM, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    retry = as_claims.post("/api/v1/claims/", CLAIM, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert Claim.objects.count() == 1
    # Without the key, the same body is a second claim (and a second pen is too early).
    again = as_claims.post("/api/v1/claims/", CLAIM, format="json")
    assert again.json()["status"] == "rejected"
    assert Claim.objects.count() == 2


def test_a_key_reused_with_a_different_body_is_refused(member, as_claims):
    as_claims.post("/api/v1/claims/", CLAIM, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    other = {**CLAIM, "quantity": "2"}
    response = as_claims.post("/api/v1/claims/", other, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert response.status_code == 422
    assert "different request" in response.json()["Idempotency-Key"][0]
    assert Claim.objects.count() == 1


def test_an_error_is_replayed_too_and_writes_nothing(member, as_claims):
    bad = {**CLAIM, "days_supply": 0}
    first = as_claims.post("/api/v1/claims/", bad, format="json", HTTP_IDEMPOTENCY_KEY="k-3")
    retry = as_claims.post("/api/v1/claims/", bad, format="json", HTTP_IDEMPOTENCY_KEY="k-3")
    assert first.status_code == retry.status_code == 400
    assert retry.json() == first.json()
    assert Claim.objects.count() == 0


def test_keys_belong_to_one_client(member, as_claims, django_user_model):
    from django.contrib.auth.models import Group

    from tests.support.cast import token_client

    other = django_user_model.objects.create_user("claims2")
    other.groups.add(Group.objects.get(name="Claims system"))
    as_claims.post("/api/v1/claims/", CLAIM, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    second = token_client(other).post(
        "/api/v1/claims/", CLAIM, format="json", HTTP_IDEMPOTENCY_KEY="shared"
    )
    assert second.status_code == 201
    assert "Idempotent-Replayed" not in second
    assert Claim.objects.count() == 2


def test_a_retried_approval_creates_one_override(member, as_intake, as_pharmacist):
    request_id = submit_request(as_intake, member_id="M1").json()["id"]
    path = f"/api/v1/override-requests/{request_id}/decision/"
    body = {"decision": "approve", "criterion_number": 1}
    first = as_pharmacist.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY="d-1")
    retry = as_pharmacist.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY="d-1")
    assert first.status_code == retry.status_code == 200
    assert retry.json()["override"] == first.json()["override"]
    assert Override.objects.count() == 1
