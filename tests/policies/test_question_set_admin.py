"""The admin's question-set page: a criterion's switch, questions and evidence, edited with
a reason, checked with the file's rules and words, saved whole or not at all."""

import re
from datetime import date

import pytest
import yaml
from django.urls import reverse

from policies import question_sets
from policies.files import export_policy, load_policy_document, load_policy_file, parse_policy_text
from policies.history import policy_history
from policies.models import Criterion, CriterionEvidence, CriterionQuestion
from tests.support.cast import staff_client
from tests.support.paths import EMGALITY_FILE
from tests.support.policy_admin import add_question_rows, change_form_data, question_set_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def criterion(kesimpta) -> Criterion:
    return kesimpta.criteria.get()


def page_url(criterion) -> str:
    return reverse("admin:policies_criterion_change", args=[criterion.pk])


def post(client, criterion, *, reason="P&T 2026-03", rows=(), switch_off=False, **edits):
    """The page as shown, with `edits` to its fields, new `rows` (prefix, fields) and, with
    `switch_off`, "Approve automatically" unticked."""
    data = question_set_form_data(criterion, reason=reason)
    for prefix, row in rows:
        add_question_rows(data, prefix, row)
    data.update(edits)
    if switch_off:
        data.pop("auto_approve", None)
    return client.post(page_url(criterion), data)


def errors_of(response) -> str:
    assert response.status_code == 200, response.status_code
    errors = [str(e) for e in response.context["errors"]]
    for formset in response.context["inline_admin_formsets"]:
        errors += [str(e) for e in formset.formset.non_form_errors()]
    return " | ".join(errors).replace("&#x27;", "'").replace("&quot;", '"')


def snapshot(criterion) -> tuple:
    criterion.refresh_from_db()
    return (
        criterion.auto_approve,
        list(criterion.questions.values_list("key", "text", "type", "choices", "approve_when")),
        list(criterion.evidence.values_list("clause", "days")),
        CriterionQuestion.history.count() + CriterionEvidence.history.count(),
    )


NEW_QUESTION = {
    "key": "relapse",
    "text": "Has the patient relapsed in the last year?",
    "type": "boolean",
    "required": "on",
    "approve_when": "no",
}


# --- Reading -----------------------------------------------------------------------------


def test_the_page_shows_the_criterion_its_questions_and_evidence(admin_client_policy, criterion):
    response = admin_client_policy.get(page_url(criterion))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Questions and evidence of criterion 1" in text
    assert 'name="questions-0-choices"' in text and "additional induction dosing\nother" in text
    assert '<option value="no_paid_fill_within_days" selected>' in text
    assert "no paid fill of the policy&#x27;s products in the N days before receipt" in text
    assert "Approved automatically when “Why does the patient need more than the plan limit?”" in (
        text
    )


def test_every_field_of_the_page_has_a_label(admin_client_policy, criterion):
    """axe's "label" rule, as far as the server can tell: each visible input, select and
    textarea is named by a <label for=...>."""
    text = admin_client_policy.get(page_url(criterion)).content.decode()
    tags = re.findall(r"<(?:input|select|textarea)\b[^>]*>", text)
    # Hidden inputs need no label; buttons and the admin's nav filter are named otherwise.
    named_otherwise = ('type="hidden"', 'type="submit"', "aria-label=")
    visible = [t for t in tags if not any(mark in t for mark in named_otherwise)]
    ids = [re.search(r'\bid="([^"]+)"', t).group(1) for t in visible]
    labelled = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', text))
    assert "id_questions-0-approve_when" in ids and "id_evidence-0-days" in ids
    assert [i for i in ids if i not in labelled] == []


def test_the_policy_page_links_each_criterion_to_its_question_set(admin_client_policy, criterion):
    text = admin_client_policy.get(
        reverse("admin:policies_policy_change", args=[criterion.policy_id])
    ).content.decode()
    assert f'<a href="{page_url(criterion)}">Questions and evidence of criterion 1</a>' in text
    assert "Automatic approval on; 1 question; 1 evidence clause." in text


# --- Saving ------------------------------------------------------------------------------


def test_a_question_is_added_with_the_reason_and_shown_in_the_policy_history(
    admin_client_policy, criterion
):
    response = post(admin_client_policy, criterion, rows=[("questions", NEW_QUESTION)])
    assert response.status_code == 302, errors_of(response)
    assert response["Location"] == reverse(
        "admin:policies_policy_change", args=[criterion.policy_id]
    )
    added = criterion.questions.get(key="relapse")
    assert (added.type, added.required, added.approve_when, added.position) == (
        "boolean",
        True,
        [False],
        2,
    )
    record = added.history.get()
    assert record.history_change_reason == "P&T 2026-03"
    assert record.history_user == admin_client_policy.user
    change = policy_history(criterion.policy)[0]
    assert (change.user, change.reason) == ("policyadmin", "P&T 2026-03")
    assert [(r.what, r.action) for r in change.rows] == [("Criterion 1 question relapse", "added")]


