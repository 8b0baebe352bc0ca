"""Internal notes between reviewers on a request or its appeal (ADR 0016): written by a
pharmacist or a physician reviewer, kept with their history, never shown to intake nor on a
notice. A note may be added whatever the status: "faxed the office" matters after a
decision too."""

from django.db import transaction
from django.utils import timezone

from priorauth import errors, roles
from priorauth.models import Appeal, Note, OverrideRequest

NOTE_MAX_LENGTH = 4000
FIELD = "text"


def note_add(*, text: str, by, request_id: int | None = None, appeal_id: int | None = None) -> Note:
    """A note on the request (`request_id`) or on the appeal (`appeal_id`, its request too)."""
    if not roles.has_role(by, *roles.REVIEWERS):
        raise errors.Forbidden({FIELD: errors.NOTES_NOT_ALLOWED})
    text = _checked(text)
    with transaction.atomic():
        if appeal_id is not None:
            appeal = Appeal.objects.filter(pk=appeal_id).first()
            if appeal is None:
                raise errors.NotFound(
                    {"appeal_id": errors.UNKNOWN_APPEAL.format(appeal_id=appeal_id)}
                )
            request_id = appeal.request_id
        elif not OverrideRequest.objects.filter(pk=request_id).exists():
            raise errors.NotFound(
                {"request_id": errors.UNKNOWN_REQUEST.format(request_id=request_id)}
            )
        note = Note(
            request_id=request_id,
            appeal_id=appeal_id,
            author=by,
            text=text,
            created_at=timezone.now(),
        )
        note._change_reason = "note added"
        note._history_user = by
        note.save()
    return note


def _checked(text) -> str:
    text = (text or "").strip() if isinstance(text, str) else ""
    if not text:
        raise errors.ServiceError({FIELD: errors.NOTE_REQUIRED})
    if len(text) > NOTE_MAX_LENGTH:
        raise errors.ServiceError(
            {FIELD: errors.NOTE_TOO_LONG.format(limit=NOTE_MAX_LENGTH, length=len(text))}
        )
    return text
