"""The policy admin: one page per policy version, with its products, limits and criteria.

Who may do what comes from the role groups' model permissions (priorauth.roles):
policy admins (and superusers) change policies, pharmacists and auditors only view
them. The admin site itself needs `is_staff`; people without it read policies on the
pages under /policies/ (policies.views). See docs/decisions/0006-policy-admin-one-page.md.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from priorauth.errors import ServiceError

from . import services
from .change_warnings import policy_page_warnings
from .files import PolicyFileError
from .forms import (
    CriterionFormSet,
    CriterionInlineForm,
    LimitFormSet,
    NewVersionForm,
    PolicyAdminForm,
    PolicyUploadForm,
    ProductFormSet,
    ProductInlineForm,
)
from .history import change_reason, policy_history
from .impact_gate import impact_panel
from .models import Criterion, Policy, PolicyStatus, Product, QuantityLimit
from .ndc import format_ndc, normalize_ndc
from .quantities import PlainQuantitiesAdmin
from .question_admin import QuestionSetAdmin, question_set_url, version_ended


class PolicyStatusFilter(admin.SimpleListFilter):
    title = "status today"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return PolicyStatus.choices

    def queryset(self, request, queryset):
        if self.value() in PolicyStatus.values:
            return queryset.with_status(self.value(), timezone.localdate())
        return queryset


# A criterion's questions and evidence: a page per criterion, linked from its row below.
admin.site.register(Criterion, QuestionSetAdmin)


class _PolicyRowsInline:
    """The rows of an ended version are as read-only as the version itself."""

    def has_add_permission(self, request, obj=None):
        return not version_ended(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not version_ended(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not version_ended(obj) and super().has_delete_permission(request, obj)


class ProductInline(_PolicyRowsInline, admin.TabularInline):
    model = Product
    form = ProductInlineForm
    formset = ProductFormSet
    fields = ("name", "unit", "ndcs")
    extra = 0
    min_num = 1
    validate_min = True

    def get_fields(self, request, obj=None):
        if not self.has_change_permission(request, obj):
            return ("name", "unit", "ndc_list")  # read-only: the NDCs as text
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return ("ndc_list",) if not self.has_change_permission(request, obj) else ()

    @admin.display(description="NDCs")
    def ndc_list(self, product: Product) -> str:
        return ", ".join(format_ndc(row.ndc) for row in product.ndcs.all())


class QuantityLimitInline(PlainQuantitiesAdmin, _PolicyRowsInline, admin.TabularInline):
    model = QuantityLimit
    formset = LimitFormSet
    fields = ("channel", "max_quantity", "per_days")
    extra = 0
    min_num = 1
    validate_min = True
    verbose_name = "limit"
    verbose_name_plural = "limits (the plain quantity limit per channel)"

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if not self.has_change_permission(request, obj):
            return self.plain_names(fields)  # read-only: "1", not "1.000"
        return fields

    def get_readonly_fields(self, request, obj=None):
        return () if self.has_change_permission(request, obj) else tuple(self.plain_twins.values())


class CriterionInline(_PolicyRowsInline, admin.StackedInline):
    model = Criterion
    form = CriterionInlineForm
    formset = CriterionFormSet
    extra = 0
    question_set_fieldset = ("Questions and evidence", {"fields": ("question_set",)})
    readonly_fieldsets = (
        (None, {"fields": (("number", "one_time", "approval_days"), "label", "text", "note")}),
        ("What an approval allows", {"fields": ("grant_list",)}),
        question_set_fieldset,
    )
    fieldsets = (
        (None, {"fields": (("number", "one_time", "approval_days"), "label", "text", "note")}),
        (
            "What an approval allows (leave a channel empty for no grant there)",
            {
                "fields": (
                    ("grant_retail_max_quantity", "grant_retail_per_days"),
                    ("grant_home_delivery_max_quantity", "grant_home_delivery_per_days"),
                )
            },
        ),
        question_set_fieldset,
    )

    def get_fieldsets(self, request, obj=None):
        if not self.has_change_permission(request, obj):
            return self.readonly_fieldsets  # read-only: the grants as text
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if not self.has_change_permission(request, obj):
            return ("grant_list", "question_set")
        return ("question_set",)

    @admin.display(description="Grants")
    def grant_list(self, criterion: Criterion) -> str:
        return "; ".join(str(grant) for grant in criterion.grants.all()) or "none"

    @admin.display(description="Questions and evidence")
    def question_set(self, criterion: Criterion) -> str:
        if criterion.pk is None:
            return "Save the criterion first; then add its questions and evidence on its own page."
        questions, clauses = criterion.questions.count(), criterion.evidence.count()
        summary = (
            f"Automatic approval {'on' if criterion.auto_approve else 'off'}; "
            f"{questions} question{'s' * (questions != 1)}; "
            f"{clauses} evidence clause{'s' * (clauses != 1)}."
        )
        return format_html(
            '{} <a href="{}">Questions and evidence of criterion {}</a>',
            summary,
            question_set_url(criterion),
            criterion.number,
        )


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    form = PolicyAdminForm
    inlines = [ProductInline, QuantityLimitInline, CriterionInline]
    list_display = (
        "title",
        "code",
        "category",
        "line_of_business",
        "effective_from",
        "effective_to",
        "status_today",
    )
    list_filter = (PolicyStatusFilter, "category", "line_of_business")
    search_fields = ("title", "code", "products__name", "products__ndcs__ndc")
    search_help_text = "Title, code, drug name or NDC (with or without hyphens)."
    ordering = ("code", "-effective_from")
    actions = None  # no bulk delete: a version is removed only through delete_model below
    save_on_top = True
    fieldsets = (
        (None, {"fields": ("title", "code", "category", "line_of_business")}),
        ("Version", {"fields": (("effective_from", "effective_to"), "review_date")}),
        ("Wording", {"fields": ("statement", "otherwise", "source")}),
        ("Why", {"fields": ("change_reason",)}),
        (
            "Made effective without a replay (ADR 0021)",
            {"fields": ("effective_without_replay", "without_replay_reason")},
        ),
    )

    @admin.display(description="status today")
    def status_today(self, obj: Policy) -> str:
        return obj.status_on(timezone.localdate()).label

    # --- Permissions ------------------------------------------------------------------

    def get_readonly_fields(self, request, obj=None):
        # The code ties the versions of one policy together; it is chosen once.
        return ("code",) if obj is not None else ()

    def has_change_permission(self, request, obj=None):
        # Ended versions are what past claims were judged against: they stay as they were.
        return not version_ended(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status_on(timezone.localdate()) != PolicyStatus.FUTURE:
            return False
        return super().has_delete_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            return fieldsets[:-2]  # nothing to give a reason for
        return fieldsets

    # --- Search -----------------------------------------------------------------------

    def get_search_results(self, request, queryset, search_term):
        terms = []
        for term in search_term.split():
            try:
                terms.append(normalize_ndc(term))  # 00078-1007-68 finds 00078100768
            except ValueError:
                terms.append(term)
        return super().get_search_results(request, queryset, " ".join(terms))

    # --- Saving: one reason for every row the page writes ---------------------------------

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        # The inlines of one page see each other, for the rules that span them.
        kwargs["siblings"] = request.__dict__.setdefault("_policy_formsets", {})
        return kwargs

    def save_form(self, request, form, change):
        obj = super().save_form(request, form, change)
        # For the impact gate, which the limits' formset checks (policies/impact_gate.py).
        obj._impact_gate_choice = (
            form.cleaned_data.get("effective_without_replay", False),
            (form.cleaned_data.get("without_replay_reason") or "").strip(),
        )
        return obj

    def _reason(self, form) -> str:
        reason = form.cleaned_data["change_reason"]
        without = getattr(form.instance, "_made_effective_without_replay", None)
        if without:
            reason += f" [made effective without a replay: {without}]"
        return reason

    def save_model(self, request, obj, form, change):
        with change_reason(self._reason(form)):
            super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        with change_reason(self._reason(form)):
            super().save_related(request, form, formsets, change)
        # Saved all the same: the admin may mean it (policies/change_warnings.py).
        for warning in policy_page_warnings(form.instance, formsets, timezone.localdate()):
            self.message_user(request, warning, messages.WARNING)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Versions are prepared from a version, never added one blank page after another.
        extra_context = {**(extra_context or {}), "show_save_and_add_another": False}
        return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_model(self, request, obj):
        try:
            services.policy_version_discard(policy_id=obj.pk)
        except ServiceError as exc:
            raise PermissionDenied(" ".join(exc.messages)) from None

    # --- Pages --------------------------------------------------------------------------

    def get_urls(self):
        extra = [
            path(
                "upload/",
                self.admin_site.admin_view(self.upload_view),
                name="policies_policy_upload",
            ),
            path(
                "<path:object_id>/new-version/",
                self.admin_site.admin_view(self.new_version_view),
                name="policies_policy_new_version",
            ),
        ]
        return extra + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        policy = self.get_object(request, object_id)
        if policy is not None:
            extra_context["policy_history"] = policy_history(policy)
            today = timezone.localdate()
            extra_context["versions"] = [
                (version, version.status_on(today).label)
                for version in Policy.objects.filter(code=policy.code).order_by("effective_from")
            ]
            extra_context["impact"] = impact_panel(policy)
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        policy = self.get_object(request, object_id)
        if policy is None or not self.has_view_or_change_permission(request, policy):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": policy,
            "title": f"History: {policy}",
            "policy_history": policy_history(policy),
        }
        return TemplateResponse(request, "admin/policies/policy/history.html", context)

    def upload_view(self, request):
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        form = PolicyUploadForm(request.POST or None, request.FILES or None)
        problems: list[str] = []
        not_loaded = ""
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = services.policy_upload(
                    name=upload.name, content=upload.read(), reason=form.cleaned_data["reason"]
                )
            except PolicyFileError as exc:
                problems = exc.problems
                not_loaded = exc.not_loaded_message(upload.name).splitlines()[0]
            else:
                policy = result.policy
                if result.created:
                    text = f"Created {policy.code} (from {policy.effective_from})."
                elif result.changes:
                    text = f"Updated {policy.code}: {', '.join(result.changes)}."
                else:
                    text = f"{policy.code} unchanged: the file matches the policy."
                self.message_user(request, text, messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:policies_policy_change", args=[policy.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Upload a policy file",
            "form": form,
            "problems": problems,
            "not_loaded": not_loaded,
        }
        return TemplateResponse(request, "admin/policies/policy/upload.html", context)

    def new_version_view(self, request, object_id):
        source = get_object_or_404(Policy, pk=object_id)
        if not (self.has_add_permission(request) and super().has_change_permission(request)):
            raise PermissionDenied
        form = NewVersionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                result = services.policy_version_prepare(
                    policy_id=source.pk,
                    effective_from=form.cleaned_data["effective_from"],
                    reason=form.cleaned_data["reason"],
                )
            except ServiceError as exc:
                for message in exc.messages:
                    form.add_error("effective_from", message)
            else:
                new, replaced = result.policy, result.replaced
                self.message_user(
                    request,
                    f"Prepared the version from {new.effective_from}; the version from "
                    f"{replaced.effective_from} now ends on {replaced.effective_to}. "
                    "Make the changes below and save.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:policies_policy_change", args=[new.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": source,
            "title": f"Prepare a new version of {source.title}",
            "form": form,
        }
        return TemplateResponse(request, "admin/policies/policy/new_version.html", context)
