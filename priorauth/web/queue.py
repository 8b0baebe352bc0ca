"""The work queue: open requests, most urgent first; or those the system approved."""

from django.shortcuts import render
from django.utils import timezone

from policies import selectors as policy_selectors
from priorauth import roles, selectors
from priorauth.audit import record_phi_access_many
from priorauth.models import OPEN_REQUEST_STATUSES, Urgency

from .access import REVIEWERS, role_required
from .display import PAGE_SIZE, CountedPaginator, clock_label


def _choice(value: str, allowed) -> str:
    """The filter value when it is one of the allowed values, else no filter."""
    return value if value in allowed else ""


@role_required(*REVIEWERS)
def queue(request):
    params = request.GET
    requests = selectors.work_queue(
        user=request.user,
        status=_choice(params.get("status", ""), OPEN_REQUEST_STATUSES),
        urgency=_choice(params.get("urgency", ""), Urgency.values),
        policy_code=params.get("policy", ""),
        mine=params.get("mine") == "1",
        search=params.get("q", ""),
        automatic=params.get("auto") == "1",
    )
    page = CountedPaginator(
        selectors.with_queue_details(requests), PAGE_SIZE, count_from=requests
    ).get_page(params.get("page"))
    record_phi_access_many(request, [r.member_id for r in page.object_list], "work queue view")
    now = timezone.now()
    # A decided request (the "determined automatically" filter) has no clock left to run.
    rows = [
        {
            "request": r,
            "overdue": r.is_open and r.due_at < now,
            "clock": clock_label(r.due_at, now) if r.is_open else "Decided",
        }
        for r in page.object_list
    ]
    filters = params.copy()
    filters.pop("page", None)
    return render(
        request,
        "priorauth/queue.html",
        {
            "page": page,
            "rows": rows,
            "filters": params,
            "filter_query": filters.urlencode(),
            "statuses": [(s.value, s.label) for s in OPEN_REQUEST_STATUSES],
            "urgencies": Urgency.choices,
            "policies": policy_selectors.policy_codes_and_titles(),
            "can_decide": roles.has_role(request.user, roles.CLINICAL_PHARMACIST),
            "automatic": params.get("auto") == "1",
        },
    )
