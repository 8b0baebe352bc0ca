"""Decisions that say what they will do before they do it (ADR 0017).

Approve and deny (overturn and uphold on an appeal) show what will happen first: the
authorization an approval creates, computed by the same selectors.override_terms that
services.overrides.override_create writes; the words the member will be told on a denial.
Deciding a case someone else holds says so and reassigns it (services.workflow.
reassign_to_decider); pend is a decision too.

Two ways to the same confirmation. With JavaScript, the page's <dialog> (rendered here,
filled by static/priorauth/app.js) asks, then posts `confirmed=1` (and `take_over=1`).
Without it, the form posts without `confirmed`, and the reply is a confirmation page
whose form posts the same fields again with them. The service is the last word either
way: an unconfirmed take-over is refused there, and this page is shown.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone

from policies import selectors as policy_selectors
from policies.choices import Channel
from policies.rules import describe_quantity
from priorauth import errors, selectors
from priorauth.audit import record_phi_access
from priorauth.services.workflow import person_name

from .forms import posted_criterion_number

CONFIRMED = "confirmed"
TAKE_OVER = "take_over"
# Posted fields that are the confirmation's own, not the action's.
_NOT_REPOSTED = {"csrfmiddlewaretoken", CONFIRMED, TAKE_OVER}


@dataclass(frozen=True)
class Preview:
    """What an action will do, in sentences, before it is done."""

    title: str  # "Approve request 12?"
    confirm_label: str  # the button that does it
    lines: list[str] = field(default_factory=list)
    danger: bool = False


# (request, the case row) -> the preview; raises ServiceError for input it would refuse.
Previewer = Callable[..., Preview]


def is_confirmed(request) -> bool:
    return request.POST.get(CONFIRMED) == "1"


def takes_over(request) -> bool:
    return request.POST.get(TAKE_OVER) == "1"


def take_over_notice(row, user) -> str:
    """ "Assigned to <name>. Deciding it reassigns it to you." when someone else holds it."""
    holder = row.assigned_to
    if holder is None or holder.pk == user.pk:
        return ""
    return errors.TAKE_OVER_NOTICE.format(name=person_name(holder))


def confirmation_page(request, *, row, member, preview: Preview, notice: str, back: str):
    """The step page: what will happen, who holds the case (`notice`), and the same form
    posted again with `confirmed` (and `take_over` when someone else holds it)."""
    record_phi_access(request, member, "decision confirmation view")
    reposted = [(k, v) for k, v in request.POST.items() if k not in _NOT_REPOSTED]
    reposted.append((CONFIRMED, "1"))
    if notice:
        reposted.append((TAKE_OVER, "1"))
    return render(
        request,
        "priorauth/confirm_decision.html",
        {
            "preview": preview,
            "take_over_notice": notice,
            "reposted": reposted,
            "action_url": request.path,
            "back": back,
            "row": row,
        },
    )


# --- What each decision will do -----------------------------------------------------------


def authorization_sentence(grants, ends_on, unit: str) -> str:
    """ "Creates authorization for 4 pens per 28 days at retail or 6 pens per 84 days at
    home delivery until 2026-03-30." Grants: anything with channel, max_quantity, per_days
    (the terms an approval would create, or an override's allowances)."""
    each = [
        f"{describe_quantity(g.max_quantity, unit)} per {g.per_days} days at "
        f"{Channel(g.channel).label}"
        for g in grants
    ]
    return f"Creates authorization for {' or '.join(each)} until {ends_on:%Y-%m-%d}."


def approval_sentence(criterion, unit: str, today) -> str:
    """What approving under `criterion` today creates (selectors.override_terms)."""
    terms = selectors.override_terms(criterion, today)
    sentence = authorization_sentence(terms.grants, terms.ends_on, unit)
    return f"{sentence} One fill (a one-time override)." if terms.one_time else sentence


def approval_sentences(criteria, unit: str) -> list[tuple[int, str]]:
    """(number, sentence) for each criterion, for the page's dialog (prefetch `grants`)."""
    today = timezone.localdate()
    return [(c.number, approval_sentence(c, unit, today)) for c in criteria]


def _criterion(policy, posted: str | None):
    number = posted_criterion_number(posted)
    if number is None:
        raise errors.ServiceError({"criterion_number": errors.CRITERION_REQUIRED})
    criteria = {c.number: c for c in policy.criteria.prefetch_related("grants")}
    if number not in criteria:
        raise errors.ServiceError(
            {
                "criterion_number": errors.UNKNOWN_CRITERION.format(
                    policy_code=policy.code,
                    number=number,
                    numbers=", ".join(str(n) for n in sorted(criteria)) or "none",
                )
            }
        )
    return criteria[number]


def approve_preview(request, case, *, title: str, confirm_label: str) -> Preview:
    criterion = _criterion(case.policy, request.POST.get("criterion_number"))
    unit = policy_selectors.policy_unit(case.policy)
    sentence = approval_sentence(criterion, unit, timezone.localdate())
    return Preview(
        title=title,
        confirm_label=confirm_label,
        lines=[f"Under criterion {criterion.number}, {criterion.label}.", sentence],
    )


UPHOLD_THEN = "The notice also gives the next level of appeal and its time limit."


def denial_then() -> str:
    return (
        "The notice also quotes the policy's criteria and says how to appeal within "
        f"{settings.PRIORAUTH_APPEAL_DAYS} days."
    )


def denial_preview(request, *, title: str, confirm_label: str, then: str = "") -> Preview:
    """What the member will be told: the reason, as the notice quotes it. An empty reason
    is refused beside its field, before anything is asked."""
    reason = request.POST.get("reason", "").strip()
    if not reason:
        raise errors.ServiceError({"reason": errors.REASON_REQUIRED})
    then = then or denial_then()
    return Preview(
        title=title,
        confirm_label=confirm_label,
        lines=["The member will be told:", f"“{reason}”", then],
        danger=True,
    )


def pend_preview(request, *, noun: str) -> Preview:
    return Preview(
        title=f"Pend this {noun} for information?",
        confirm_label="Pend",
        lines=[f"Information needed: “{request.POST.get('reason', '').strip()}”"],
    )
