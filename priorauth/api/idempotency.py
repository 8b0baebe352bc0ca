"""`Idempotency-Key` on a POST: a retry gets the first answer and changes nothing.

The key's record is inserted in the same transaction as the work, so a second
request with the same key waits on the unique index until the first commits,
then replays its answer. A different body under a used key is refused.
"""

import functools
import hashlib
import json

from django.db import transaction
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from priorauth import services
from priorauth.models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
KEY_REUSED = "This Idempotency-Key was used with a different request; use a new key."
MULTIPART = "multipart/form-data"
KEY_TOO_LONG = f"An Idempotency-Key is at most {MAX_KEY_LENGTH} characters."


def _fingerprint(request) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(request.get_full_path().encode())
    if request.content_type.startswith(MULTIPART):
        _digest_multipart(digest, request._request)
    else:
        digest.update(request.body)
    return digest.hexdigest()


def _digest_multipart(digest, request) -> None:
    """A body with files (an attachment) is not kept in memory as bytes (http_guard): its
    fields and each file's name and content stand for it. The same upload again, whatever
    boundary the client drew, is the same request."""
    for name, values in sorted(request.POST.lists()):
        digest.update(json.dumps([name, values]).encode())
    for name, files in sorted(request.FILES.lists()):
        for upload in files:
            digest.update(
                json.dumps([name, upload.name, upload.content_type, upload.size]).encode()
            )
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)


def _replay(record: IdempotencyRecord, fingerprint: str) -> Response:
    if record.fingerprint != fingerprint:
        return Response({HEADER: [KEY_REUSED]}, status=422)
    response = Response(record.body, status=record.status_code)
    response[REPLAYED_HEADER] = "true"
    return response


def idempotent(view_method):
    """Decorate an APIView's post(); without the header it runs as usual."""

    @functools.wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if not key:
            return view_method(self, request, *args, **kwargs)
        if len(key) > MAX_KEY_LENGTH:
            return Response({HEADER: [KEY_TOO_LONG]}, status=400)
        fingerprint = _fingerprint(request)
        with transaction.atomic():
            record, new = services.idempotency_key_claim(
                user=request.user, key=key, fingerprint=fingerprint
            )
            if not new:
                return _replay(record, fingerprint)
            response = self.handle_view_exceptions(view_method, request, *args, **kwargs)
            if response.status_code >= 500 or response.status_code == 403:
                # Not kept: a server error may not happen again, and a 403 is about who
                # asks (an appeal's denier), never stored or replayed, as the schema says.
                transaction.set_rollback(True)
                return response
            services.idempotency_answer_store(
                record=record,
                status_code=response.status_code,
                body=json.loads(json.dumps(response.data, cls=JSONEncoder)),
            )
            return response

    wrapper.idempotent = True  # the schema documents the header (priorauth/api/schema.py)
    return wrapper
