"""The append-only log of who read which member's protected health information."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .members import Member

# The one entry that names no member: the reporting dashboard's decision rows, downloaded.
REPORT_DOWNLOAD = "report download: decision rows"


class PHIAccess(models.Model):
    """Append-only record of who looked at which member's data."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Empty only for a report download: its rows name requests, not one member, and the
    # path carries the range, which says which requests (the constraint below).
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", null=True)
    action = models.CharField(max_length=60, help_text='What was viewed, e.g. "api member read".')
    path = models.CharField(max_length=300)
    remote_addr = models.GenericIPAddressField(null=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "PHI access"
        verbose_name_plural = "PHI access log"
        ordering = ["-at"]
        indexes = [models.Index(fields=["member", "at"], name="phi_member_at_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=False) | Q(action=REPORT_DOWNLOAD),
                name="phi_member_unless_report_download",
            )
        ]

    def __str__(self) -> str:
        if self.member_id is None:
            return f"{self.user_id} {self.action} ({self.path})"
        return f"{self.user_id} viewed member {self.member_id} ({self.action})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("The PHI access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("The PHI access log is append-only.")
