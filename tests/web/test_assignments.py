"""Assignments (issue 13, item 3): deciding a case someone else holds asks first and then
reassigns it, in its history; approve and deny say what they will do before they do it; the
deny reason starts empty, the policy's sentence offered."""

from datetime import timedelta

import pytest
from django.utils import timezone

from priorauth import errors, services
from priorauth.models import Decision, Override, OverrideRequest, PHIAccess
from priorauth.web.confirm import authorization_sentence
from tests.support import factories
from tests.support.cast import token_client
from tests.support.steps import decide

pytestmark = pytest.mark.django_db

POLICY_SENTENCE = "Any other exception is considered not medically necessary."


@pytest.fixture
def dana(pharmacist):
    pharmacist.first_name, pharmacist.last_name = "Dana", "Reyes"
    pharmacist.save()
    return pharmacist


@pytest.fixture
def held(kesimpta, dana):
    """A request Dana Reyes took."""
    factories.member("M1", first_name="Avery", last_name="Quinlan")
    request = factories.kesimpta_request("M1", criterion_number=None)
    services.override_request_take(request_id=request.pk, by=dana)
    return request


def _history(request):
    return list(
        OverrideRequest.history.filter(id=request.pk)
        .order_by("history_date", "history_id")
        .values_list("history_change_reason", "assigned_to__username")
    )


# --- The service --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "fields"),
    [("approve", {"criterion_number": 1}), ("deny", {"reason": "Not initiating."})],
)
def test_the_service_refuses_to_decide_a_case_someone_else_holds_without_take_over(
    held, pharmacist2, outcome, fields
):
    with pytest.raises(errors.TakeOverRequired) as refused:
        services.override_request_decide(
            request_id=held.pk, outcome=outcome, by=pharmacist2, **fields
        )
    assert refused.value.status_code == 409
    assert refused.value.errors == {
        "take_over": [
            f"Override request {held.pk} is assigned to Dana Reyes. Deciding it reassigns it "
            "to you: send take_over: true to confirm."
        ]
    }
    held.refresh_from_db()
    assert (held.status, held.assigned_to.username) == ("in_review", "pharmacist")
    assert Decision.objects.count() == 0 and Override.objects.count() == 0


def test_a_confirmed_take_over_reassigns_the_case_and_writes_it_in_the_history(held, pharmacist2):
    services.override_request_decide(
        request_id=held.pk, outcome="deny", reason="Not initiating.", by=pharmacist2, take_over=True
    )
    held.refresh_from_db()
    assert (held.status, held.assigned_to, held.decision.decided_by) == (
        "denied",
        pharmacist2,
        pharmacist2,
    )
    assert _history(held)[-2:] == [
        ("reassigned from pharmacist to pharmacist2 to decide", "pharmacist2"),
        ("denied", "pharmacist2"),
    ]


def test_pend_is_a_decision_too(held, pharmacist2):
    with pytest.raises(errors.TakeOverRequired):
        services.override_request_pend(request_id=held.pk, reason="Chart notes?", by=pharmacist2)
    services.override_request_pend(
        request_id=held.pk, reason="Chart notes?", by=pharmacist2, take_over=True
    )
    held.refresh_from_db()
    assert (held.status, held.assigned_to) == ("needs_info", pharmacist2)


def test_the_holder_and_an_unassigned_case_need_no_take_over(held, dana, pharmacist2, kesimpta):
    services.override_request_decide(
        request_id=held.pk, outcome="approve", criterion_number=1, by=dana
    )
    factories.member("M2")
    free = factories.kesimpta_request("M2", criterion_number=None)
    services.override_request_decide(
        request_id=free.pk, outcome="deny", reason="Not initiating.", by=pharmacist2
    )
    free.refresh_from_db()
    assert free.assigned_to == pharmacist2


def test_an_appeal_someone_else_holds_needs_take_over(kesimpta, intake, pharmacist, physician):
    denied = factories.denied("M3", submitted_by=intake, denied_by=pharmacist)
    appeal = factories.appeal(denied, by=intake)
    holder = factories.reviewer()
    services.appeal_take(appeal_id=appeal.pk, by=holder)
    with pytest.raises(errors.TakeOverRequired):
        services.appeal_decide(
            appeal_id=appeal.pk, outcome="uphold", reason="Still not met.", by=physician
        )
    services.appeal_decide(
        appeal_id=appeal.pk, outcome="uphold", reason="Still not met.", by=physician, take_over=True
    )
    appeal.refresh_from_db()
    assert appeal.assigned_to == physician
    reasons = list(appeal.history.values_list("history_change_reason", flat=True))
    assert "reassigned from factory-pharmacist to physician to decide" in reasons


# --- The API ------------------------------------------------------------------------------


def test_the_api_answers_409_naming_the_assignee_then_takes_over_with_take_over(held, pharmacist2):
    client = token_client(pharmacist2)
    refused = decide(client, held.pk, decision="deny", reason="Not initiating.")
    assert refused.status_code == 409
    assert "assigned to Dana Reyes" in refused.json()["take_over"][0]
    taken = decide(client, held.pk, decision="deny", reason="Not initiating.", take_over=True)
    assert taken.status_code == 200, taken.content
    held.refresh_from_db()
    assert held.assigned_to == pharmacist2


