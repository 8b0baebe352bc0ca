"""The policy admin a non-programmer trusts (issue 13, item 8): priorauth's own look,
plain quantities, no meaningless buttons, labelled table rows, and warnings (the save
still happens) when a grant contradicts its criterion's text or meets overrides in force.

The pages are checked in a browser by tests/browser/test_accessibility.py and
tests/browser/test_policy_admin_layout.py; these tests read the HTML and the messages.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from policies import services as policy_services
from policies.models import Criterion, CriterionGrant, QuantityLimit
from tests.support import factories
from tests.support.policy_admin import change_form_data

pytestmark = pytest.mark.django_db

KESIMPTA_TEXT = (
    "If the patient is initiating treatment or requires additional induction dosing, "
    "approve a one-time override of 4 pens as a 28-day supply at retail or 6 pens as "
    "an 84-day supply at home delivery."
)


def change_url(policy) -> str:
    return reverse("admin:policies_policy_change", args=[policy.pk])


def save(client, policy, **edits):
    """Post the policy page with `edits`; the response after the redirect, and its messages."""
    data = change_form_data(policy, reason="annual review")
    data.update(edits)
    response = client.post(change_url(policy), data, follow=True)
    assert response.redirect_chain, "the save was refused"
    return response, [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)]


def warnings_in(response) -> list[str]:
    return [m.message for m in response.context["messages"] if m.level_tag == "warning"]


# --- The look ------------------------------------------------------------------------


def test_the_admin_is_priorauths_with_its_own_stylesheet(admin_client_policy, kesimpta):
    page = admin_client_policy.get(change_url(kesimpta)).content.decode()
    assert "Django administration" not in page
    assert "Django site admin" not in page
    assert '<span class="brand">priorauth</span>' in page
    assert "/static/priorauth/admin.css" in page
    assert "dark_mode.css" not in page  # light only, as the app: every pair checked
    assert not re.search(r'(href|src)="(https?:)?//', page)  # no CDN


# --- Plain quantities ----------------------------------------------------------------


def test_quantities_are_shown_as_people_write_them_in_the_inputs(admin_client_policy, kesimpta):
    QuantityLimit.objects.filter(policy=kesimpta, channel="home_delivery").update(
        max_quantity=Decimal("1.500")
    )
    page = admin_client_policy.get(change_url(kesimpta)).content.decode()
    assert re.search(r'name="limits-0-max_quantity" value="1"', page)
    assert re.search(r'name="limits-1-max_quantity" value="1.5"', page)
    assert re.search(r'name="criteria-0-grant_retail_max_quantity" value="4"', page)
    assert ".000" not in page


def test_quantities_are_plain_on_the_read_only_page(admin_client_auditor, kesimpta):
    page = admin_client_auditor.get(change_url(kesimpta)).content.decode()
    assert 'name="limits-0-max_quantity"' not in page  # read-only
    limits = page[page.index('id="limits-group"') :]
    assert re.search(r">\s*1\s*<", limits)
    assert ".000" not in page


def test_a_quantity_of_ten_is_ten_not_1e1():
    from policies.choices import plain_quantity
    from policies.quantities import PlainQuantityInput

    widget = PlainQuantityInput()
    assert [widget.format_value(Decimal(v)) for v in ("1.000", "1.500", "10.000", "0.250")] == [
        "1",
        "1.5",
        "10",
        "0.25",
    ]
    assert widget.format_value("1.000") == "1.000"  # what a person typed stays as typed
    assert plain_quantity(Decimal("100")) == "100"


def test_the_claims_list_shows_plain_quantities(django_user_model, kesimpta):
    from priorauth import roles
    from tests.support.cast import staff_client

    factories.member("Q1")
    factories.claim("Q1", quantity=Decimal("1"))
    client = staff_client(django_user_model, "auditor", roles.AUDITOR)
    page = client.get(reverse("admin:priorauth_claim_changelist")).content.decode()
    assert 'class="field-quantity_plain">1<' in page
    assert ".000" not in page


# --- Buttons -------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["change", "add"])
def test_no_save_and_add_another_on_the_policy_pages(admin_client_policy, kesimpta, page):
    url = change_url(kesimpta) if page == "change" else reverse("admin:policies_policy_add")
    html = admin_client_policy.get(url).content.decode()
    assert "_addanother" not in html
    assert "Save and add another" not in html
    assert 'name="_continue"' in html  # stays: the saved page shows the change and its diff


# --- Labels --------------------------------------------------------------------------


def test_each_input_of_the_table_rows_has_a_name(admin_client_policy, kesimpta):
    page = admin_client_policy.get(change_url(kesimpta)).content.decode()
    for expected in (
        'aria-label="Product 1: Name"',
        'aria-label="Product 1: NDCs"',
        'aria-label="Limit 1: Channel"',
        'aria-label="Limit 2: Max quantity"',
        'aria-label="Limit 2: Per days"',
        'aria-label="Limit 1: Delete"',
        'aria-label="New Limit: Channel"',  # the row "Add another" copies
    ):
        assert expected in page


# --- Warning: a grant against its criterion's text -----------------------------------


def test_a_grant_that_contradicts_the_text_is_saved_with_a_warning(admin_client_policy, kesimpta):
    response, messages = save(
        admin_client_policy, kesimpta, **{"criteria-0-grant_retail_max_quantity": "5"}
    )
    grant = CriterionGrant.objects.get(criterion__policy=kesimpta, channel="retail")
    assert grant.max_quantity == Decimal(5)  # saved all the same
    assert (
        "warning",
        "Criterion 1's text says 4 pens per 28 days at retail, but its grant is 5 per 28 days "
        "at retail. Check the grant, or update the text.",
    ) in messages
    assert "success" in dict(messages)
    assert "Check the grant, or update the text." in response.content.decode()


def test_a_grant_that_agrees_with_the_text_gives_no_warning(admin_client_policy, kesimpta):
    _, messages = save(admin_client_policy, kesimpta, **{"criteria-0-note": "Reworded note."})
    assert [level for level, _ in messages] == ["success"]


def test_the_text_corrected_with_the_grant_gives_no_warning(admin_client_policy, kesimpta):
    _, messages = save(
        admin_client_policy,
        kesimpta,
        **{
            "criteria-0-grant_retail_max_quantity": "5",
            "criteria-0-text": KESIMPTA_TEXT.replace("4 pens", "5 pens"),
        },
    )
    assert [level for level, _ in messages] == ["success"]


def test_a_text_with_no_numbers_gives_no_warning(admin_client_policy, kesimpta):
    _, messages = save(
        admin_client_policy,
        kesimpta,
        **{"criteria-0-text": "If the patient is initiating treatment, approve an override."},
    )
    assert [level for level, _ in messages] == ["success"]


def test_a_days_mismatch_and_a_missing_channel_are_warned_of(admin_client_policy, kesimpta):
    _, messages = save(
        admin_client_policy,
        kesimpta,
        **{
            "criteria-0-grant_retail_per_days": "30",
            "criteria-0-grant_home_delivery_max_quantity": "",
            "criteria-0-grant_home_delivery_per_days": "",
        },
    )
    warnings = [text for level, text in messages if level == "warning"]
    assert warnings == [
        "Criterion 1's text says 4 pens per 28 days at retail, but its grant is 4 per 30 days "
        "at retail. Check the grant, or update the text.",
        "Criterion 1's text says 6 pens per 84 days at home delivery, but it has no grant at "
        "home delivery. Check the grant, or update the text.",
    ]


# --- Warning: overrides in force -----------------------------------------------------


def test_a_changed_grant_tells_how_many_overrides_in_force_keep_theirs(
    admin_client_policy, kesimpta
):
    today = timezone.localdate()
    factories.override("O1", ends_on=today + timedelta(days=10))
    factories.override("O2", ends_on=today + timedelta(days=20))
    factories.override("GONE", ends_on=today - timedelta(days=1), status="expired")  # not in force
    _, messages = save(
        admin_client_policy,
        kesimpta,
        **{
            "criteria-0-grant_retail_max_quantity": "5",
            "criteria-0-text": KESIMPTA_TEXT.replace("4 pens", "5 pens"),
        },
    )
    assert ("warning", overrides_sentence(2, "the grant", "from now on")) in messages
    assert CriterionGrant.objects.get(
        criterion__policy=kesimpta, channel="retail"
    ).max_quantity == Decimal(5)
    # The overrides kept the grant they were approved with.
    from priorauth.models import OverrideAllowance

    assert set(
        OverrideAllowance.objects.filter(channel="retail").values_list("max_quantity", flat=True)
    ) == {Decimal(4)}


def test_a_changed_limit_tells_of_the_overrides_in_force_too(admin_client_policy, kesimpta):
    factories.override("O1", ends_on=timezone.localdate() + timedelta(days=10))
    _, messages = save(admin_client_policy, kesimpta, **{"limits-0-max_quantity": "2"})
    assert ("warning", overrides_sentence(1, "the limits", "from now on")) in messages


def test_no_overrides_in_force_no_overrides_warning(admin_client_policy, kesimpta):
    factories.override("GONE", ends_on=timezone.localdate() - timedelta(days=1), status="expired")
    _, messages = save(admin_client_policy, kesimpta, **{"limits-0-max_quantity": "2"})
    assert [level for level, _ in messages] == ["success"]


def test_a_change_that_touches_no_grant_or_limit_says_nothing_of_overrides(
    admin_client_policy, kesimpta
):
    factories.override("O1", ends_on=timezone.localdate() + timedelta(days=10))
    _, messages = save(admin_client_policy, kesimpta, **{"criteria-0-note": "Reworded."})
    assert [level for level, _ in messages] == ["success"]


def test_a_future_version_counts_the_overrides_that_outlast_todays_version(
    admin_client_policy, kesimpta
):
    today = timezone.localdate()
    starts = today + timedelta(days=15)
    factories.override("LASTS", ends_on=today + timedelta(days=25))
    factories.override("ENDS", ends_on=today + timedelta(days=5))  # over before it starts
    future = policy_services.policy_version_prepare(
        policy_id=kesimpta.pk, effective_from=starts, reason="annual review"
    ).policy
    _, messages = save(
        admin_client_policy,
        future,
        **{
            "criteria-0-grant_retail_max_quantity": "5",
            "criteria-0-text": KESIMPTA_TEXT.replace("4 pens", "5 pens"),
        },
    )
    applies = f"from its first day, {starts}"
    assert ("warning", overrides_sentence(1, "the grant", applies)) in messages
    assert Criterion.objects.get(policy=future, number=1).grants.get(
        channel="retail"
    ).max_quantity == Decimal(5)


def overrides_sentence(count: int, what: str, applies_from: str) -> str:
    if count == 1:
        keeps = (
            "1 override in force (approved under criterion 1) keeps the grant it was approved "
            f"with until it ends: changing {what} does not change it."
        )
    else:
        keeps = (
            f"{count} overrides in force (approved under criterion 1) keep the grants they were "
            f"approved with until they end: changing {what} does not change them."
        )
    return f"{keeps} The new values apply to requests approved under this version {applies_from}."


def test_a_new_criterion_is_no_change_to_the_overrides_in_force(admin_client_policy, kesimpta):
    factories.override("O1", ends_on=timezone.localdate() + timedelta(days=10))
    new_row = {
        "criteria-TOTAL_FORMS": "2",
        "criteria-1-number": "2",
        "criteria-1-label": "Dose escalation",
        "criteria-1-text": "approve 2 pens per 28 days at retail",
        "criteria-1-note": "",
        "criteria-1-approval_days": "90",
        "criteria-1-grant_retail_max_quantity": "2",
        "criteria-1-grant_retail_per_days": "28",
        "criteria-1-grant_home_delivery_max_quantity": "",
        "criteria-1-grant_home_delivery_per_days": "",
        "criteria-1-policy": str(kesimpta.pk),
    }
    _, messages = save(admin_client_policy, kesimpta, **new_row)
    assert [level for level, _ in messages] == ["success"]
    assert kesimpta.criteria.count() == 2
