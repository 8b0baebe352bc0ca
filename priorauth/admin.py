from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from policies.quantities import PlainQuantitiesAdmin

from . import services
from .audit import AdminRecordsPHIReads
from .models import (
    Appeal,
    AppealDecision,
    Claim,
    Member,
    Override,
    OverrideRequest,
    PHIAccess,
    Prescriber,
)
from .services.members import coverage_problem

COVERAGE_FIELDS = ("coverage_start", "coverage_end")

# The admin speaks as priorauth, not as "Django administration" (templates/admin/base_site.html).
admin.site.site_header = "policy and records admin"
admin.site.site_title = "priorauth admin"
admin.site.index_title = "Policies and review records"


class ReadOnlyAdmin(PlainQuantitiesAdmin, admin.ModelAdmin):
    """Review data changes only through the services; the admin shows it (quantities plain)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        # Shown as text, never as a widget: a past version's page would otherwise offer
        # every member in a drop-down (docs/domain.md §5).
        fields = self.model._meta.fields
        names = self.readonly_fields or [f.name for f in fields if f.editable and not f.primary_key]
        return self.plain_names(names)

    def get_fields(self, request, obj=None):
        return self.plain_names(super().get_fields(request, obj))

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # django-simple-history saves a POST here ("Revert") for anyone who may view.
        if request.method == "POST":
            raise PermissionDenied("Review data changes only through the services.")
        return super().history_form_view(request, object_id, version_id, extra_context)


class MemberCoverageForm(forms.ModelForm):
    """The one thing the admin changes on a member: the dates it is covered, with why."""

    reason = forms.CharField(
        label="Reason for the change", max_length=500, help_text="e.g. the enrollment file"
    )

    class Meta:
        model = Member
        fields = COVERAGE_FIELDS

    def clean(self):
        cleaned = super().clean()
        start = cleaned.get("coverage_start")
        # Asked here, not only in the service: save_model cannot show an error on the form.
        problem = start and coverage_problem(start, cleaned.get("coverage_end"))
        if problem:
            self.add_error("coverage_end", problem)
        return cleaned


@admin.register(Member)
class MemberAdmin(AdminRecordsPHIReads, ReadOnlyAdmin, SimpleHistoryAdmin):
    phi_member_attr = "id"
    form = MemberCoverageForm
    list_display = (
        "member_id",
        "last_name",
        "first_name",
        "line_of_business",
        "coverage_start",
        "coverage_end",
    )
    list_filter = ("line_of_business",)
    search_fields = ("member_id", "last_name", "first_name")

    def has_change_permission(self, request, obj=None):
        # Enrollment is an operator's correction, not a role's daily work: superusers only.
        return request.user.is_active and request.user.is_superuser

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if self.has_change_permission(request, obj):
            return [name for name in fields if name not in COVERAGE_FIELDS]
        return fields

    def get_fields(self, request, obj=None):
        fields = [name for name in super().get_fields(request, obj) if name != "reason"]
        return [*fields, "reason"] if self.has_change_permission(request, obj) else fields

    def save_model(self, request, obj, form, change):
        # Through the service (member lock, history with the reason), never a plain save.
        services.member_coverage_change(
            member_id=obj.member_id,
            coverage_start=form.cleaned_data["coverage_start"],
            coverage_end=form.cleaned_data["coverage_end"],
            reason=form.cleaned_data["reason"],
            by=request.user,
        )


@admin.register(Claim)
class ClaimAdmin(AdminRecordsPHIReads, ReadOnlyAdmin):
    list_display = (
        "id",
        "member",
        "ndc",
        "quantity",
        "days_supply",
        "channel",
        "date_of_service",
        "status",
    )
    list_filter = ("status", "channel")
    list_select_related = ("member",)


@admin.register(OverrideRequest)
class OverrideRequestAdmin(AdminRecordsPHIReads, ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("id", "member", "urgency", "status", "received_at", "due_at")
    list_filter = ("status", "urgency")
    list_select_related = ("member",)


@admin.register(Override)
class OverrideAdmin(AdminRecordsPHIReads, ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = (
        "authorization_number",
        "member",
        "policy_code",
        "starts_on",
        "ends_on",
        "status",
    )
    list_filter = ("status",)
    list_select_related = ("member",)


@admin.register(Appeal)
class AppealAdmin(AdminRecordsPHIReads, ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("id", "member", "request", "urgency", "status", "received_at", "due_at")
    list_filter = ("status", "urgency")
    list_select_related = ("member", "request")


@admin.register(AppealDecision)
class AppealDecisionAdmin(AdminRecordsPHIReads, ReadOnlyAdmin):
    # Its reason is about one member's case, though the row names them through the appeal.
    phi_member_attr = "appeal.member_id"
    list_display = ("appeal", "outcome", "decided_by", "decided_role", "decided_at")
    list_filter = ("outcome",)
    list_select_related = ("appeal", "decided_by")


@admin.register(PHIAccess)
class PHIAccessAdmin(ReadOnlyAdmin):
    """The access log's twin: member IDs, not names, like /audit/access/ (domain.md §5)."""

    list_display = ("at", "user", "member_number", "action", "remote_addr")
    fields = readonly_fields = ("at", "user", "member_number", "action", "path", "remote_addr")
    list_select_related = ("user", "member")

    @admin.display(description="member ID")
    def member_number(self, entry: PHIAccess) -> str:
        return entry.member.member_id if entry.member else "— (report download)"


class PrescriberForm(forms.ModelForm):
    class Meta:
        model = Prescriber
        fields = ("npi", "name", "credential", "specialty", "taxonomy_code", "phone", "fax")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Saved here, it is in the directory: a name is what puts it there. (A reader's
        # form shows every field as text: no "name" field then.)
        if "name" in self.fields:
            self.fields["name"].required = True


@admin.register(Prescriber)
class PrescriberAdmin(SimpleHistoryAdmin):
    """The prescriber directory: public NPPES data (no member in it), kept by policy admins
    (`manage.py import_prescribers`, or a correction here, with history). Never deleted:
    requests point at the rows."""

    form = PrescriberForm
    list_display = ("npi", "name", "credential", "specialty", "phone_display", "fax_display")
    search_fields = ("=npi", "name")
    # No filter by specialty: over a national file its choices (a DISTINCT over millions of
    # rows, blank included) are slow to list and no help; people look up a name or an NPI.
    ordering = ("name", "npi")
    show_full_result_count = False  # a national import is millions of rows

    @admin.display(description="phone")
    def phone_display(self, prescriber: Prescriber) -> str:
        return prescriber.phone_display

    @admin.display(description="fax")
    def fax_display(self, prescriber: Prescriber) -> str:
        return prescriber.fax_display

    def get_readonly_fields(self, request, obj=None):
        # The NPI is the key requests and imports match on: fixed once saved.
        return ("npi",) if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        return False
