"""Writes to overrides: create on approval, consume, restore, revoke, expire.

Every change of an override's status is a conditional update through
`_change_status` (UPDATE … WHERE status = the status we read), so two writers can
never overwrite each other: the loser changes nothing and is told so. Services that
also read the member's claims or overrides take the member lock first (locks.py).
"""

import secrets
from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from policies.models import Criterion
from priorauth import errors, selectors
from priorauth.models import Override, OverrideAllowance, OverrideRequest, OverrideStatus

from .locks import lock_member_by_pk, member_pk_of

SYSTEM_USERNAME = "system"
EXPIRED_BY_SCHEDULE = "expired by schedule"
_AUTH_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read over the phone


def _change_status(
    override: Override, *, expected: str, to: str, reason: str, by, **fields
) -> bool:
    """Move `override` from `expected` to `to` unless someone else moved it first.

    Returns False, changing nothing, when the stored status is no longer `expected`.
    The history row is written only for a change that happened.
    """
    changed = Override.objects.filter(pk=override.pk, status=expected).update(status=to, **fields)
    if not changed:
        return False
    override.status = to
    for name, value in fields.items():
        setattr(override, name, value)
    Override.history.bulk_history_create(
        [override], update=True, default_user=by, default_change_reason=reason
    )
    return True


def override_create(
    *, request: OverrideRequest, criterion: Criterion, today: date, by, reason: str = ""
) -> Override:
    """The override an approval (or an overturned appeal) creates. The caller holds the
    member lock."""
    member = request.member
    policy = request.policy
    _expire_past_end(
        member=member,
        policy_code=policy.code,
        today=today,
        by=by,
        reason="ended (found while approving another)",
    )
    active = selectors.override_in_force(member=member, policy_code=policy.code, on=today)
    if active is not None:
        raise errors.Conflict(
            {
                "decision": errors.ACTIVE_OVERRIDE_EXISTS.format(
                    member_id=member.member_id,
                    authorization_number=active.authorization_number,
                    ends_on=active.ends_on,
                )
            }
        )
    terms = selectors.override_terms(criterion, today)  # what the confirmation showed
    override = Override(
        request=request,
        member=member,
        policy=policy,
        policy_code=policy.code,
        criterion=criterion,
        authorization_number=_new_authorization_number(today),
        one_time=terms.one_time,
        starts_on=terms.starts_on,
        ends_on=terms.ends_on,
    )
    override._change_reason = reason or f"approved under criterion {criterion.number}"
    override._history_user = by
    override.save()
    OverrideAllowance.objects.bulk_create(
        OverrideAllowance(
            override=override,
            channel=grant.channel,
            max_quantity=grant.max_quantity,
            per_days=grant.per_days,
        )
        for grant in terms.grants
    )
    return override


def _expire_past_end(*, member, policy_code: str, today: date, by, reason: str) -> None:
    """Catch up a stale `active` status before the one-active constraint is tested.

    Every path that may make an override `active` calls this first (create, restore):
    the expiry task may lag, and an override past its end but still stored active
    would otherwise make the partial unique index refuse the write.
    """
    for stale in Override.objects.past_end(today).filter(member=member, policy_code=policy_code):
        _change_status(
            stale, expected=OverrideStatus.ACTIVE, to=OverrideStatus.EXPIRED, reason=reason, by=by
        )


def _new_authorization_number(today: date) -> str:
    suffix = "".join(secrets.choice(_AUTH_ALPHABET) for _ in range(6))
    return f"PA{today:%y%m%d}-{suffix}"


def override_consume(override: Override, *, by) -> bool:
    """A one-time override is used up by the claim that needed it. The caller holds the
    member lock; False when its status changed under us since the claim read it (only
    the expiry can, labelling it `expired`: the claim is then decided again, and finds
    it in force all the same)."""
    return _change_status(
        override,
        expected=override.status,
        to=OverrideStatus.USED,
        reason="used by a claim",
        by=by,
    )


def override_restore(override: Override, *, today: date, by) -> None:
    """The claim that used a one-time override was reversed: give it back if it can be.

    The caller holds the member lock. Past its end it becomes expired; when another
    override is in force, it stays used (only one may be active). Another one that
    has ended but is still stored active (the expiry lags) is caught up first, or
    making this one active again would break the one-active constraint.
    """
    _expire_past_end(
        member=override.member,
        policy_code=override.policy_code,
        today=today,
        by=by,
        reason="ended (found while restoring another)",
    )
    if today > override.ends_on:
        to, reason = OverrideStatus.EXPIRED, "claim reversed after the override ended"
    elif selectors.override_in_force(
        member=override.member, policy_code=override.policy_code, on=today
    ):
        return
    else:
        to, reason = OverrideStatus.ACTIVE, "the claim that used it was reversed"
    _change_status(override, expected=OverrideStatus.USED, to=to, reason=reason, by=by)


def override_revoke(*, override_id: int, reason: str, by) -> Override:
    reason = (reason or "").strip()
    if not reason:
        raise errors.ServiceError({"reason": errors.REVOKE_REASON_REQUIRED})
    not_found = errors.NotFound({"override_id": errors.UNKNOWN_OVERRIDE.format(id=override_id)})
    member_pk = member_pk_of(Override.objects, override_id, not_found)
    with transaction.atomic():
        # A claim consuming this override holds the same lock: one waits for the other.
        lock_member_by_pk(member_pk)
        override = Override.objects.get(pk=override_id)
        today = timezone.localdate()
        revoked = override.is_in_force(today) and _change_status(
            override,
            expected=OverrideStatus.ACTIVE,
            to=OverrideStatus.REVOKED,
            reason=f"revoked: {reason}",
            by=by,
            revoked_at=timezone.now(),
            revoked_by=by,
            revoke_reason=reason,
        )
        if not revoked:
            override.refresh_from_db()
            raise errors.Conflict(
                {
                    "override_id": errors.OVERRIDE_NOT_ACTIVE.format(
                        authorization_number=override.authorization_number,
                        status=override.status_on(today),
                    )
                }
            )
    return override


def system_user():
    """The account that scheduled changes are attributed to in history. It cannot log in."""
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def overrides_expire(*, today: date | None = None, batch_size: int = 1000) -> int:
    """Store `expired` on every active override whose last day is before today.

    Correctness never depends on this: every check computes "in force" from the
    dates. This catches the stored status up, with a history row per override.
    Batches are locked with SKIP LOCKED, so two runs at once (two workers, two
    beats) share the work instead of waiting or doing it twice; a row another run
    holds is that run's to finish. The UPDATE is conditional on `active`, like every
    override transition. Returns how many this run changed.
    """
    today = today or timezone.localdate()
    by = system_user()
    changed = 0
    while True:
        with transaction.atomic():
            batch = list(
                Override.objects.past_end(today)
                .select_for_update(skip_locked=True)
                .order_by("id")[:batch_size]
            )
            if not batch:
                return changed
            # One plain UPDATE and one bulk INSERT of history rows per batch
            # (bulk_update's CASE per row was the slow part at 100,000).
            Override.objects.filter(
                pk__in=[o.pk for o in batch], status=OverrideStatus.ACTIVE
            ).update(status=OverrideStatus.EXPIRED)
            for override in batch:
                override.status = OverrideStatus.EXPIRED
            Override.history.bulk_history_create(
                batch,
                update=True,
                default_user=by,
                default_change_reason=EXPIRED_BY_SCHEDULE,
            )
        changed += len(batch)
        if len(batch) < batch_size:
            return changed
