"""Forms for the policy screens: the one-page policy editor in the admin, upload, new version.

The policy page edits a policy version with three inlines. Django's admin has no nested
inlines, so the grandchildren are edited as fields of their parent's inline form (see
docs/decisions/0006-policy-admin-one-page.md):

- a product's NDCs are one comma-separated field on the product row;
- a criterion's grants are a quantity and a days field per channel on the criterion.

Rules that span the inlines (a grant against the limits, NDCs against other policies)
are checked in the inline formsets' `clean()` with the functions in policies.validation,
the same ones the file loader uses.
"""

import re

from django import forms
from django.forms.models import BaseInlineFormSet

from . import selectors, validation
from .models import Channel, Criterion, CriterionGrant, Policy, Product, ProductNDC
from .ndc import format_ndc, normalize_ndc
from .quantities import PlainQuantityInput

REASON_HELP = "Kept in the policy's history with your name and the time of the change."


def reason_field(label: str = "Reason for change") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=1000,
        help_text=REASON_HELP,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
    )


class PolicyAdminForm(forms.ModelForm):
    change_reason = reason_field()
    # The impact gate (ADR 0021): checked with the limits, whose formset sees the page.
    effective_without_replay = forms.BooleanField(
        required=False,
        label="Make effective without a replay",
        help_text=(
            "Only when this save puts a changed rule into force today and there is no "
            "replay of it from the last day. Recorded in the history with the reason."
        ),
    )
    without_replay_reason = forms.CharField(
        required=False,
        max_length=1000,
        label="Why without a replay",
        widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
    )

    class Meta:
        model = Policy
        fields = [
            "title",
            "code",
            "category",
            "line_of_business",
            "effective_from",
            "effective_to",
            "review_date",
            "statement",
            "otherwise",
            "source",
        ]
        widgets = {
            "title": forms.TextInput(attrs={"size": 90}),
            "statement": forms.Textarea(attrs={"rows": 4, "cols": 90}),
            "otherwise": forms.Textarea(attrs={"rows": 2, "cols": 90}),
            "source": forms.Textarea(attrs={"rows": 3, "cols": 90}),
        }


# --- Inline formsets that see each other -----------------------------------------------