def test_an_unchanged_save_writes_no_history(admin_client_policy, criterion):
    before = snapshot(criterion)
    response = post(admin_client_policy, criterion)
    assert response.status_code == 302, errors_of(response)
    assert snapshot(criterion) == before


def test_the_switch_choices_approving_answers_and_evidence_are_edited_on_one_page(
    admin_client_policy, criterion
):
    response = post(
        admin_client_policy,
        criterion,
        switch_off=True,
        **{
            "questions-0-choices": "initiating treatment\nadditional induction dosing\nother\n",
            "questions-0-approve_when": "initiating treatment\nadditional induction dosing",
            "evidence-0-days": "365",
        },
        rows=[("evidence", {"clause": "paid_fill_within_days", "days": "730"})],
    )
    assert response.status_code == 302, errors_of(response)
    criterion.refresh_from_db()
    assert criterion.auto_approve is False
    assert criterion.questions.get().approve_when == [
        "initiating treatment",
        "additional induction dosing",
    ]
    assert list(criterion.evidence.values_list("clause", "days")) == [
        ("no_paid_fill_within_days", 365),
        ("paid_fill_within_days", 730),
    ]
    rows = {(r.what, r.action) for r in policy_history(criterion.policy)[0].rows}
    assert rows == {
        ("Criterion 1", "changed"),
        ("Criterion 1 question reason", "changed"),
        ("Criterion 1 evidence no_paid_fill_within_days", "changed"),
        ("Criterion 1 evidence paid_fill_within_days", "added"),
    }


def test_questions_are_renumbered_in_the_order_asked(admin_client_policy, criterion):
    new = {**NEW_QUESTION, "position": ""}  # empty: after the others
    assert post(admin_client_policy, criterion, rows=[("questions", new)]).status_code == 302
    data = {"questions-0-position": "7"}  # reason moves after relapse
    response = post(admin_client_policy, criterion, **data)
    assert response.status_code == 302, errors_of(response)
    assert list(criterion.questions.values_list("key", "position")) == [
        ("relapse", 1),
        ("reason", 2),
    ]


def test_deleting_a_question_and_a_clause_is_kept_with_the_reason(admin_client_policy, criterion):
    response = post(
        admin_client_policy,
        criterion,
        switch_off=True,
        **{"questions-0-DELETE": "on", "evidence-0-DELETE": "on"},
        reason="no longer automatic",
    )
    assert response.status_code == 302, errors_of(response)
    assert not criterion.questions.exists() and not criterion.evidence.exists()
    gone = CriterionQuestion.history.filter(history_type="-").get()
    assert gone.history_change_reason == "no longer automatic"


# --- Refusing, with the file's words, and saving nothing ------------------------------


@pytest.mark.parametrize(
    ("edits", "message"),
    [
        (
            {"questions-0-key": "Reason-1"},
            question_sets.QUESTION_ID_FORMAT.format(key="Reason-1", max_length=60),
        ),
        ({"questions-0-type": "number"}, "Only a choice question has choices; a number question"),
        ({"questions-0-choices": ""}, "A choice question needs its choices"),
        (
            {"questions-0-choices": "initiating treatment\nInitiating  treatment"},
            "'Initiating  treatment' is listed twice",
        ),
        (
            {"questions-0-approve_when": "Initiating treatment"},
            "'Initiating treatment' is not one of the choices (initiating treatment; additional "
            "induction dosing; other); spell it exactly as the choice is spelt.",
        ),
        (
            {"questions-0-type": "date", "questions-0-choices": ""},
            "Only yes/no (boolean) and choice questions have approving answers: a date answer",
        ),
        (
            {
                "questions-0-type": "boolean",
                "questions-0-choices": "",
                "questions-0-approve_when": "maybe",
            },
            "A yes/no question is answered true (yes) or false (no), not 'maybe'.",
        ),
        ({"questions-0-text": ""}, "This field is required."),
        ({"evidence-0-days": "0"}, "Must be a whole number of days greater than 0."),
        ({"evidence-0-clause": "no_fill"}, "Select a valid choice."),
        ({"change_reason": ""}, "This field is required."),
    ],
)
def test_a_bad_edit_is_refused_with_the_files_words_and_nothing_is_saved(
    admin_client_policy, criterion, edits, message
):
    before = snapshot(criterion)
    # A valid question is added in the same post: it must not be saved either.
    response = post(admin_client_policy, criterion, rows=[("questions", NEW_QUESTION)], **edits)
    page = errors_of(response)
    assert message in page, page
    assert snapshot(criterion) == before


