"""The review workflow shared by requests and appeals: a row moves from status to status
only along its model's transitions, under its row lock, with a reason in its history."""

from collections.abc import Callable
from dataclasses import dataclass

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


def person_name(user) -> str:
    """A colleague as people name them: the full name, else the username."""
    return user.get_full_name() or user.get_username()


def reassign_to_decider(row: models.Model, *, by, take_over: bool) -> None:
    """Before `by` decides a locked open row: a row someone else holds is refused unless
    `take_over`; with it, the row is reassigned to `by` first, with its own history row, so the
    history says who held it and who took it over (and the holder no longer reads as the
    assignee of a case they did not decide)."""
    holder = row.assigned_to
    if holder is None or holder.pk == by.pk:
        return
    name = person_name(holder)
    if not take_over:
        what = row._meta.verbose_name
        raise errors.TakeOverRequired(
            {
                "take_over": errors.ASSIGNED_TO_SOMEONE_ELSE.format(
                    what=what[:1].upper() + what[1:], id=row.pk, name=name
                )
            },
            holder_name=name,
        )
    row.assigned_to = by
    row._change_reason = f"reassigned from {holder.get_username()} to {by.get_username()} to decide"
    row._history_user = by
    row.save()


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
    before: Callable[[models.Model], None] | None = None,
    **fields,
):
    """Lock the row, move it to `target`, set `fields` (a callable value is computed from
    the locked row). `done(row)` true: the move has already happened; nothing is written.
    `before(row)` runs on the open row first (it may refuse, or write its own change)."""
    with transaction.atomic():
        row = lock(pk)
        if done is not None and done(row):
            return row
        refuse_if_closed(row)
        if before is not None:
            before(row)
        transition(row, target, transitions=transitions, reason=reason, by=by)
        for name, value in fields.items():
            setattr(row, name, value(row) if callable(value) else value)
        row.save()
    return row


@dataclass(frozen=True)
class Workflow:
    """The review actions of one kind of case (a request, an appeal). `statuses` is its
    TextChoices; both kinds name pending, in_review, needs_info and withdrawn alike."""

    lock: Callable[[int], models.Model]
    transitions: dict
    refuse_if_closed: Callable[[models.Model], None]
    statuses: type

    def move(self, pk: int, target, **kwargs):
        return move(
            self.lock,
            pk,
            target,
            transitions=self.transitions,
            refuse_if_closed=self.refuse_if_closed,
            **kwargs,
        )

    def take(self, pk: int, *, by):
        in_review = self.statuses("in_review")

        def already_theirs(row) -> bool:
            return row.status == in_review and row.assigned_to_id == by.pk

        return self.move(
            pk,
            in_review,
            reason=f"taken by {by.get_username()}",
            by=by,
            done=already_theirs,
            assigned_to=by,
        )

    def release(self, pk: int, *, by):
        return self.move(
            pk,
            self.statuses("pending"),
            reason=f"released by {by.get_username()}",
            by=by,
            assigned_to=None,
        )

    def pend(self, pk: int, *, reason: str, by, take_over: bool = False):
        """Pending is a decision too: a case someone else holds needs `take_over`."""
        reason = (reason or "").strip()
        if not reason:
            raise errors.ServiceError({"reason": errors.PEND_REASON_REQUIRED})
        return self.move(
            pk,
            self.statuses("needs_info"),
            reason=f"information needed: {reason}",
            by=by,
            before=lambda row: reassign_to_decider(row, by=by, take_over=take_over),
            status_reason=reason,
        )

    def answer(self, pk: int, *, notes: str, by):
        """What was asked for was supplied: back to the queue, the notes kept."""
        notes = (notes or "").strip()

        def with_notes(row) -> str:
            return f"{row.clinical_notes}\n\n{notes}".strip() if notes else row.clinical_notes

        return self.move(
            pk,
            self.statuses("pending"),
            reason="information supplied",
            by=by,
            clinical_notes=with_notes,
            status_reason="",
        )

    def withdraw(self, pk: int, *, reason: str, by):
        return self.move(
            pk,
            self.statuses("withdrawn"),
            reason=f"withdrawn: {reason}".strip(": "),
            by=by,
            status_reason=reason,
        )
