"""Forms of the admin's question-set page: a criterion's automatic-approval switch, its
questions and its evidence clauses (docs/decisions/0010-question-sets-in-the-admin.md).

Every rule is policies.question_sets', the one the policy file reader applies, so the
admin and the file refuse the same things with the same words. Lists the file writes as
YAML lists (a question's choices and approving answers) are typed one per line here;
the approving answers of a yes/no question are typed "yes" or "no".
"""

from django import forms
from django.forms.models import BaseInlineFormSet

from . import question_sets
from .forms import reason_field
from .models import Criterion, CriterionEvidence, CriterionQuestion
from .rules.determination import EVIDENCE_CLAUSES, describe_answer

# New questions go after the existing ones; positions are renumbered 1, 2, … on save.
AFTER_THE_OTHERS = 30_000

# The form field that holds what the file calls `type`, `choices[2]`, `approve_when[0]`.
_FORM_FIELD = {"type": "type", "choices": "choices", "approve_when": "approve_when"}


def _sentence(message: str) -> str:
    """The shared messages start in lower case (the file puts a path before them)."""
    return message[:1].upper() + message[1:]


def _lines(text: str) -> list[str] | None:
    """One item per non-blank line; None when there are none ("not given")."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines or None


class QuestionSetForm(forms.ModelForm):
    """The criterion itself: only its switch is edited here, with the reason for change."""

    change_reason = reason_field()

    class Meta:
        model = Criterion
        fields = ["auto_approve"]
        labels = {"auto_approve": "Approve automatically"}


class QuestionForm(forms.ModelForm):
    key = forms.CharField(
        label="ID",
        max_length=question_sets.QUESTION_ID_MAX_LENGTH,
        help_text="The question's id in policy files and the API: a-z, 0-9 and _.",
    )
    position = forms.IntegerField(
        label="Order",
        required=False,
        min_value=1,
        help_text="Asked in this order (1 first). A question given another's place goes "
        "before it; empty: after the others.",
    )
    choices = forms.CharField(
        label="Choices (one per line)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text="Choice questions only: the answers offered.",
    )
    approve_when = forms.CharField(
        label="Approving answers (one per line)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Answers with which the system may approve: yes or no for a yes/no "
        "question, a choice spelt exactly as above for a choice question. Empty: none.",
    )

    class Meta:
        model = CriterionQuestion
        fields = ["position", "key", "text", "type", "required", "choices", "approve_when"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2, "cols": 80})}
        labels = {"text": "Question", "required": "An answer is required"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["choices"] = "\n".join(self.instance.choices)
            self.initial["approve_when"] = "\n".join(
                describe_answer(value) for value in self.instance.approve_when
            )

    def clean_key(self) -> str:
        key = self.cleaned_data["key"].strip()
        problem = question_sets.question_id_problem(key)
        if problem:
            raise forms.ValidationError(_sentence(problem))
        return key

    def clean_position(self) -> int:
        return self.cleaned_data["position"] or AFTER_THE_OTHERS

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("type")
        if not kind:
            return cleaned  # the type's own error says what to do
        choices = _lines(cleaned.get("choices"))
        approve_when = _lines(cleaned.get("approve_when"))
        if kind == "boolean" and approve_when:
            approve_when = [question_sets.yes_or_no(line) for line in approve_when]
        problems = question_sets.question_problems(
            type=kind, choices=choices, approve_when=approve_when
        )
        for field, message in problems:
            self.add_error(_FORM_FIELD[field.split("[")[0]], _sentence(message))
        cleaned["choices"] = [question_sets.normal_choice(c) for c in choices or []]
        cleaned["approve_when"] = approve_when or []
        return cleaned


def _evidence_choices() -> list[tuple[str, str]]:
    return [
        (name, f"{name}: {question_sets.describe_evidence(name, 'N')}") for name in EVIDENCE_CLAUSES
    ]


class EvidenceForm(forms.ModelForm):
    clause = forms.ChoiceField(label="Evidence clause", choices=_evidence_choices)

    class Meta:
        model = CriterionEvidence
        fields = ["clause", "days"]
        labels = {"days": "N: look-back in days"}


class _QuestionSetFormSet(BaseInlineFormSet):
    """An inline of the question-set page; the page's inlines see each other."""

    def __init__(self, *args, siblings: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.siblings = siblings if siblings is not None else {}
        self.siblings[self.model] = self

    def kept_forms(self) -> list[forms.Form]:
        return [
            form
            for form in self.forms
            if form.is_valid()
            and form.cleaned_data
            and not (self.can_delete and self._should_delete_form(form))
        ]

    def validate_unique(self):
        # The ids and clauses are checked in clean(), in the words the file uses; the
        # database's unique constraints stay the last line.
        pass


class QuestionFormSet(_QuestionSetFormSet):
    def clean(self):
        super().clean()
        kept = self.kept_forms()
        for index, message in question_sets.repeated_ids(f.cleaned_data["key"] for f in kept):
            kept[index].add_error("key", _sentence(message))
        evidence = self.siblings.get(CriterionEvidence)
        evidence_forms = evidence.forms if evidence is not None else []
        if any(form.errors for form in [*self.forms, *evidence_forms]):
            return  # a broken question or clause first: fixing it may answer the rule below
        problem = question_sets.auto_approve_problem(
            auto_approve=self.instance.auto_approve,
            approving_questions=sum(1 for f in kept if f.cleaned_data["approve_when"]),
            evidence_clauses=len(evidence.kept_forms()) if evidence is not None else 0,
        )
        if problem:
            raise forms.ValidationError(_sentence(problem))

    def save(self, commit=True):
        """Positions 1, 2, … in the order asked (the loader numbers a file's questions the
        same way, so an exported file loads back unchanged)."""
        kept = self.kept_forms()

        def place(index: int) -> tuple:
            # A question given another's place goes before it; otherwise the page's order.
            form = kept[index]
            return (form.cleaned_data["position"], "position" not in form.changed_data, index)

        order = sorted(range(len(kept)), key=place)
        for position, index in enumerate(order, 1):
            kept[index].instance.position = position
        saved = super().save(commit)
        if commit:
            for form in kept:  # the formset saves only the forms that changed
                moved = form.initial.get("position") != form.instance.position
                if form.instance.pk and not form.has_changed() and moved:
                    form.instance.save(update_fields=["position"])
        return saved


class EvidenceFormSet(_QuestionSetFormSet):
    def clean(self):
        super().clean()
        seen = set()
        for form in self.kept_forms():
            clause = form.cleaned_data["clause"]
            if clause in seen:
                form.add_error(
                    "clause", _sentence(question_sets.EVIDENCE_TWICE.format(clause=clause))
                )
            seen.add(clause)
