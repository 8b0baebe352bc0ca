"""The append-only log of who read which member's protected health information."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .members import Member


class PHIAccess(models.Model):
    """Append-only record of who looked at which member's data."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=60, help_text='What was viewed, e.g. "api member read".')
    path = models.CharField(max_length=300)
    remote_addr = models.GenericIPAddressField(null=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "PHI access"
        verbose_name_plural = "PHI access log"
        ordering = ["-at"]
        indexes = [models.Index(fields=["member", "at"], name="phi_member_at_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} viewed member {self.member_id} ({self.action})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("The PHI access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("The PHI access log is append-only.")
