"""Reads of override requests: the work queue, the case page, the API's request read."""

from django.db.models import OuterRef, Q, QuerySet, Subquery

from policies.models import Product
from priorauth.models import OPEN_REQUEST_STATUSES, OverrideRequest


def _drug_name() -> Subquery:
    """The managed product's name for a request's NDC, in the same query."""
    return Subquery(
        Product.objects.filter(
            policy=OuterRef("policy"), ndcs__ndc=OuterRef("prescription__ndc")
        ).values("name")[:1]
    )


def work_queue(
    *,
    user,
    status: str = "",
    urgency: str = "",
    policy_code: str = "",
    mine: bool = False,
    search: str = "",
    automatic: bool = False,
) -> QuerySet:
    """Open requests, most urgent first: overdue ones (earliest due) lead, then nearest due.

    `automatic`: instead, the requests the real-time determination approved (decided at
    receipt, so never open), the latest received first, for a pharmacist to look back on.
    Plain rows, cheap to count; `with_queue_details` adds what the page shows.
    """
    if automatic:
        queryset = OverrideRequest.objects.filter(decision__automatic=True).order_by(
            "-received_at", "-id"
        )
    else:
        queryset = OverrideRequest.objects.filter(status__in=OPEN_REQUEST_STATUSES).order_by(
            "due_at", "id"
        )
    if status:
        queryset = queryset.filter(status=status)
    if urgency:
        queryset = queryset.filter(urgency=urgency)
    if policy_code:
        queryset = queryset.filter(policy__code=policy_code)
    if mine:
        queryset = queryset.filter(assigned_to=user)
    search = search.strip()
    if search:
        queryset = queryset.filter(
            Q(member__member_id__iexact=search)
            | Q(member__last_name__icontains=search)
            | Q(member__first_name__icontains=search)
        )
    return queryset


def with_queue_details(queryset: QuerySet) -> QuerySet:
    """Member, policy, assignee, prescription and the drug's name, in the same query."""
    return queryset.select_related("member", "policy", "assigned_to", "prescription").annotate(
        drug=_drug_name()
    )


def case_request(request_id: int) -> OverrideRequest | None:
    return (
        OverrideRequest.objects.select_related(
            "member",
            "policy",
            "prescription__prescriber",
            "attested_criterion",
            "assigned_to",
            "submitted_by",
            "decision__criterion",
            "decision__decided_by",
            "override__criterion",
        )
        .annotate(drug=_drug_name())
        .filter(pk=request_id)
        .first()
    )


def request_history(request: OverrideRequest) -> QuerySet:
    return request.history.select_related("history_user").order_by("history_date", "history_id")


def requests_submitted_by(user) -> QuerySet:
    """What an intake user submitted, newest first ("My requests")."""
    return (
        OverrideRequest.objects.filter(submitted_by=user)
        .select_related("member", "policy", "decision", "override")
        .order_by("-received_at")
    )


def member_requests(member) -> QuerySet:
    return member.override_requests.select_related("policy").order_by("-received_at")


def request_for_api(request_id: int, *, submitted_by=None) -> OverrideRequest | None:
    """A request with its decision and override, as the API shows it.

    With `submitted_by`, only a request that user submitted (intake sees its own).
    """
    queryset = OverrideRequest.objects.select_related(
        "member",
        "policy",
        "attested_criterion",
        "prescription__prescriber",
        "decision__criterion",
        "decision__decided_by",
        "override__member",
        "override__criterion",
    ).prefetch_related("override__allowances")
    if submitted_by is not None:
        queryset = queryset.filter(submitted_by=submitted_by)
    return queryset.filter(pk=request_id).first()
