"""The admin's question-set page: "Questions and evidence of criterion N".

Django's admin has no nested inlines, and a question has too many fields to be a field of
its criterion's row on the policy page; so each criterion gets one page of its own with
its automatic-approval switch and two inlines (questions, evidence clauses), reached from
the criterion's row on the policy page. Who may see or change it is decided by the
policy's permissions, and an ended version's page is read-only, as on the policy page.
See docs/decisions/0010-question-sets-in-the-admin.md. Registered in policies/admin.py.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from . import question_sets
from .history import change_reason
from .models import Criterion, CriterionEvidence, CriterionQuestion, Policy, PolicyStatus
from .question_forms import (
    EvidenceForm,
    EvidenceFormSet,
    QuestionForm,
    QuestionFormSet,
    QuestionSetForm,
)
from .rules.determination import describe_answer
from .selectors import criterion_rules


def version_ended(policy: Policy | None) -> bool:
    """Ended versions are what past claims were judged against: they stay as they were."""
    return policy is not None and policy.status_on(timezone.localdate()) == PolicyStatus.ENDED


def may_change_policy(request, policy: Policy | None) -> bool:
    return request.user.has_perm("policies.change_policy") and not version_ended(policy)


def may_view_policy(request) -> bool:
    return request.user.has_perm("policies.view_policy") or request.user.has_perm(
        "policies.change_policy"
    )


def question_set_url(criterion: Criterion) -> str:
    return reverse("admin:policies_criterion_change", args=[criterion.pk])


class _QuestionSetInline(admin.StackedInline):
    """Rows of the question-set page: the policy's permissions, not the row model's."""

    extra = 0

    def has_view_permission(self, request, obj=None):
        return may_view_policy(request)

    def has_add_permission(self, request, obj=None):
        return may_change_policy(request, obj.policy if obj else None)

    def has_change_permission(self, request, obj=None):
        return may_change_policy(request, obj.policy if obj else None)

    def has_delete_permission(self, request, obj=None):
        return may_change_policy(request, obj.policy if obj else None)


class QuestionInline(_QuestionSetInline):
    model = CriterionQuestion
    form = QuestionForm
    formset = QuestionFormSet
    fields = (("position", "key", "type", "required"), "text", "choices", "approve_when")
    readonly_view_fields = (
        ("position", "key", "type", "required"),
        "text",
        "choice_list",
        "approving_answers",
    )
    verbose_name = "question"
    verbose_name_plural = "questions the prescriber's office answers"

    def get_fields(self, request, obj=None):
        if not self.has_change_permission(request, obj):
            return self.readonly_view_fields  # read-only: the lists as text
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if not self.has_change_permission(request, obj):
            return ("choice_list", "approving_answers")
        return ()

    @admin.display(description="Choices")
    def choice_list(self, question: CriterionQuestion) -> str:
        return "; ".join(question.choices) or "—"

    @admin.display(description="Approving answers")
    def approving_answers(self, question: CriterionQuestion) -> str:
        return "; ".join(describe_answer(value) for value in question.approve_when) or "none"


class EvidenceInline(_QuestionSetInline):
    model = CriterionEvidence
    form = EvidenceForm
    formset = EvidenceFormSet
    fields = ("clause", "days")
    verbose_name = "evidence clause"
    verbose_name_plural = "evidence clauses (checked against the member's paid claims)"


class QuestionSetAdmin(admin.ModelAdmin):
    """One page per criterion; no list, no add, no delete (criteria live on the policy page)."""

    form = QuestionSetForm
    inlines = [QuestionInline, EvidenceInline]
    fieldsets = (
        ("The criterion", {"fields": ("policy_version", "criterion_text")}),
        ("Automatic approval", {"fields": ("auto_approve", "automatic_approval")}),
        ("Why", {"fields": ("change_reason",)}),
    )
    readonly_fields = ("policy_version", "criterion_text", "automatic_approval")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("policy")

    # --- Permissions: the policy's ------------------------------------------------------

    def has_module_permission(self, request):
        return False  # not listed on the admin index: reached from a policy

    def has_view_permission(self, request, obj=None):
        return may_view_policy(request)

    def has_change_permission(self, request, obj=None):
        return may_change_policy(request, obj.policy if obj else None)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Asked when the whole policy version is deleted (its criteria go with it); a
        # criterion alone is removed on the policy page, never here (see delete_view).
        return request.user.has_perm("policies.delete_policy")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            return fieldsets[:-1]  # nothing to give a reason for
        return fieldsets

    # --- What the page shows ----------------------------------------------------------

    @admin.display(description="Policy version")
    def policy_version(self, criterion: Criterion) -> str:
        url = reverse("admin:policies_policy_change", args=[criterion.policy_id])
        return format_html('<a href="{}">{}</a>', url, criterion.policy)

    @admin.display(description="Criterion")
    def criterion_text(self, criterion: Criterion) -> str:
        return f"{criterion.number}. {criterion.label}: {criterion.text}"

    @admin.display(description="As saved")
    def automatic_approval(self, criterion: Criterion) -> str:
        return question_sets.describe_automatic_approval(criterion_rules(criterion))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        criterion = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if criterion is not None:
            extra_context["title"] = f"Questions and evidence of criterion {criterion.number}"
            extra_context["subtitle"] = str(criterion.policy)
        extra_context["show_delete"] = False
        return super().change_view(request, object_id, form_url, extra_context)

    # --- Saving: one reason for every row the page writes ---------------------------------

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        kwargs["siblings"] = request.__dict__.setdefault("_question_set_formsets", {})
        return kwargs

    def save_model(self, request, obj, form, change):
        if "auto_approve" in form.changed_data:  # else an empty history row
            with change_reason(form.cleaned_data["change_reason"]):
                super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        with change_reason(form.cleaned_data["change_reason"]):
            super().save_related(request, form, formsets, change)

    def response_post_save_change(self, request, obj):
        return HttpResponseRedirect(reverse("admin:policies_policy_change", args=[obj.policy_id]))

    # --- No pages of its own beyond the change page -----------------------------------

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return HttpResponseRedirect(reverse("admin:policies_policy_changelist"))

    def delete_view(self, request, object_id, extra_context=None):
        raise PermissionDenied("A criterion is removed on its policy's page.")

    def history_view(self, request, object_id, extra_context=None):
        criterion = self.get_object(request, object_id)
        if criterion is None or not self.has_view_or_change_permission(request, criterion):
            raise PermissionDenied
        return HttpResponseRedirect(
            reverse("admin:policies_policy_history", args=[criterion.policy_id])
        )
