"""Appeals through the HTTP API (docs/domain.md §10): a denial is contested, and the
person who denied is not the judge of the appeal."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction

from priorauth.models import Appeal, AppealDecision, Override, PHIAccess
from tests.support.cast import token_client
from tests.support.steps import at_noon, create_member, decide, submit_claim, submit_request

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 2)


def appeal(client, request_id: int, **fields):
    body = {
        "reason": "The chart note shows week 0 was missed; induction restarts.",
        "urgency": "standard",
    }
    body.update(fields)
    return client.post(f"/api/v1/override-requests/{request_id}/appeals/", body, format="json")


def decide_appeal(client, appeal_id: int, **fields):
    return client.post(f"/api/v1/appeals/{appeal_id}/decision/", fields, format="json")


@pytest.fixture
def denied(kesimpta, as_intake, pharmacist):
    """A request for M1 that the pharmacist denied today; its id."""
    with at_noon(TODAY):
        assert create_member(as_intake, "M1").status_code == 201
        request_id = submit_request(as_intake, member_id="M1").json()["id"]
        denial = decide(
            token_client(pharmacist), request_id, decision="deny", reason="Not initiating."
        )
        assert denial.status_code == 200
    return request_id


def test_the_whole_way_from_denial_to_an_upheld_appeal(
    denied, as_intake, pharmacist, pharmacist2, physician
):
    with at_noon(TODAY + timedelta(days=1)):
        filed = appeal(as_intake, denied)
        assert filed.status_code == 201
        body = filed.json()
        assert (body["status"], body["request_id"], body["decision"]) == ("pending", denied, None)
        assert body["due_at"] == "2026-11-10T12:00:00-05:00"  # 168 hours
        appeal_id = body["id"]

        by_denier = decide_appeal(
            token_client(pharmacist), appeal_id, decision="overturn", criterion_number=1
        )
        assert by_denier.status_code == 403
        assert "You denied request" in by_denier.json()["decision"][0]
        by_pharmacist = decide_appeal(
            token_client(pharmacist2), appeal_id, decision="uphold", reason="Still not met."
        )
        assert by_pharmacist.status_code == 403
        assert "Only a physician reviewer can uphold" in by_pharmacist.json()["decision"][0]
        assert not AppealDecision.objects.exists()

        upheld = decide_appeal(
            token_client(physician),
            appeal_id,
            decision="uphold",
            reason="No new evidence that treatment is being initiated.",
        )
    assert upheld.status_code == 200
    decision = upheld.json()["decision"]
    assert (decision["outcome"], decision["decided_by"]) == ("uphold", "physician")
    assert decision["decided_role"] == "Physician reviewer"
    assert decision["criterion_number"] == 1
    assert upheld.json()["status"] == "decided" and upheld.json()["override"] is None


def test_an_overturn_by_another_pharmacist_creates_the_override_and_the_claim_pays(
    denied, as_intake, pharmacist2, claims_system
):
    with at_noon(TODAY + timedelta(days=1)):
        appeal_id = appeal(as_intake, denied).json()["id"]
        overturned = decide_appeal(
            token_client(pharmacist2), appeal_id, decision="overturn", criterion_number=1
        )
        assert overturned.status_code == 200
        override = overturned.json()["override"]
        assert override["starts_on"] == "2026-11-03" and override["status"] == "active"
        assert overturned.json()["decision"]["decided_role"] == "Clinical pharmacist"
        claim = submit_claim(token_client(claims_system), member_id="M1", quantity="4").json()
    assert claim["status"] == "paid"
    assert claim["override"]["authorization_number"] == override["authorization_number"]
    stored = Override.objects.get()
    assert stored.history.earliest("history_id").history_change_reason == (
        f"appeal {appeal_id} overturned under criterion 1"
    )


def test_only_a_denied_request_can_be_appealed(kesimpta, as_intake, pharmacist):
    with at_noon(TODAY):
        create_member(as_intake, "M1")
        request_id = submit_request(as_intake, member_id="M1").json()["id"]
        pending = appeal(as_intake, request_id)
        decide(token_client(pharmacist), request_id, decision="approve", criterion_number=1)
        approved = appeal(as_intake, request_id)
    assert pending.status_code == approved.status_code == 409
    assert approved.json() == {
        "request_id": [f"Request {request_id} is approved; only a denied request can be appealed."]
    }
    assert not Appeal.objects.exists()


def test_a_second_open_appeal_is_refused_but_one_after_a_decision_is_not(
    denied, as_intake, physician
):
    with at_noon(TODAY):
        first = appeal(as_intake, denied).json()["id"]
        second = appeal(as_intake, denied)
        assert second.status_code == 409
        assert f"already has an open appeal ({first}, pending)" in second.json()["request_id"][0]
        decide_appeal(token_client(physician), first, decision="uphold", reason="Not met.")
        assert appeal(as_intake, denied).status_code == 201


def test_an_appeal_after_the_window_is_refused(denied, as_intake, settings):
    settings.PRIORAUTH_APPEAL_DAYS = 60
    with at_noon(TODAY + timedelta(days=60)):
        assert appeal(as_intake, denied).status_code == 201
    Appeal.objects.all().delete()
    with at_noon(TODAY + timedelta(days=61)):
        late = appeal(as_intake, denied)
    assert late.status_code == 400
    assert late.json() == {
        "request_id": [
            f"The appeal window for request {denied} closed on 2027-01-01: an appeal is filed "
            "within 60 days of the denial (2026-11-02)."
        ]
    }


def test_bad_input_is_refused_field_by_field(denied, as_intake):
    response = appeal(as_intake, denied, reason="  ", urgency="soon")
    assert response.status_code == 400
    assert set(response.json()) == {"reason", "urgency"}
    assert appeal(as_intake, 999999).status_code == 404
    assert not Appeal.objects.exists()


def test_intake_appeals_and_reads_only_its_own(denied, django_user_model):
    from priorauth import roles
    from tests.support.cast import make_user

    other = token_client(make_user(django_user_model, "intake2", roles.INTAKE))
    assert appeal(other, denied).status_code == 404


def test_reading_an_appeal(denied, as_intake, as_auditor, django_user_model):
    from priorauth import roles
    from tests.support.cast import make_user

    appeal_id = appeal(as_intake, denied).json()["id"]
    assert as_intake.get(f"/api/v1/appeals/{appeal_id}/").status_code == 200
    other = token_client(make_user(django_user_model, "intake2", roles.INTAKE))
    assert other.get(f"/api/v1/appeals/{appeal_id}/").status_code == 404
    read = as_auditor.get(f"/api/v1/appeals/{appeal_id}/")
    assert read.json()["member_id"] == "M1"
    assert PHIAccess.objects.filter(action="api appeal read", user__username="auditor").exists()


def test_a_decided_appeal_is_not_decided_again(denied, as_intake, physician, pharmacist2):
    appeal_id = appeal(as_intake, denied).json()["id"]
    decide_appeal(token_client(physician), appeal_id, decision="uphold", reason="Not met.")
    again = decide_appeal(
        token_client(pharmacist2), appeal_id, decision="overturn", criterion_number=1
    )
    assert again.status_code == 409
    assert "was already upheld by physician" in again.json()["decision"][0]


def test_who_may_decide(denied, as_intake, as_auditor, as_claims):
    appeal_id = appeal(as_intake, denied).json()["id"]
    for client in (as_intake, as_auditor, as_claims):
        response = decide_appeal(client, appeal_id, decision="overturn", criterion_number=1)
        assert response.status_code == 403


def test_the_database_allows_one_open_appeal_per_request(denied, as_intake):
    first = Appeal.objects.get(pk=appeal(as_intake, denied).json()["id"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Appeal.objects.create(
            request_id=denied,
            member_id=first.member_id,
            urgency="standard",
            reason="again",
            received_at=first.received_at,
            due_at=first.due_at,
        )


def test_a_retried_appeal_with_its_key_files_one(denied, as_intake):
    body = {"reason": "New chart note.", "urgency": "expedited"}
    url = f"/api/v1/override-requests/{denied}/appeals/"
    first = as_intake.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="ap-1")
    retry = as_intake.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="ap-1")
    assert retry.json() == first.json() and first.status_code == 201
    assert Appeal.objects.count() == 1


def test_no_appeal_after_an_overturn(denied, as_intake, pharmacist2):
    """The request stays "denied" once its appeal is overturned (the override hangs on it);
    a second appeal would let a physician "uphold" a denial whose override is in force."""
    first = appeal(as_intake, denied).json()["id"]
    overturned = decide_appeal(
        token_client(pharmacist2), first, decision="overturn", criterion_number=1
    )
    assert overturned.status_code == 200
    again = appeal(as_intake, denied)
    assert again.status_code == 409
    assert again.json() == {
        "request_id": [
            f"The denial of request {denied} was overturned on appeal {first}; there is nothing "
            "left to appeal."
        ]
    }
    assert Appeal.objects.count() == 1


def test_a_refused_decision_is_not_kept_under_its_key(denied, as_intake, pharmacist, physician):
    """A 403 is about who asks: a retry under the same key is asked again, not replayed."""
    appeal_id = appeal(as_intake, denied).json()["id"]
    url = f"/api/v1/appeals/{appeal_id}/decision/"
    body = {"decision": "uphold", "reason": "Not met."}
    by_denier = token_client(pharmacist).post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="d-1")
    again = token_client(pharmacist).post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="d-1")
    assert by_denier.status_code == again.status_code == 403
    assert "Idempotent-Replayed" not in again
    upheld = token_client(physician).post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="d-1")
    assert upheld.status_code == 200
