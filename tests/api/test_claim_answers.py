"""The claims endpoint answers from one serializer built once per process
(serializers.claim_data): the answer must be exactly what a serializer built for the claim
would give, for every kind of claim, and the body of a bad claim exactly what `is_valid`
would report."""

from datetime import date, timedelta

import pytest
from rest_framework.exceptions import ValidationError

from priorauth.api.claim_answers import claim_data
from priorauth.api.serializers import ClaimSerializer
from priorauth.inputs import ClaimInput
from priorauth.models import Claim
from tests.support.steps import at_noon, create_member, decide, submit_claim, submit_request

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 1)


@pytest.fixture
def every_kind_of_claim(kesimpta, as_intake, as_claims, as_pharmacist):
    """Paid, rejected by the limit, paid under an override, reversed, and rejected for
    coverage and for age: what the claims endpoint answers with."""
    with at_noon(TODAY):
        create_member(as_intake, "M1")
        create_member(as_intake, "M2", coverage_start="2030-01-01")
        paid = submit_claim(as_claims, member_id="M1").json()
        submit_claim(as_claims, member_id="M1")  # rejected: early refill
        submit_claim(as_claims, member_id="M2")  # rejected: not covered
        old = (TODAY - timedelta(days=400)).isoformat()
        submit_claim(as_claims, member_id="M1", date_of_service=old)  # rejected: too old
        request = submit_request(as_intake, member_id="M1").json()
        approved = decide(as_pharmacist, request["id"], decision="approve", criterion_number=1)
        assert approved.status_code == 200, approved.content
        submit_claim(as_claims, member_id="M1", quantity="3")  # paid under the override
        reversal = as_claims.post(f"/api/v1/claims/{paid['id']}/reversal/")
        assert reversal.status_code == 200, reversal.content
    claims = list(Claim.objects.select_related("member", "policy", "override").order_by("pk"))
    kinds = {(c.status, c.reject_code, c.override_id is not None) for c in claims}
    assert len(kinds) >= 5, kinds
    return claims


def test_the_shared_serializer_answers_as_a_new_one_would(every_kind_of_claim):
    for claim in every_kind_of_claim:
        assert claim_data(claim) == ClaimSerializer(claim).data


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        "text",
        {},
        {"member_id": "M1"},
        {"member_id": "M1", "ndc": "123", "quantity": "-1", "days_supply": 0, "channel": "x"},
        {"member_id": "M" * 500, "ndc": "00078100768", "quantity": "1e400", "days_supply": "a"},
    ],
)
def test_bad_claims_are_reported_as_is_valid_would(as_claims, body):
    from priorauth.api.views import _validated

    serializer = ClaimInput(data=body)
    assert not serializer.is_valid()

    class Posted:
        data = body

    with pytest.raises(ValidationError) as raised:
        _validated(ClaimInput, Posted)
    assert raised.value.detail == serializer.errors
