"""The work queue: open requests and appeals, most urgent first; or the requests the
system approved."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from policies import selectors as policy_selectors
from priorauth import roles, selectors
from priorauth.audit import record_phi_access_many
from priorauth.models import OPEN_REQUEST_STATUSES, Appeal, AppealStatus, RequestStatus, Urgency
from priorauth.selectors.queue import APPEAL, REQUEST, QueueFilters

from .access import CASE_READERS, role_required
from .display import PAGE_SIZE, clock_label

KIND_CHOICES = ((REQUEST, "Requests only"), (APPEAL, "Appeals only"))


def _choice(value: str, allowed) -> str:
    """The filter value when it is one of the allowed values, else no filter."""
    return value if value in allowed else ""


def _filters(params) -> QueueFilters:
    return QueueFilters(
        status=_choice(params.get("status", ""), OPEN_REQUEST_STATUSES),
        urgency=_choice(params.get("urgency", ""), Urgency.values),
        policy_code=params.get("policy", ""),
        mine=params.get("mine") == "1",
        search=params.get("q", ""),
        kind=_choice(params.get("kind", ""), (REQUEST, APPEAL)),
        automatic=params.get("auto") == "1",
    )


@role_required(*CASE_READERS)
def queue(request):
    params = request.GET
    filters = _filters(params)
    entries = selectors.work_queue(user=request.user, filters=filters)
    page = Paginator(entries, PAGE_SIZE).get_page(params.get("page"))
    items = selectors.queue_items(page.object_list)
    record_phi_access_many(request, [item.member_id for item in items], "work queue view")
    now = timezone.now()
    rows = [_row(item, request.user, now) for item in items]
    query = params.copy()
    query.pop("page", None)
    return render(
        request,
        "priorauth/queue.html",
        {
            "page": page,
            "rows": rows,
            "filters": params,
            "filter_query": query.urlencode(),
            "statuses": [(s.value, s.label) for s in OPEN_REQUEST_STATUSES],
            "urgencies": Urgency.choices,
            "kinds": KIND_CHOICES,
            "policies": policy_selectors.policy_codes_and_titles(),
            "automatic": filters.automatic,
        },
    )


def _row(item, user, now) -> dict:
    """What a row shows. For an appeal: its own clock, status and assignee, and the
    request it appeals (drug, prescription); `take` only for someone who may work it."""
    is_appeal = isinstance(item, Appeal)
    # A decided request (the "determined automatically" filter) has no clock left to run.
    return {
        "kind": APPEAL if is_appeal else REQUEST,
        "item": item,
        "request": item.request if is_appeal else item,
        "overdue": item.is_open and item.due_at < now,
        "clock": clock_label(item.due_at, now) if item.is_open else "Decided",
        "url": reverse("appeal", args=[item.pk]) if is_appeal else reverse("case", args=[item.pk]),
        "take_url": _take_url(item, user, is_appeal),
    }


def _take_url(item, user, is_appeal: bool) -> str | None:
    if is_appeal:
        # Never the person who denied the request: they are not its judge (§10).
        may = (
            item.status == AppealStatus.PENDING
            and roles.has_role(user, *roles.REVIEWERS)
            and item.request.decision.decided_by_id != user.pk
        )
        return reverse("appeal-action", args=[item.pk, "take"]) if may else None
    may = item.status == RequestStatus.PENDING and roles.has_role(user, roles.CLINICAL_PHARMACIST)
    return reverse("case-action", args=[item.pk, "take"]) if may else None
