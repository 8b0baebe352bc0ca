from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Claim, Member, Override, OverrideRequest, PHIAccess


class ReadOnlyAdmin(admin.ModelAdmin):
    """Review data changes only through the services; the admin shows it."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Member)
class MemberAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = (
        "member_id",
        "last_name",
        "first_name",
        "line_of_business",
        "coverage_start",
        "coverage_end",
    )
    search_fields = ("member_id", "last_name", "first_name")


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdmin):
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
class OverrideRequestAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("id", "member", "urgency", "status", "received_at", "due_at")
    list_filter = ("status", "urgency")
    list_select_related = ("member",)


@admin.register(Override)
class OverrideAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
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


@admin.register(PHIAccess)
class PHIAccessAdmin(ReadOnlyAdmin):
    list_display = ("at", "user", "member", "action", "remote_addr")
    list_select_related = ("user", "member")
