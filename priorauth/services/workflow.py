"""The review workflow shared by requests and appeals: a row moves from status to status
only along its model's transitions, under its row lock, with a reason in its history."""

from collections.abc import Callable

from django.db import models, transaction

from priorauth import errors


def transition(row: models.Model, target, *, transitions: dict, reason: str, by) -> None:
    """Set `target` on a locked row (not saved) if its transitions allow it; 409 otherwise."""
    if target not in transitions[row.status]:
        raise errors.Conflict(
            {
                "status": errors.TRANSITION_REFUSED.format(
                    what=row._meta.verbose_name,
                    current=row.get_status_display(),
                    target=target.label,
                )
            }
        )
    row.status = target
    row._change_reason = reason
    row._history_user = by


def move(
    lock: Callable[[int], models.Model],
    pk: int,
    target,
    *,
    transitions: dict,
    refuse_if_closed: Callable[[models.Model], None],
    reason: str,
    by,
    done: Callable[[models.Model], bool] | None = None,
    **fields,
):
    """Lock the row, move it to `target`, set `fields` (a callable value is computed from
    the locked row). `done(row)` true: the move has already happened; nothing is written."""
    with transaction.atomic():
        row = lock(pk)
        if done is not None and done(row):
            return row
        refuse_if_closed(row)
        transition(row, target, transitions=transitions, reason=reason, by=by)
        for name, value in fields.items():
            setattr(row, name, value(row) if callable(value) else value)
        row.save()
    return row
