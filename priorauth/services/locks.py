"""The one lock rule of the review domain (docs/decisions/0003-concurrency.md).

Every service that reads a member's fills or overrides and then writes takes the
member's row lock first, through `lock_member`, and holds it to the end of its
transaction. Two claims, a claim and a reversal, a claim and a revocation, or two
approvals for one member therefore happen one after the other, and each sees what
the other wrote. Lock order is always the member first, then the row being changed
(a claim, a request, an override), so two services never wait on each other in a
circle. On SQLite, transactions start IMMEDIATE (settings), which serialises writers.
"""

from django.db import connection

from priorauth import errors
from priorauth.models import Member


def _require_transaction() -> None:
    # A lock outside a transaction is released at once: a programming error, not bad input.
    if not connection.in_atomic_block:
        raise RuntimeError("lock_member must be called inside transaction.atomic().")


def lock_member(*, member_id: str) -> Member:
    """Lock the member with this member ID; bad input (400) when there is none."""
    _require_transaction()
    member = Member.objects.select_for_update().filter(member_id=member_id).order_by().first()
    if member is None:
        raise errors.ServiceError({"member_id": errors.UNKNOWN_MEMBER.format(member_id=member_id)})
    return member


def lock_member_by_pk(pk: int) -> None:
    """Lock a member known by primary key (from a claim, request or override it owns)."""
    _require_transaction()
    Member.objects.select_for_update().filter(pk=pk).order_by().values_list("pk").first()


def member_pk_of(queryset, pk: int, not_found: errors.NotFound) -> int:
    """The member a claim, request or override belongs to (it never changes), or not_found.

    Read before the lock is taken: the lock order is the member first, then the row.
    """
    member_pk = queryset.filter(pk=pk).values_list("member_id", flat=True).first()
    if member_pk is None:
        raise not_found
    return member_pk
