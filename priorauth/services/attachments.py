"""Clinical documents added to a request or to its appeal (ADR 0016).

Who: the intake user who filed the request, or a reviewer (pharmacist, physician); an
auditor reads only. When: while the request (or the appeal) is open, and with the request
itself when intake files it: a decision is made on the documents it had, so a decided
request keeps them as they were and new ones go with an appeal. Every file of an upload is
checked first (priorauth/uploads.py); one bad file stores nothing.
"""

import hashlib
import uuid

from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone

from priorauth import errors, roles
from priorauth.models import Appeal, Attachment, OverrideRequest
from priorauth.uploads import CheckedDocument, check_documents

from .requests import override_request_submit

STORAGE_ALIAS = "attachments"
FIELD = "file"


def attachment_storage():
    """The configured storage (settings.STORAGES["attachments"]), looked up when used."""
    return storages[STORAGE_ALIAS]


def may_attach(user, request: OverrideRequest) -> bool:
    if roles.has_role(user, *roles.REVIEWERS):
        return True
    return roles.has_role(user, roles.INTAKE) and request.submitted_by_id == user.pk


def request_attachments_add(
    *, request_id: int, files: list, by, at_submission: bool = False
) -> list[Attachment]:
    """Attach documents to a request. `at_submission`: intake's own form, in the transaction
    that received the request (which the determination may already have decided)."""
    with transaction.atomic():
        request = _lock(OverrideRequest, request_id, errors.UNKNOWN_REQUEST, "request_id")
        _refuse_if_not_allowed(by, request)
        documents = _checked(files)
        if not (request.is_open or at_submission):
            raise errors.Conflict(
                {
                    FIELD: errors.ATTACHMENTS_REQUEST_CLOSED.format(
                        request_id=request.pk, status=request.get_status_display()
                    )
                }
            )
        return _store(documents, request=request, appeal=None, by=by)


def appeal_attachments_add(*, appeal_id: int, files: list, by) -> list[Attachment]:
    with transaction.atomic():
        appeal = _lock(Appeal, appeal_id, errors.UNKNOWN_APPEAL, "appeal_id")
        _refuse_if_not_allowed(by, appeal.request)
        documents = _checked(files)
        if not appeal.is_open:
            raise errors.Conflict(
                {
                    FIELD: errors.ATTACHMENTS_APPEAL_CLOSED.format(
                        appeal_id=appeal.pk, status=appeal.get_status_display()
                    )
                }
            )
        return _store(documents, request=appeal.request, appeal=appeal, by=by)


def _lock(model, pk: int, unknown: str, field: str):
    row = (
        model.objects.select_for_update(of=("self",))
        .select_related("request" if model is Appeal else "member")
        .filter(pk=pk)
        .first()
    )
    if row is None:
        raise errors.NotFound({field: unknown.format(**{field: pk})})
    return row


def _refuse_if_not_allowed(user, request: OverrideRequest) -> None:
    if may_attach(user, request):
        return
    if roles.has_role(user, roles.INTAKE):
        # Another intake user's request: as if it did not exist (as the API's reads do).
        raise errors.NotFound({"request_id": errors.UNKNOWN_REQUEST.format(request_id=request.pk)})
    raise errors.Forbidden({FIELD: errors.ATTACHMENTS_NOT_ALLOWED})


def _checked(files: list) -> list[CheckedDocument]:
    documents, problems = check_documents(list(files))
    if problems:
        raise errors.ServiceError({FIELD: problems})
    return documents


def _store(documents, *, request, appeal, by) -> list[Attachment]:
    """Write each file under a random key, then its row; a failure deletes what was written
    (the transaction takes the rows back; storage is not transactional)."""
    storage = attachment_storage()
    written: list[str] = []
    try:
        rows = []
        now = timezone.now()
        for document in documents:
            upload = document.upload
            digest = hashlib.sha256()
            upload.seek(0)
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
            key = storage.save(f"attachments/{uuid.uuid4().hex}", upload)
            written.append(key)
            rows.append(
                Attachment.objects.create(
                    request=request,
                    appeal=appeal,
                    storage_key=key,
                    filename=document.filename,
                    content_type=document.content_type,
                    size=upload.size,
                    sha256=digest.hexdigest(),
                    uploaded_by=by,
                    uploaded_at=now,
                )
            )
    except BaseException:
        for key in written:
            storage.delete(key)
        raise
    return rows


def attachment_open(attachment: Attachment):
    """The stored bytes, opened for reading (the caller closes them)."""
    return attachment_storage().open(attachment.storage_key, "rb")


def override_request_submit_with_documents(*, files: list, submitted_by, **fields):
    """Intake's form: the request and its documents in one transaction, so a refused
    document leaves no request behind (the documents are checked before either is written)."""
    if files:
        _checked(files)
    with transaction.atomic():
        created = override_request_submit(submitted_by=submitted_by, **fields)
        if files:
            request_attachments_add(
                request_id=created.pk, files=files, by=submitted_by, at_submission=True
            )
    return created
