"""The policy admin: one page per version, validated as a whole, saved whole, with a reason."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from policies import validation
from policies.files import load_policy_file
from policies.history import policy_history
from policies.models import Criterion, CriterionGrant, Policy, ProductNDC, QuantityLimit
from tests.support.paths import EMGALITY_FILE
from tests.support.policy_admin import WITHOUT_REPLAY, change_form_data

pytestmark = pytest.mark.django_db


def change_url(policy) -> str:
    return reverse("admin:policies_policy_change", args=[policy.pk])


def post_change(client, policy, **edits):
    data = change_form_data(policy, reason=edits.pop("reason", "annual review"))
    data.update(edits)
    return client.post(change_url(policy), data)


def errors_of(response) -> str:
    """Every error message on the re-rendered page, as text."""
    assert response.status_code == 200, response.status_code
    errors = [str(e) for e in response.context["errors"]]
    for formset in response.context["inline_admin_formsets"]:
        errors += [str(e) for e in formset.formset.non_form_errors()]
    return " | ".join(errors).replace("&#x27;", "'").replace("&amp;", "&")


def test_a_policy_admin_changes_the_retail_limit_with_a_reason(admin_client_policy, kesimpta):
    response = post_change(
        admin_client_policy, kesimpta, **{"limits-0-max_quantity": "2"}, reason="P&T 2026-01"
    )
    assert response.status_code == 302, errors_of(response)
    limit = QuantityLimit.objects.get(policy=kesimpta, channel="retail")
    assert limit.max_quantity == Decimal(2)
    newest = limit.history.first()
    # The limit in force changed without a replay: the admin's reason for that is kept too.
    reason = f"P&T 2026-01 [made effective without a replay: {WITHOUT_REPLAY}]"
    assert newest.history_change_reason == reason
    assert newest.history_user == admin_client_policy.user
    change = policy_history(kesimpta)[0]
    assert (change.user, change.reason) == ("policyadmin", reason)
    assert [(r.what, r.action) for r in change.rows] == [("Limit (retail)", "changed")]
    assert [(f.field, f.old, f.new) for f in change.rows[0].fields] == [("max quantity", "1", "2")]


def test_an_unchanged_save_writes_no_history(admin_client_policy, kesimpta):
    before = len(policy_history(kesimpta))
    response = post_change(admin_client_policy, kesimpta)
    assert response.status_code == 302, errors_of(response)
    assert len(policy_history(kesimpta)) == before


def test_products_ndcs_limits_criteria_and_grants_are_edited_on_one_page(
    admin_client_policy, kesimpta
):
    response = post_change(
        admin_client_policy,
        kesimpta,
        **{
            "products-0-ndcs": "00078-1007-68, 00078-1007-97",
            "limits-1-per_days": "90",
            "criteria-0-approval_days": "31",
            "criteria-0-grant_retail_max_quantity": "5",
        },
    )
    assert response.status_code == 302, errors_of(response)
    assert sorted(ProductNDC.objects.values_list("ndc", flat=True)) == [
        "00078100768",
        "00078100797",
    ]
    assert QuantityLimit.objects.get(channel="home_delivery").per_days == 90
    assert Criterion.objects.get().approval_days == 31
    assert CriterionGrant.objects.get(channel="retail").max_quantity == Decimal(5)
    rows = {(r.what, r.action) for r in policy_history(kesimpta)[0].rows}
    assert rows == {
        ("NDC 00078-1007-97 of Kesimpta 20 mg/0.4 mL Sensoready pen", "added"),
        ("Limit (home delivery)", "changed"),
        ("Criterion 1", "changed"),
        ("Criterion 1 grant (retail)", "changed"),
    }


def test_a_whole_new_policy_is_created_on_the_add_page(admin_client_policy, kesimpta):
    draft = Policy.objects.get(pk=kesimpta.pk)
    draft.code = "demo-copy"
    draft.line_of_business = "medicare"  # the same NDC is fine for another plan
    data = change_form_data(draft, reason="new policy", add=True)
    response = admin_client_policy.post(reverse("admin:policies_policy_add"), data)
    assert response.status_code == 302, errors_of(response)
    created = Policy.objects.get(code="demo-copy")
    assert created.products.get().ndcs.get().ndc == "00078100768"
    assert created.criteria.get().grants.count() == 2
    assert created.history.get().history_change_reason == (
        f"new policy [made effective without a replay: {WITHOUT_REPLAY}]"
    )


def test_the_reason_for_the_change_is_required(admin_client_policy, kesimpta):
    response = post_change(admin_client_policy, kesimpta, reason="")
    assert "This field is required." in errors_of(response)


@pytest.mark.parametrize(
    ("edits", "message"),
    [
        ({"products-0-ndcs": "0007810076"}, "is not an NDC"),
        ({"products-0-ndcs": "00078100768, 00078-1007-68"}, "is listed twice in this policy"),
        ({"limits-0-max_quantity": "0"}, validation.QUANTITY_NOT_POSITIVE),
        ({"limits-0-per_days": "0"}, validation.DAYS_NOT_POSITIVE),
        ({"criteria-0-approval_days": "0"}, validation.DAYS_NOT_POSITIVE),
        ({"criteria-0-grant_retail_per_days": "0"}, validation.DAYS_NOT_POSITIVE),
        (
            {"criteria-0-grant_retail_max_quantity": "1"},
            "The grant (1 per 28 days) is not above the plain retail limit (1 per 28 days)",
        ),
        (
            {"criteria-0-grant_home_delivery_per_days": "169"},
            "The grant (6 per 169 days) is not above the plain home delivery limit (3 per 84",
        ),
        ({"criteria-0-grant_retail_per_days": ""}, "Give both the quantity and the days"),
        (
            {"limits-1-DELETE": "on"},
            "The policy has no home delivery limit, so a home delivery grant has nothing",
        ),
        (
            {"effective_to": "2025-05-01"},
            "The last day in force (2025-05-01) is before the first day in force (2025-05-02).",
        ),
    ],
)
def test_a_bad_edit_is_refused_with_a_clear_message_and_nothing_is_saved(
    admin_client_policy, kesimpta, edits, message
):
    # The title changes in the same post: it must not be saved either.
    response = post_change(admin_client_policy, kesimpta, title="Changed title", **edits)
    page = errors_of(response)
    assert message in page, page
    kesimpta.refresh_from_db()
    assert kesimpta.title != "Changed title"
    assert QuantityLimit.objects.filter(policy=kesimpta).count() == 2


def test_an_ndc_managed_by_another_policy_in_force_for_the_plan_is_refused(
    admin_client_policy, kesimpta
):
    emgality = load_policy_file(EMGALITY_FILE).policy
    other_ndc = ProductNDC.objects.filter(product__policy=emgality).first().ndc
    response = post_change(
        admin_client_policy, kesimpta, **{"products-0-ndcs": f"00078100768, {other_ndc}"}
    )
    page = errors_of(response)
    assert f"is already managed by {emgality.title} " in page
    assert "(migraine-emgality-dqm, in force from 2025-07-01) for Commercial members" in page
    assert ProductNDC.objects.filter(product__policy=kesimpta).count() == 1


def test_moving_a_version_onto_another_versions_dates_is_refused(admin_client_policy, kesimpta):
    later = Policy.objects.create(
        code=kesimpta.code,
        title="later",
        line_of_business="commercial",
        effective_from="2027-01-01",
    )
    assert later.pk
    response = post_change(admin_client_policy, kesimpta)  # open-ended: overlaps 2027
    page = errors_of(response)
    assert "The version of cigna-ms-kesimpta-dqm from 2027-01-01 is in force from 2027-01-01" in (
        page
    )


def test_pharmacists_and_auditors_see_the_policy_page_but_cannot_change_it(
    admin_client_pharmacist, admin_client_auditor, kesimpta
):
    for client in (admin_client_pharmacist, admin_client_auditor):
        page = client.get(change_url(kesimpta))
        assert page.status_code == 200
        assert b"Initiating treatment or additional induction dosing" in page.content
        assert b'name="limits-0-max_quantity"' not in page.content  # read-only
        assert b"History of this version" in page.content
        response = post_change(client, kesimpta, **{"limits-0-max_quantity": "2"})
        assert response.status_code == 403
        assert client.get(reverse("admin:policies_policy_upload")).status_code == 403
    assert QuantityLimit.objects.get(policy=kesimpta, channel="retail").max_quantity == 1


def test_the_admin_site_needs_staff_so_a_non_staff_policy_admin_is_sent_to_log_in(
    client, policy_admin, kesimpta
):
    client.force_login(policy_admin)
    response = client.get(change_url(kesimpta))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_an_ended_version_is_read_only(admin_client_policy, kesimpta):
    kesimpta.effective_to = date(2025, 12, 31)
    kesimpta.save()
    page = admin_client_policy.get(change_url(kesimpta))
    assert page.status_code == 200
    assert b'name="limits-0-max_quantity"' not in page.content
    assert post_change(admin_client_policy, kesimpta).status_code == 403


@pytest.mark.parametrize(
    "term", ["Kesimpta", "cigna-ms", "Sensoready", "00078100768", "00078-1007-68", "multiple"]
)
def test_search_finds_a_policy_by_title_code_drug_or_ndc(admin_client_policy, kesimpta, term):
    load_policy_file(EMGALITY_FILE)
    page = admin_client_policy.get(reverse("admin:policies_policy_changelist"), {"q": term})
    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [kesimpta]


def test_the_list_filters_by_status_category_and_line_of_business(admin_client_policy, kesimpta):
    load_policy_file(EMGALITY_FILE)
    future = Policy.objects.create(
        code="future-one", title="Future", line_of_business="medicare", effective_from="2099-01-01"
    )
    ended = Policy.objects.create(
        code="ended-one",
        title="Ended",
        line_of_business="medicaid",
        effective_from="2020-01-01",
        effective_to="2020-12-31",
    )
    url = reverse("admin:policies_policy_changelist")

    def listed(**params):
        return set(admin_client_policy.get(url, params).context["cl"].result_list)

    assert listed(status="future") == {future}
    assert listed(status="ended") == {ended}
    assert {p.code for p in listed(status="in_force")} == {
        "cigna-ms-kesimpta-dqm",
        "migraine-emgality-dqm",
    }
    assert listed(category="Multiple Sclerosis") == {kesimpta}
    assert listed(line_of_business="medicaid") == {ended}


def test_the_history_page_shows_who_when_why_and_the_diff(admin_client_policy, kesimpta):
    post_change(admin_client_policy, kesimpta, **{"limits-0-max_quantity": "2"}, reason="why")
    page = admin_client_policy.get(reverse("admin:policies_policy_history", args=[kesimpta.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "policyadmin" in text and "why" in text
    assert "<del>1</del>" in text and "<ins>2</ins>" in text
    assert "loaded from kesimpta.yaml" in text


def test_only_a_future_version_can_be_deleted(admin_client_policy, kesimpta):
    url = reverse("admin:policies_policy_delete", args=[kesimpta.pk])
    assert admin_client_policy.post(url, {"post": "yes"}).status_code == 403
    assert Policy.objects.filter(pk=kesimpta.pk).exists()


def test_deleting_a_future_version_in_the_admin_gives_the_old_one_its_period_back(
    admin_client_policy, kesimpta
):
    from policies import services

    new = services.policy_version_prepare(
        policy_id=kesimpta.pk, effective_from=date(2099, 1, 1), reason="draft"
    ).policy
    url = reverse("admin:policies_policy_delete", args=[new.pk])
    assert admin_client_policy.post(url, {"post": "yes"}).status_code == 302
    kesimpta.refresh_from_db()
    assert kesimpta.effective_to is None
    assert list(Policy.objects.all()) == [kesimpta]
