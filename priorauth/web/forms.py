"""Forms for the pages. Their checks are priorauth.inputs', the same as the API's."""

from collections.abc import Sequence

from django import forms
from django.conf import settings
from django.utils import timezone

from policies.choices import Channel
from policies.models import Policy
from policies.rules.determination import Question
from priorauth import inputs
from priorauth.models import Urgency

from .errors import apply_errors


def _criterion_choices():
    """Every criterion of the policies in force, grouped by policy, by number."""
    groups = []
    for policy in Policy.objects.in_force(timezone.localdate()).prefetch_related("criteria"):
        options = [(c.number, f"{c.number}. {c.label}") for c in policy.criteria.all()]
        if options:
            groups.append((policy.title, options))
    return [("", "Other (no criterion applies)"), *groups]


class OverrideRequestForm(forms.Form):
    member_id = forms.CharField(label="Member ID", max_length=20)
    ndc = forms.CharField(label="Drug NDC", max_length=13, help_text="e.g. 00078-1007-68")
    quantity = forms.CharField(label="Quantity", max_length=12)
    days_supply = forms.CharField(label="Days supply", max_length=4)
    channel = forms.ChoiceField(label="Channel", choices=Channel.choices)
    prescriber_npi = forms.CharField(
        label="Prescriber NPI",
        max_length=10,
        # static/priorauth/prescriber.js names the prescriber as the NPI is typed.
        widget=forms.TextInput(
            attrs={"data-prescriber-lookup": "/api/v1/prescribers/", "inputmode": "numeric"}
        ),
    )
    urgency = forms.ChoiceField(
        label="Urgency",
        choices=Urgency.choices,
        help_text=(
            f"Expedited: decided within {settings.PRIORAUTH_CLOCK_HOURS[Urgency.EXPEDITED]} hours "
            "when waiting could seriously jeopardise the patient's health; "
            f"standard: {settings.PRIORAUTH_CLOCK_HOURS[Urgency.STANDARD]} hours."
        ),
    )
    criterion_number = forms.TypedChoiceField(
        label="Criterion the prescriber attests",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[],
    )
    clinical_notes = forms.CharField(
        label="Clinical notes",
        # Kept as a draft in the tab while typed (static/priorauth/drafts.js).
        widget=forms.Textarea(attrs={"data-draft-key": "intake-clinical-notes"}),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criterion_number"].choices = _criterion_choices()
        # The shared input checks say what is missing or wrong, all at once and in their words.
        for field in self.fields.values():
            field.required = False

    def clean(self):
        cleaned = super().clean()
        submitted = {name: value for name, value in cleaned.items() if value not in ("", None)}
        checked = inputs.OverrideRequestInput(data=submitted)
        if not checked.is_valid():
            apply_errors(self, checked.errors)
            return cleaned
        self.validated = dict(checked.validated_data)
        return cleaned


class AppealForm(forms.Form):
    """Intake appeals a denied request: the checks are inputs.AppealInput, as the API's."""

    reason = forms.CharField(
        label="Why the denial should be reversed",
        help_text="What the reviewer should look at again: new facts, or what the denial missed.",
        widget=forms.Textarea(attrs={"rows": 4, "data-draft-key": "appeal-reason"}),
    )
    # Any text: the shared check refuses an unknown urgency, once and in the API's words.
    urgency = forms.CharField(
        label="Urgency",
        widget=forms.Select(choices=Urgency.choices),
        help_text=(
            f"Expedited: decided within {settings.PRIORAUTH_APPEAL_EXPEDITED_HOURS} hours when "
            "waiting could seriously jeopardise the patient's health; standard: within "
            f"{settings.PRIORAUTH_APPEAL_STANDARD_HOURS} hours."
        ),
    )
    clinical_notes = forms.CharField(
        label="Clinical notes",
        help_text="Optional: chart notes, dates of doses, anything the denial did not have.",
        widget=forms.Textarea(attrs={"rows": 5, "data-draft-key": "appeal-clinical-notes"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False  # the shared input checks say what is missing

    def clean(self):
        cleaned = super().clean()
        checked = inputs.AppealInput(data={k: v for k, v in cleaned.items() if v != ""})
        if not checked.is_valid():
            apply_errors(self, checked.errors)
            return cleaned
        self.validated = dict(checked.validated_data)
        return cleaned


def posted_criterion_number(posted: str | None):
    """A whole number when one was posted; anything else goes to the service to refuse.

    ASCII digits only, and not too many: int() refuses "²" (which isdigit() accepts) and
    numbers over 4,300 digits, and either would be a 500.
    """
    if posted and posted.isascii() and posted.isdigit() and len(posted) <= 9:
        return int(posted)
    return posted or None


ANSWER_PREFIX = "answers-"
YES, NO = "yes", "no"
REQUIRED_NOTE = "Required: without an answer the request goes to a pharmacist."


def _answer_field(question: Question) -> forms.Field:
    """An input for one question. Every field takes any text: the service reads the answers
    and refuses what it cannot read, in the API's words (determination.check_answers)."""
    widgets = {
        "boolean": lambda: forms.RadioSelect(choices=[(YES, "Yes"), (NO, "No")]),
        "choice": lambda: forms.RadioSelect(choices=[(c, c) for c in question.choices]),
        "number": lambda: forms.TextInput(attrs={"inputmode": "decimal"}),
        "date": lambda: forms.DateInput(attrs={"type": "date"}),
        "text": lambda: forms.Textarea(attrs={"rows": 3}),
    }
    field = forms.CharField(
        label=question.text,
        required=False,
        strip=question.type != "text",  # the service strips text answers itself
        widget=widgets[question.type](),
        help_text=REQUIRED_NOTE if question.required else "",
    )
    field.question = question
    return field


class AnswersForm(forms.Form):
    """Step 2 of intake: the chosen criterion's questions, one field each ("answers-<id>")."""

    def __init__(self, questions: Sequence[Question], *args, **kwargs):
        super().__init__(*args, **kwargs)
        for question in questions:
            self.fields[ANSWER_PREFIX + question.id] = _answer_field(question)

    def answers(self) -> dict:
        """{question id: answer} as JSON values, for override_request_submit; unanswered left
        out. A yes/no question's "yes" is true; anything else posted is passed on as it is."""
        given = {}
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name, "")
            if value in ("", None):
                continue
            if field.question.type == "boolean" and value in (YES, NO):
                value = value == YES
            given[field.question.id] = value
        return given


class ReportRangeForm(forms.Form):
    """The dashboard's range: the checks are inputs.MetricsRangeInput, as the API's, so
    both say the same thing about the same dates. Blank fields take the defaults."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword: the field is declared here, under the API's name.
        self.fields["from"] = _date_field("From", "First day received (YYYY-MM-DD).")
        self.fields["to"] = _date_field("To", "Last day received, included.")

    def clean(self):
        cleaned = super().clean()
        checked = inputs.MetricsRangeInput(data={k: v for k, v in cleaned.items() if v.strip()})
        if not checked.is_valid():
            apply_errors(self, checked.errors)
            return cleaned
        self.validated = dict(checked.validated_data)
        return cleaned


def _date_field(label: str, help_text: str) -> forms.CharField:
    # Any text: the shared check refuses a bad date, once and in the API's words.
    return forms.CharField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
