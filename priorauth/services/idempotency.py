"""Writes behind `Idempotency-Key`: claim a key, then store the answer to replay.

Both run inside the caller's transaction (priorauth/api/idempotency.py wraps the
whole request in one), so the key's record commits with the work or not at all.
"""

from django.db import IntegrityError, transaction

from priorauth.models import IdempotencyRecord


def idempotency_key_claim(*, user, key: str, fingerprint: str) -> tuple[IdempotencyRecord, bool]:
    """(record, True) for a new key; (the first request's record, False) for a retry.

    A second request with the same key waits on the unique index until the first
    commits, then finds its record.
    """
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(user=user, key=key, fingerprint=fingerprint)
    except IntegrityError:
        return IdempotencyRecord.objects.get(user=user, key=key), False
    return record, True


def idempotency_answer_store(*, record: IdempotencyRecord, status_code: int, body) -> None:
    record.status_code = status_code
    record.body = body
    record.save(update_fields=["status_code", "body"])
