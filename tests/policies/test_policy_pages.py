"""The read-only policy pages under /policies/: every role that may see policies reads them."""

import pytest
from django.urls import reverse

from policies.files import load_policy_file
from tests.support.paths import EMGALITY_FILE, HUMIRA_FILE
from tests.support.policy_admin import change_form_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["pharmacist", "auditor", "policy_admin"])
def test_roles_that_may_see_policies_read_the_list_and_the_page(client, kesimpta, role, request):
    client.force_login(request.getfixturevalue(role))
    listing = client.get(reverse("policies:list"))
    assert listing.status_code == 200
    assert kesimpta.title in listing.content.decode()
    page = client.get(reverse("policies:detail", args=[kesimpta.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "If the patient is initiating treatment or requires additional induction dosing" in text
    assert "00078-1007-68" in text
    assert "1 per 28 days at retail" in text
    assert "History of this version" in text and "loaded from kesimpta.yaml" in text
    assert "Edit in the admin" not in text  # not staff


@pytest.mark.parametrize("role", ["intake", "claims_system", "stranger"])
def test_other_roles_are_refused(client, kesimpta, role, request):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("policies:list")).status_code == 403
    assert client.get(reverse("policies:detail", args=[kesimpta.pk])).status_code == 403
    assert client.get(reverse("policies:export", args=[kesimpta.pk])).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, kesimpta):
    response = client.get(reverse("policies:detail", args=[kesimpta.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("term", ["Emgality", "migraine-emgality", "syringe", "00002-2377-11"])
def test_the_list_searches_by_title_code_drug_or_ndc(client, pharmacist, kesimpta, term):
    load_policy_file(EMGALITY_FILE)
    client.force_login(pharmacist)
    rows = client.get(reverse("policies:list"), {"q": term}).context["rows"]
    assert [policy.code for policy, _ in rows] == ["migraine-emgality-dqm"]


def test_the_page_shows_a_change_made_in_the_admin_with_its_diff(
    client, pharmacist, admin_client_policy, kesimpta
):
    data = change_form_data(kesimpta, reason="raise the retail limit")
    data["limits-0-max_quantity"] = "2"
    admin_client_policy.post(reverse("admin:policies_policy_change", args=[kesimpta.pk]), data)
    client.force_login(pharmacist)
    text = client.get(reverse("policies:detail", args=[kesimpta.pk])).content.decode()
    assert "raise the retail limit" in text and "policyadmin" in text
    assert "<del>1</del>" in text and "<ins>2</ins>" in text


def test_the_page_shows_each_criterions_questions_evidence_and_automatic_approval(
    client, pharmacist
):
    humira = load_policy_file(HUMIRA_FILE).policy
    client.force_login(pharmacist)
    response = client.get(reverse("policies:detail", args=[humira.pk]))
    text = response.content.decode().replace("&#x27;", "'")
    induction, maintenance = response.context["criteria"]
    assert induction[1]["automatic"].startswith(
        "Approved automatically when “What is the patient's diagnosis?” is answered "
        "“Crohn's disease” or “ulcerative colitis” or “hidradenitis suppurativa”; the member's "
        "claims show no paid fill of the policy's products in the 180 days before receipt;"
    )
    assert maintenance[1]["automatic"] == "Always decided by a pharmacist."
    assert "Always decided by a pharmacist." in text
    assert "<caption>Questions the prescriber's office answers for criterion 2</caption>" in text
    assert (
        '<th scope="row">Is the patient taking methotrexate? <span class="question-id">'
        "(methotrexate)</span></th>\n        <td>yes / no</td>\n        <td>yes</td>"
    ) in text
    assert "<li>At least one paid fill of the policy's products in the 180 days before receipt" in (
        text
    )
    assert "Edit the questions and evidence" not in text  # pharmacists are not staff


def test_a_policy_admin_is_linked_to_each_criterions_question_set(admin_client_policy, kesimpta):
    criterion = kesimpta.criteria.get()
    text = admin_client_policy.get(reverse("policies:detail", args=[kesimpta.pk])).content.decode()
    url = reverse("admin:policies_criterion_change", args=[criterion.pk])
    assert (
        f'<a href="{url}">Edit the questions and evidence of criterion 1 in the admin</a>' in text
    )
