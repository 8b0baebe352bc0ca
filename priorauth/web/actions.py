"""A reviewer's action on a case page, a request's or an appeal's: one service call, then
its message and the page; a refusal shows the page as it is now, with the reason.

The workflow (take, release, pend, answer) is the same for both kinds of row
(services/workflow.py); so are its messages, built here once.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse

from priorauth import errors
from priorauth.errors import ServiceError, TakeOverRequired

from . import confirm

# An action: (request, pk) -> the message shown after it; raises ServiceError to refuse.
Action = Callable[..., str]


@dataclass(frozen=True)
class CasePage:
    """One kind of case page: its template, its URL name, and its context for the row as it
    is now (recording the PHI read, as showing the page does)."""

    template: str
    url_name: str
    context: Callable[..., dict]
    # The row itself (with its member and assignee), for a confirmation.
    load: Callable[[int], object] | None = None
    # Actions confirmed every time: action -> (request, row) -> what it will do.
    previews: dict[str, confirm.Previewer] = field(default_factory=dict)
    # Actions confirmed only when someone else holds the case (pend).
    take_over_previews: dict[str, confirm.Previewer] = field(default_factory=dict)


def perform(request, page: CasePage, pk: int, action: str, act: Action):
    try:
        if action in page.previews and not confirm.is_confirmed(request):
            # Say what will happen first; nothing is written until it is confirmed.
            step = _confirmation(request, page, pk, action, holder_name=None)
            if step is not None:
                return step
        try:
            message = act(request, pk)
        except TakeOverRequired as refusal:
            # Someone else holds it (perhaps since the page was shown): ask, then retry.
            step = _confirmation(request, page, pk, action, holder_name=refusal.holder_name)
            if step is None:
                raise
            return step
    except ServiceError as error:
        # Someone else may have acted meanwhile: the page as it is now, with the reason.
        context = page.context(request, pk)
        context.update(
            {"action_errors": error.errors, "failed_action": action, "posted": request.POST}
        )
        return render(request, page.template, context, status=error.status_code)
    messages.success(request, message)
    if action == "release":
        return redirect("queue")
    return redirect(page.url_name, pk)


def _confirmation(request, page: CasePage, pk: int, action: str, *, holder_name):
    """The confirmation step page, or None when there is nothing to confirm (a closed case:
    the service says why it cannot be decided)."""
    previewer = page.previews.get(action) or page.take_over_previews.get(action)
    row = page.load(pk)
    if previewer is None or not row.is_open:
        return None
    preview = previewer(request, row)
    if holder_name is None:
        notice = confirm.take_over_notice(row, request.user)
    else:
        notice = errors.TAKE_OVER_NOTICE.format(name=holder_name)
    return confirm.confirmation_page(
        request,
        row=row,
        member=row.member,
        preview=preview,
        notice=notice,
        back=reverse(page.url_name, args=[pk]),
    )


def _pend(service, id_name: str) -> Action:
    def run(request, pk: int) -> str:
        service(
            **{id_name: pk},
            reason=request.POST.get("reason", ""),
            take_over=confirm.takes_over(request),
            by=request.user,
        )
        return "Pended for more information."

    return run


def workflow_actions(*, take, release, pend, answer, id_name: str, noun: str) -> dict:
    """take, release, pend and answer for one kind of row: its services (keyword `id_name`
    for the row's id) and what the reviewer reads after each."""

    def act(service, message: str, **posted_as: str) -> Action:
        def run(request, pk: int) -> str:
            posted = {name: request.POST.get(field, "") for name, field in posted_as.items()}
            service(**{id_name: pk}, by=request.user, **posted)
            return message

        return run

    return {
        "take": act(take, f"You have taken this {noun}."),
        "release": act(release, "Released back to the queue."),
        "pend": _pend(pend, id_name),
        "answer": act(
            answer, f"Information recorded; the {noun} is back in the queue.", notes="notes"
        ),
    }
