"""Clinical documents attached to a request or to its appeal, and reviewers' internal notes.

An attachment's bytes live in the "attachments" storage (settings.STORAGES) under a random
key; the row keeps the name a person sees, the type its content proved and its size
(priorauth/uploads.py). Rows are only ever added: what a decision was based on stays.
"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from .appeals import Appeal
from .requests import OverrideRequest


class DocumentType(models.TextChoices):
    PDF = "application/pdf", "PDF"
    PNG = "image/png", "PNG image"
    JPEG = "image/jpeg", "JPEG image"


class Attachment(models.Model):
    # Always the request; the appeal too when the document was sent for an appeal of it.
    request = models.ForeignKey(
        OverrideRequest, on_delete=models.PROTECT, related_name="attachments"
    )
    appeal = models.ForeignKey(
        Appeal, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    storage_key = models.CharField(
        max_length=255, unique=True, help_text="Where the bytes are in the attachments storage."
    )
    filename = models.CharField(max_length=100, help_text="The sanitised name, for display.")
    content_type = models.CharField(max_length=40, choices=DocumentType.choices)
    size = models.PositiveBigIntegerField(help_text="Bytes.")
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["uploaded_at", "id"]
        indexes = [models.Index(fields=["request", "uploaded_at"], name="attachment_request_idx")]

    def __str__(self) -> str:
        return f"Attachment {self.pk} of request {self.request_id}"


class Note(models.Model):
    """A reviewer's note to other reviewers about a request or its appeal: never on a notice,
    never shown to intake."""

    request = models.ForeignKey(OverrideRequest, on_delete=models.PROTECT, related_name="notes")
    appeal = models.ForeignKey(
        Appeal, null=True, blank=True, on_delete=models.PROTECT, related_name="notes"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["request", "created_at"], name="note_request_idx")]
        constraints = [models.CheckConstraint(condition=~models.Q(text=""), name="note_has_text")]

    def __str__(self) -> str:
        return f"Note {self.pk} on request {self.request_id}"