class PolicyChildFormSet(BaseInlineFormSet):
    """An inline formset that registers itself with its siblings on the same policy page."""

    # Set by the formsets shown as table rows: their inputs sit under a column heading,
    # with no <label> of their own, so each gets an accessible name ("Limit 2: Channel").
    row_noun = ""

    def __init__(self, *args, siblings: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.siblings = siblings if siblings is not None else {}
        self.siblings[self.model] = self

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if not self.row_noun:
            return
        row = f"{self.row_noun} {index + 1}" if index is not None else f"New {self.row_noun}"
        for field in form.fields.values():
            if not field.widget.is_hidden:
                field.widget.attrs["aria-label"] = f"{row}: {field.label}"

    def kept_forms(self) -> list[forms.Form]:
        """Valid forms that will be saved: not deleted, not blank extras."""
        return [
            form
            for form in self.forms
            if form.is_valid()
            and form.cleaned_data
            and not (self.can_delete and self._should_delete_form(form))
        ]


class ProductInlineForm(forms.ModelForm):
    ndcs = forms.CharField(
        label="NDCs",
        help_text="11 digits or the hyphenated 5-4-2 form; separate several with commas.",
        widget=forms.TextInput(attrs={"size": 50}),
    )

    class Meta:
        model = Product
        fields = ["name", "unit", "ndcs"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["ndcs"] = ", ".join(format_ndc(n.ndc) for n in self.instance.ndcs.all())

    def clean_ndcs(self) -> list[str]:
        values = [v for v in re.split(r"[,;\s]+", self.cleaned_data["ndcs"]) if v]
        if not values:
            raise forms.ValidationError(validation.NDCS_REQUIRED)
        ndcs, problems = [], []
        for value in values:
            try:
                ndc = normalize_ndc(value)
            except ValueError as exc:
                problems.append(str(exc))
                continue
            if ndc in ndcs:
                problems.append(validation.NDC_LISTED_TWICE.format(ndc=format_ndc(ndc)))
            ndcs.append(ndc)
        if problems:
            raise forms.ValidationError(problems)
        return ndcs

    def save(self, commit=True):
        product = super().save(commit=False)
        if commit:
            if product._state.adding or {"name", "unit"} & set(self.changed_data):
                product.save()
            self._save_ndcs(product)
        return product

    def _save_ndcs(self, product: Product) -> None:
        wanted = self.cleaned_data["ndcs"]
        current = {row.ndc: row for row in product.ndcs.all()}
        for ndc in wanted:
            if ndc not in current:
                ProductNDC.objects.create(product=product, ndc=ndc)
        for ndc, row in current.items():
            if ndc not in wanted:
                row.delete()


class ProductFormSet(PolicyChildFormSet):
    row_noun = "Product"

    def clean(self):
        super().clean()
        owners: dict[str, forms.Form] = {}
        for form in self.kept_forms():
            for ndc in form.cleaned_data["ndcs"]:
                if ndc in owners:
                    form.add_error("ndcs", validation.NDC_LISTED_TWICE.format(ndc=format_ndc(ndc)))
                owners.setdefault(ndc, form)
        policy = self.instance  # carries the policy form's cleaned values by now
        if not (owners and policy.code and policy.effective_from and policy.line_of_business):
            return
        if validation.dates_problem(policy.effective_from, policy.effective_to):
            return  # the policy form reports the dates
        conflicts = selectors.ndc_conflicts(
            ndcs=owners,
            code=policy.code,
            line_of_business=policy.line_of_business,
            effective_from=policy.effective_from,
            effective_to=policy.effective_to,
        )
        for ndc, message in conflicts.items():
            owners[ndc].add_error("ndcs", message)


class LimitFormSet(PolicyChildFormSet):
    row_noun = "Limit"

    def clean(self):
        super().clean()
        from .impact_gate import check_impact_gate

        products = self.siblings.get(Product)
        limits = self.limits() if not self.non_form_errors() else None
        if products is None or limits is None or not products.is_valid():
            return  # their own errors come first
        ndcs = {ndc for form in products.kept_forms() for ndc in form.cleaned_data["ndcs"]}
        check_impact_gate(self.instance, ndcs=ndcs, limits=limits)

    def limits(self) -> dict[str, tuple] | None:
        """{channel: (max_quantity, per_days)} as the page will save them; None if invalid."""
        if not self.is_valid():
            return None
        return {
            form.cleaned_data["channel"]: (
                form.cleaned_data["max_quantity"],
                form.cleaned_data["per_days"],
            )
            for form in self.kept_forms()
        }


# --- Criteria with their grants --------------------------------------------------------


def grant_field_names(channel: str) -> tuple[str, str]:
    return f"grant_{channel}_max_quantity", f"grant_{channel}_per_days"


def _grant_fields() -> dict[str, forms.Field]:
    fields = {}
    for channel, label in Channel.choices:
        quantity, days = grant_field_names(channel)
        fields[quantity] = forms.DecimalField(
            label=f"Grant at {label}: quantity",
            required=False,
            max_digits=10,
            decimal_places=3,
            validators=[validation.validate_positive_quantity],
            widget=PlainQuantityInput,
        )
        fields[days] = forms.IntegerField(
            label=f"Grant at {label}: per days",
            required=False,
            validators=[validation.validate_positive_days],
        )
    return fields


class _CriterionFormBase(forms.ModelForm):
    class Meta:
        model = Criterion
        fields = ["number", "label", "text", "note", "one_time", "approval_days"]
        widgets = {
            "label": forms.TextInput(attrs={"size": 80}),
            "text": forms.Textarea(attrs={"rows": 3, "cols": 90}),
            "note": forms.Textarea(attrs={"rows": 2, "cols": 90}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for grant in self.instance.grants.all():
                quantity, days = grant_field_names(grant.channel)
                self.initial[quantity] = grant.max_quantity.normalize()
                self.initial[days] = grant.per_days

    def clean(self):
        cleaned = super().clean()
        for channel, label in Channel.choices:
            quantity, days = grant_field_names(channel)
            given = [cleaned.get(quantity) is not None, cleaned.get(days) is not None]
            if any(given) and not all(given) and quantity not in self.errors:
                self.add_error(quantity, validation.GRANT_INCOMPLETE.format(channel=label))
        if not self.errors and not self.grants():
            self.add_error(None, "Give at least one grant: what an approval under it allows.")
        return cleaned

    def grants(self) -> dict[str, tuple]:
        """{channel: (max_quantity, per_days)} for the grants filled in."""
        result = {}
        for channel in Channel.values:
            quantity, days = grant_field_names(channel)
            if self.cleaned_data.get(quantity) is not None and self.cleaned_data.get(days):
                result[channel] = (self.cleaned_data[quantity], self.cleaned_data[days])
        return result

    def save(self, commit=True):
        criterion = super().save(commit=False)
        if commit:
            grant_fields = {name for c in Channel.values for name in grant_field_names(c)}
            if criterion._state.adding or set(self.changed_data) - grant_fields:
                criterion.save()
            self._save_grants(criterion)
        return criterion

    def _save_grants(self, criterion: Criterion) -> None:
        wanted = self.grants()
        current = {grant.channel: grant for grant in criterion.grants.all()}
        for channel, (max_quantity, per_days) in wanted.items():
            grant = current.pop(channel, None)
            if grant is None:
                CriterionGrant.objects.create(
                    criterion=criterion,
                    channel=channel,
                    max_quantity=max_quantity,
                    per_days=per_days,
                )
            elif (grant.max_quantity, grant.per_days) != (max_quantity, per_days):
                grant.max_quantity, grant.per_days = max_quantity, per_days
                grant.save()
        for grant in current.values():
            grant.delete()


CriterionInlineForm = type("CriterionInlineForm", (_CriterionFormBase,), _grant_fields())


class CriterionFormSet(PolicyChildFormSet):
    def clean(self):
        super().clean()
        from .models import QuantityLimit

        limits_formset = self.siblings.get(QuantityLimit)
        limits = limits_formset.limits() if limits_formset is not None else None
        if limits is None:
            return  # the limits have their own errors to fix first
        for form in self.kept_forms():
            for channel, (max_quantity, per_days) in form.grants().items():
                problem = validation.grant_problem(
                    channel=channel, max_quantity=max_quantity, per_days=per_days, limits=limits
                )
                if problem:
                    form.add_error(grant_field_names(channel)[0], problem[0].upper() + problem[1:])


# --- Upload and new version ------------------------------------------------------------


class PolicyUploadForm(forms.Form):
    file = forms.FileField(
        label="Policy file",
        help_text="YAML (.yaml, .yml) or JSON (.json) in the policy file format.",
    )
    reason = reason_field()


class NewVersionForm(forms.Form):
    effective_from = forms.DateField(
        label="First day in force",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The new version applies to claims from this date of service on.",
    )
    reason = reason_field()
