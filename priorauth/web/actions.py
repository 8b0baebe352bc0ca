"""A reviewer's action on a case page, a request's or an appeal's: one service call, then
its message and the page; a refusal shows the page as it is now, with the reason.

The workflow (take, release, pend, answer) is the same for both kinds of row
(services/workflow.py); so are its messages, built here once.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.shortcuts import redirect, render

from priorauth.errors import ServiceError

# An action: (request, pk) -> the message shown after it; raises ServiceError to refuse.
Action = Callable[..., str]


@dataclass(frozen=True)
class CasePage:
    """One kind of case page: its template, its URL name, and its context for the row as it
    is now (recording the PHI read, as showing the page does)."""

    template: str
    url_name: str
    context: Callable[..., dict]


def perform(request, page: CasePage, pk: int, action: str, act: Action):
    try:
        message = act(request, pk)
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
        "pend": act(pend, "Pended for more information.", reason="reason"),
        "answer": act(
            answer, f"Information recorded; the {noun} is back in the queue.", notes="notes"
        ),
    }