# --- The pages ----------------------------------------------------------------------------


def test_the_page_says_who_holds_the_case(client, held, pharmacist2):
    client.force_login(pharmacist2)
    page = client.get(f"/requests/{held.pk}/").content.decode()
    assert "Assigned to Dana Reyes. Deciding it reassigns it to you." in page


def test_an_unconfirmed_decision_shows_the_confirmation_and_changes_nothing(
    client, held, pharmacist2
):
    client.force_login(pharmacist2)
    step = client.post(f"/requests/{held.pk}/deny/", {"reason": "Not initiating."})
    page = step.content.decode()
    assert step.status_code == 200
    assert "Deny request" in page
    assert "Assigned to Dana Reyes. Deciding it reassigns it to you." in page
    assert "“Not initiating.”" in page  # what the member will be told
    assert 'name="confirmed" value="1"' in page and 'name="take_over" value="1"' in page
    assert Decision.objects.count() == 0
    assert PHIAccess.objects.filter(action="decision confirmation view").count() == 1
    # The confirmation page's form, posted: decided and reassigned.
    done = client.post(
        f"/requests/{held.pk}/deny/",
        {"reason": "Not initiating.", "confirmed": "1", "take_over": "1"},
    )
    assert done.status_code == 302
    held.refresh_from_db()
    assert (held.status, held.assigned_to) == ("denied", pharmacist2)


def test_confirmed_without_take_over_still_asks_about_the_take_over(client, held, pharmacist2):
    """Someone took it after the page was shown: the service refuses, the page asks."""
    client.force_login(pharmacist2)
    step = client.post(f"/requests/{held.pk}/approve/", {"criterion_number": "1", "confirmed": "1"})
    assert step.status_code == 200
    assert "Assigned to Dana Reyes." in step.content.decode()
    assert Decision.objects.count() == 0


def test_the_approval_confirmation_says_what_the_override_will_be(client, held, dana):
    client.force_login(dana)
    step = client.post(f"/requests/{held.pk}/approve/", {"criterion_number": "1"}).content
    client.post(f"/requests/{held.pk}/approve/", {"criterion_number": "1", "confirmed": "1"})
    override = Override.objects.get()
    created = authorization_sentence(override.allowances.all(), override.ends_on, "pen")
    assert created in step.decode()
    ends_on = timezone.localdate() + timedelta(days=29)
    assert created == (
        "Creates authorization for 4 pens per 28 days at retail or 6 pens per 84 days at "
        f"home delivery until {ends_on:%Y-%m-%d}."
    )
    assert override.ends_on == ends_on


def test_the_dialog_on_the_page_says_what_each_criterion_would_create(client, held, dana):
    client.force_login(dana)
    page = client.get(f"/requests/{held.pk}/").content.decode()
    assert '<dialog id="approve-dialog"' in page
    assert 'data-when-criterion="1">Creates authorization for 4 pens per 28 days' in page


def test_the_deny_reason_starts_empty_with_the_policys_sentence_offered(client, held, dana):
    client.force_login(dana)
    page = client.get(f"/requests/{held.pk}/").content.decode()
    assert f'data-draft-key="case-{held.pk}-deny"' in page
    textarea = page.split('id="deny-reason"', 1)[1].split("</textarea>", 1)[0]
    assert textarea.endswith(">")  # empty
    assert f"<q>{POLICY_SENTENCE}</q>" in page
    assert f'data-fill-text="{POLICY_SENTENCE}"' in page
    # Without JavaScript the link asks for the page with the sentence filled in.
    filled = client.get(f"/requests/{held.pk}/?use_policy_sentence=1").content.decode()
    textarea = filled.split('id="deny-reason"', 1)[1].split("</textarea>", 1)[0]
    assert textarea.endswith(f">{POLICY_SENTENCE}")


def test_an_empty_deny_reason_is_refused_beside_the_field_before_any_confirmation(
    client, held, dana
):
    client.force_login(dana)
    refused = client.post(f"/requests/{held.pk}/deny/", {"reason": "   "})
    page = refused.content.decode()
    assert refused.status_code == 400
    assert '<p class="error" id="deny-error">A denial needs a reason.</p>' in page
    assert 'aria-describedby="deny-help deny-error"' in page
    assert "Deny request" not in page.split("<main", 1)[1].split('id="deny-dialog"', 1)[0]
    assert Decision.objects.count() == 0


def test_the_appeal_page_confirms_an_overturn_with_the_authorization(
    client, kesimpta, intake, pharmacist, pharmacist2
):
    denied = factories.denied("M4", submitted_by=intake, denied_by=pharmacist)
    appeal = factories.appeal(denied, by=intake)
    client.force_login(pharmacist2)
    step = client.post(f"/appeals/{appeal.pk}/overturn/", {"criterion_number": "1"})
    assert step.status_code == 200
    assert "Creates authorization for 4 pens per 28 days at retail" in step.content.decode()
    assert Override.objects.count() == 0
    # The denier is told why, not asked to confirm.
    client.force_login(pharmacist)
    assert (
        client.post(f"/appeals/{appeal.pk}/overturn/", {"criterion_number": "1"}).status_code == 403
    )
