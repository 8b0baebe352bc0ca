"""Who looked at which member: pages, the API and the admin record every PHI read here.

The HTTP side of `services.phi_access_record` and `services.phi_access_record_many`:
they take the user, the path and the address from the request being answered. What is
recorded, and when, is docs/domain.md §5.
"""

from collections.abc import Iterable

from .models import Member
from .security import client_address
from .services import phi_access_record, phi_access_record_many, phi_report_download_record


def record_phi_access(request, member: Member, action: str) -> None:
    phi_access_record(
        user=request.user,
        member=member,
        action=action,
        path=request.get_full_path(),
        remote_addr=client_address(request),
    )


def record_phi_access_many(request, members: Iterable[Member | int], action: str) -> None:
    """A list page: one row per distinct member shown (Member rows or primary keys)."""
    phi_access_record_many(
        user=request.user,
        members=members,
        action=action,
        path=request.get_full_path(),
        remote_addr=client_address(request),
    )


def record_report_download(request) -> None:
    """The dashboard's decision rows downloaded: one entry naming no member (§5, §11)."""
    phi_report_download_record(
        user=request.user, path=request.get_full_path(), remote_addr=client_address(request)
    )


class AdminRecordsPHIReads:
    """A ModelAdmin mixin for rows that name a member: the list, change and history pages
    record the members they show. `phi_member_attr` is the member's primary key on a row
    ("member_id"; "id" on Member itself, which its history rows share; a dotted path
    through a relation, "appeal.member_id", for a row that names its member indirectly)."""

    phi_member_attr = "member_id"

    def _record_shown(self, request, rows, view: str) -> None:
        members = [_follow(row, self.phi_member_attr) for row in rows]
        record_phi_access_many(request, members, f"admin {self.model._meta.model_name} {view}")

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None:
            # Evaluated here once; the template then lists the same rows from their cache.
            self._record_shown(request, changelist.result_list, "list view")
        return response

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and not add:
            self._record_shown(request, [obj], "change view")
        return super().render_change_form(request, context, add, change, form_url, obj)

    def render_history_view(self, request, template, context, **kwargs):
        """SimpleHistoryAdmin's history list ("object") and one past version ("original")."""
        if "original" in context:
            self._record_shown(request, [context["original"]], "history version view")
        elif "object" in context:
            self._record_shown(request, [context["object"]], "history view")
        return super().render_history_view(request, template, context, **kwargs)


def _follow(row, path: str):
    for name in path.split("."):
        row = getattr(row, name)
    return row
