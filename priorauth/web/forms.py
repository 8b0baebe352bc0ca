"""Forms for the pages. Their checks are priorauth.inputs', the same as the API's."""

from collections.abc import Sequence

from django import forms
from django.conf import settings
from django.utils import timezone

from policies import selectors as policy_selectors
from policies.choices import Channel
from policies.models import Policy
from policies.ndc import ndc_hint
from policies.rules.determination import Question
from priorauth import inputs
from priorauth.models import Urgency

from .errors import apply_errors

OTHER_CRITERION = "Other (no criterion applies)"
CRITERION_NOT_LISTED = "Choose a criterion from the list, or “Other”."
ALL_CRITERIA_HINT = "Enter the NDC first: the list then shows only its policy's criteria."


def criterion_value(policy: Policy, number: int) -> str:
    """The option's value names the policy version too ("12:3"): criterion 3 of another
    policy is not criterion 3 of this NDC's, and the server must be able to tell."""
    return f"{policy.pk}:{number}"


def criterion_groups(policies) -> list[tuple[str, list[tuple[str, str]]]]:
    """(policy title, [(value, "3. Label")]) per policy, its criteria in number order."""
    groups = []
    for policy in policies:
        options = [
            (criterion_value(policy, c.number), f"{c.number}. {c.label}")
            for c in sorted(policy.criteria.all(), key=lambda c: c.number)
        ]
        if options:
            groups.append((policy.title, options))
    return groups


def criteria_hint(policies, ndc: str) -> str:
    """The sentence under the criterion list: whose criteria it shows."""
    if not policies:
        return ALL_CRITERIA_HINT
    titles = " or ".join(f"“{p.title}”" for p in policies)
    return f"The criteria of {titles}, the policy for NDC {ndc}."


def _in_force_policies():
    return Policy.objects.in_force(timezone.localdate()).prefetch_related("criteria")


def parse_criterion(posted) -> tuple[int | None, int | str | None]:
    """(policy pk, criterion number) from an option's value ("12:3"). A bare number (as a
    program posts it, like the API's criterion_number) names no policy; anything else is
    passed on as it is, for the shared check to refuse."""
    text = str(posted or "").strip()
    pk, sep, number = text.partition(":")
    if sep and _whole(pk) and _whole(number):
        return int(pk), int(number)
    if sep:
        return None, "not listed"
    return None, text or None


def _whole(text: str) -> bool:
    # ASCII digits, not too many: int() would take "²" or refuse 4,300 digits (a 500).
    return text.isascii() and text.isdigit() and len(text) <= 9


class OverrideRequestForm(forms.Form):
    member_id = forms.CharField(label="Member ID", max_length=20)
    ndc = forms.CharField(
        label="Drug NDC",
        max_length=20,
        help_text="5-4-2, e.g. 00078-1007-68",
        # static/priorauth/intake.js narrows the criterion list when it changes.
        widget=forms.TextInput(attrs={"data-criteria-source": "id_criterion_number"}),
    )
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
    # Any text: parse_criterion and the view check it against the NDC's policy.
    criterion_number = forms.CharField(
        label="Criterion the prescriber attests",
        required=False,
        help_text=ALL_CRITERIA_HINT,
        widget=forms.Select(),
    )
    clinical_notes = forms.CharField(
        label="Clinical notes",
        # Kept as a draft in the tab while typed (static/priorauth/drafts.js).
        widget=forms.Textarea(attrs={"data-draft-key": "intake-clinical-notes"}),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.criterion_policy_pk = None
        self.narrow_criteria(None)
        # The shared input checks say what is missing or wrong, all at once and in their words.
        for field in self.fields.values():
            field.required = False

    def narrow_criteria(self, policies, ndc: str = "") -> None:
        """Offer the criteria of `policies` (those managing the NDC), or of every policy
        in force when the NDC is not known yet (None or empty)."""
        field = self.fields["criterion_number"]
        shown = policies or _in_force_policies()
        field.widget.choices = [("", OTHER_CRITERION), *criterion_groups(shown)]
        field.help_text = criteria_hint(policies, ndc)
        # A bound field copies its help text when first made (during is_valid): remade.
        self._bound_fields_cache.pop("criterion_number", None)

    def clean(self):
        cleaned = super().clean()
        self.criterion_policy_pk, number = parse_criterion(cleaned.get("criterion_number"))
        cleaned["criterion_number"] = number
        submitted = {name: value for name, value in cleaned.items() if value not in ("", None)}
        checked = inputs.OverrideRequestInput(data=submitted)
        if not checked.is_valid():
            problems = dict(checked.errors)
            if "criterion_number" in problems and number == "not listed":
                problems["criterion_number"] = [CRITERION_NOT_LISTED]
            if "ndc" in problems:
                problems["ndc"] = [
                    _explained(str(m), cleaned.get("ndc", "")) for m in problems["ndc"]
                ]
            apply_errors(self, problems)
            return cleaned
        self.validated = dict(checked.validated_data)
        return cleaned


def _explained(message: str, typed: str) -> str:
    """The shared check's message about the NDC, then what the person may have meant."""
    hint = ndc_hint(typed, policy_selectors.ndcs_in_force(timezone.localdate()))
    return f"{message} {hint}".strip()


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