def test_automatic_approval_with_nothing_to_check_is_refused(admin_client_policy, criterion):
    before = snapshot(criterion)
    page = errors_of(
        post(
            admin_client_policy,
            criterion,
            **{"evidence-0-DELETE": "on", "questions-0-approve_when": ""},
        )
    )
    rule = question_sets.AUTO_APPROVE_WITHOUT_CHECKS
    assert rule[0].upper() + rule[1:] in page, page
    assert "would be approved by machine" in rule
    assert snapshot(criterion) == before
    # Without the switch, the same edit is fine: a pharmacist decides every request.
    response = post(
        admin_client_policy,
        criterion,
        switch_off=True,
        **{"evidence-0-DELETE": "on", "questions-0-approve_when": ""},
    )
    assert response.status_code == 302, errors_of(response)
    assert criterion.questions.get().approve_when == []


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({**NEW_QUESTION, "key": "reason"}, question_sets.QUESTION_ID_TWICE.format(key="reason")),
        (
            {"clause": "no_paid_fill_within_days", "days": "30"},
            "No_paid_fill_within_days is listed",
        ),
    ],
)
def test_an_id_or_a_clause_used_twice_is_refused(admin_client_policy, criterion, row, message):
    before = snapshot(criterion)
    prefix = "evidence" if "clause" in row else "questions"
    page = errors_of(post(admin_client_policy, criterion, rows=[(prefix, row)]))
    assert message[0].upper() + message[1:] in page, page
    assert snapshot(criterion) == before


# --- Who, and when -----------------------------------------------------------------------


def test_auditors_read_the_page_but_cannot_change_it(admin_client_auditor, criterion):
    page = admin_client_auditor.get(page_url(criterion))
    assert page.status_code == 200
    assert b'name="questions-0-key"' not in page.content
    assert b"initiating treatment; additional induction dosing; other" in page.content
    before = snapshot(criterion)
    assert post(admin_client_auditor, criterion, switch_off=True).status_code == 403
    assert snapshot(criterion) == before


def test_an_ended_version_is_read_only(admin_client_policy, criterion):
    policy = criterion.policy
    policy.effective_to = date(2025, 12, 31)
    policy.save()
    page = admin_client_policy.get(page_url(criterion))
    assert page.status_code == 200
    assert b'name="auto_approve"' not in page.content
    before = snapshot(criterion)
    assert post(admin_client_policy, criterion, switch_off=True).status_code == 403
    assert snapshot(criterion) == before


def test_criteria_have_no_list_add_or_delete_page_of_their_own(admin_client_policy, criterion):
    listing = admin_client_policy.get(reverse("admin:policies_criterion_changelist"))
    assert listing["Location"] == reverse("admin:policies_policy_changelist")
    assert admin_client_policy.get(reverse("admin:policies_criterion_add")).status_code == 403
    delete = reverse("admin:policies_criterion_delete", args=[criterion.pk])
    assert admin_client_policy.post(delete, {"post": "yes"}).status_code == 403
    assert Criterion.objects.filter(pk=criterion.pk).exists()
    history = admin_client_policy.get(
        reverse("admin:policies_criterion_history", args=[criterion.pk])
    )
    assert history["Location"] == reverse(
        "admin:policies_policy_history", args=[criterion.policy_id]
    )
    index = admin_client_policy.get(reverse("admin:index")).content.decode()
    assert "/admin/policies/criterion/" not in index


def test_a_criterion_removed_on_the_policy_page_takes_its_questions_with_the_reason(
    admin_client_policy,
):
    emgality = load_policy_file(EMGALITY_FILE).policy
    data = change_form_data(emgality, reason="criterion withdrawn")
    data["criteria-0-DELETE"] = "on"
    response = admin_client_policy.post(
        reverse("admin:policies_policy_change", args=[emgality.pk]), data
    )
    assert response.status_code == 302
    assert not CriterionQuestion.objects.exists()
    reasons = set(
        CriterionQuestion.history.filter(history_type="-").values_list(
            "history_change_reason", flat=True
        )
    )
    assert reasons == {"criterion withdrawn"}
    rows = {(r.what, r.action) for r in policy_history(emgality)[0].rows}
    assert ("Criterion 1 question loading_dose", "removed") in rows


def test_a_question_set_edited_in_the_admin_exports_and_loads_back_unchanged(
    admin_client_policy, criterion
):
    response = post(
        admin_client_policy,
        criterion,
        rows=[("questions", {**NEW_QUESTION, "position": "1"})],  # asked first
        **{"questions-0-choices": "initiating  treatment \nadditional induction dosing\nother"},
    )
    assert response.status_code == 302, errors_of(response)
    assert list(criterion.questions.values_list("key", "position")) == [
        ("relapse", 1),
        ("reason", 2),
    ]
    exported = yaml.safe_dump(export_policy(criterion.policy))
    assert not load_policy_document(parse_policy_text(exported), reason="round trip").changed


def test_staff_without_a_policy_role_see_none_of_it(django_user_model, criterion):
    client = staff_client(django_user_model, "staffonly")
    for name, args in (
        ("admin:policies_criterion_change", [criterion.pk]),
        ("admin:policies_criterion_history", [criterion.pk]),
        ("admin:policies_criterion_changelist", []),
    ):
        assert client.get(reverse(name, args=args)).status_code == 403, name
