"""Documents and internal notes on the pages (ADR 0016): a reviewer adds them on a case
page (a request's or an appeal's), intake on its request's documents page; anyone who may
read a case opens its documents here, inline, and each opening is a PHI read of the member.
"""

from csp.decorators import csp
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from priorauth import roles, selectors, services
from priorauth.audit import record_phi_access
from priorauth.errors import ServiceError
from priorauth.models import Attachment, OverrideRequest

from .access import CASE_READERS, role_required
from .actions import perform
from .appeals import APPEAL_PAGE
from .case import CASE_PAGE
from .casefile import case_or_404
from .documents import DocumentsForm
from .errors import apply_errors

# A served document runs nothing and loads nothing: a PDF's scripts, an image's anything.
# No `sandbox`: Chromium's PDF viewer refuses to open in a sandboxed document.
DOCUMENT_CSP = {
    "default-src": ["'none'"],
    "script-src": ["'none'"],
    "object-src": ["'none'"],
    "img-src": ["'self'"],
    "style-src": ["'self'"],
    "base-uri": ["'none'"],
    "form-action": ["'none'"],
    "frame-ancestors": ["'none'"],
}


def _added(count: int) -> str:
    return f"{count} document{'s' if count != 1 else ''} added."


# --- Reviewers, on the case pages --------------------------------------------------------


def _files(request) -> list:
    return request.FILES.getlist("file")


def _the_case_page(request, request_id: int, **_) -> str:
    return reverse("case", args=[request_id])


def _the_appeal_page(request, appeal_id: int, **_) -> str:
    return reverse("appeal", args=[appeal_id])


@require_POST
@role_required(*roles.REVIEWERS, come_back_to=_the_case_page)
def request_attachments(request, request_id: int):
    def attach(request, pk: int) -> str:
        added = services.request_attachments_add(
            request_id=pk, files=_files(request), by=request.user
        )
        return _added(len(added))

    case_or_404(request_id)
    return perform(request, CASE_PAGE, request_id, "attach", attach)


@require_POST
@role_required(*roles.REVIEWERS, come_back_to=_the_appeal_page)
def appeal_attachments(request, appeal_id: int):
    def attach(request, pk: int) -> str:
        added = services.appeal_attachments_add(
            appeal_id=pk, files=_files(request), by=request.user
        )
        return _added(len(added))

    return perform(request, APPEAL_PAGE, appeal_id, "attach", attach)


@require_POST
@role_required(*roles.REVIEWERS, come_back_to=_the_case_page)
def request_notes(request, request_id: int):
    def note(request, pk: int) -> str:
        services.note_add(request_id=pk, text=request.POST.get("text", ""), by=request.user)
        return "Note added."

    case_or_404(request_id)
    return perform(request, CASE_PAGE, request_id, "note", note)


@require_POST
@role_required(*roles.REVIEWERS, come_back_to=_the_appeal_page)
def appeal_notes(request, appeal_id: int):
    def note(request, pk: int) -> str:
        services.note_add(appeal_id=pk, text=request.POST.get("text", ""), by=request.user)
        return "Note added."

    return perform(request, APPEAL_PAGE, appeal_id, "note", note)


# --- Intake: its request's documents -----------------------------------------------------


def _own_request_or_404(request, request_id: int) -> OverrideRequest:
    case = case_or_404(request_id)
    if case.submitted_by_id != request.user.pk:
        raise Http404("No such request.")  # another user's: as if it did not exist
    return case


def _upload_target(case: OverrideRequest, appeal):
    """Where intake's documents go now: the request while it is open, else its open appeal."""
    if case.is_open:
        return "request"
    if appeal is not None:
        return "appeal"
    return None


@require_http_methods(["GET", "POST"])
@role_required(roles.INTAKE)
def my_request_documents(request, request_id: int):
    case = _own_request_or_404(request_id=request_id, request=request)
    appeal = next((a for a in case.appeals.all() if a.is_open), None)
    target = _upload_target(case, appeal)
    form = DocumentsForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and target is not None:
        try:
            if target == "request":
                added = services.request_attachments_add(
                    request_id=case.pk, files=form.files_chosen(), by=request.user
                )
            else:
                added = services.appeal_attachments_add(
                    appeal_id=appeal.pk, files=form.files_chosen(), by=request.user
                )
        except ServiceError as error:
            apply_errors(form, error.errors)
        else:
            messages.success(request, _added(len(added)))
            return redirect("my-request-documents", request_id=case.pk)
    record_phi_access(request, case.member, "intake documents view")
    context = {
        "case": case,
        "appeal": appeal,
        "target": target,
        "form": form,
        "attachments": list(selectors.request_attachments(case)),
    }
    status = 400 if form.errors else 200
    return render(request, "priorauth/my_request_documents.html", context, status=status)


# --- Opening a document ------------------------------------------------------------------


def _may_read(user, attachment: Attachment) -> bool:
    if roles.has_role(user, *CASE_READERS):
        return True
    return roles.has_role(user, roles.INTAKE) and attachment.request.submitted_by_id == user.pk


@require_GET
@login_required
@csp(DOCUMENT_CSP)
def attachment_view(request, attachment_id: int):
    attachment = selectors.attachment_with_case(attachment_id)
    if attachment is None:
        raise Http404("No such document.")
    if not _may_read(request.user, attachment):
        if roles.has_role(request.user, roles.INTAKE):
            raise Http404("No such document.")
        raise PermissionDenied("Documents are read by the case's reviewers, auditors and filer.")
    record_phi_access(request, attachment.request.member, "document view")
    # Read whole (at most PRIORAUTH_ATTACHMENT_MAX_BYTES) and closed here, whatever the
    # backend: no handle outlives the view, whoever (a test client, a proxy) stops reading.
    with services.attachment_open(attachment) as stored:
        content = stored.read()
    response = HttpResponse(content, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(False, attachment.filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response
