"""Reads of the documents and internal notes of a request or an appeal (ADR 0016)."""

from django.db.models import QuerySet

from priorauth.models import Appeal, Attachment, Note, OverrideRequest


def request_attachments(request: OverrideRequest) -> QuerySet:
    """Every document of the request, those sent for its appeals included, oldest first."""
    return Attachment.objects.filter(request=request).select_related("uploaded_by", "appeal")


def appeal_attachments(appeal: Appeal) -> QuerySet:
    """The documents sent for the appeal, then (for its reviewer) those the request had."""
    return Attachment.objects.filter(request_id=appeal.request_id).select_related(
        "uploaded_by", "appeal"
    )


def attachment_with_case(attachment_id: int) -> Attachment | None:
    """A document with what deciding who may read it needs: the request's filer, the member."""
    return (
        Attachment.objects.select_related("request__member", "appeal")
        .filter(pk=attachment_id)
        .first()
    )


def request_notes(request: OverrideRequest) -> QuerySet:
    """The notes on the request itself (not its appeals'), oldest first: read top to bottom."""
    return Note.objects.filter(request=request, appeal__isnull=True).select_related("author")


def appeal_notes(appeal: Appeal) -> QuerySet:
    return Note.objects.filter(appeal=appeal).select_related("author")
