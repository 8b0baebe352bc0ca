"""The work queue: open requests and open appeals together, each on its own clock.

The queue pages through one ordered UNION of the two (kind, id, due time), so its order
and its count come from the database whatever the mix; the page's rows are then loaded
in one query per kind. A page costs the same number of queries for 10 rows or 100,000.
"""

from dataclasses import dataclass

from django.db.models import CharField, OuterRef, Q, QuerySet, Subquery, Value

from policies.models import Product
from priorauth.models import OPEN_APPEAL_STATUSES, OPEN_REQUEST_STATUSES, Appeal, OverrideRequest

REQUEST = "request"
APPEAL = "appeal"
KINDS = (REQUEST, APPEAL)
ENTRY_FIELDS = ("kind", "id", "due_at")


@dataclass(frozen=True)
class QueueFilters:
    """What the queue's filter form asks. Every filter but `automatic` applies to requests
    and appeals alike (an appeal's urgency, status and assignee are its own; its policy and
    member are its request's)."""

    status: str = ""
    urgency: str = ""
    policy_code: str = ""
    mine: bool = False
    search: str = ""
    kind: str = ""  # REQUEST or APPEAL: only that kind; "" both
    # Requests the system approved at receipt, the latest first (never open, no appeals).
    automatic: bool = False


def drug_name(prefix: str = "") -> Subquery:
    """The managed product's name for a request's NDC, in the same query. `prefix` is the
    path to the request ("request__" from an appeal)."""
    return Subquery(
        Product.objects.filter(
            policy=OuterRef(f"{prefix}policy"), ndcs__ndc=OuterRef(f"{prefix}prescription__ndc")
        ).values("name")[:1]
    )


def work_queue(*, user, filters: QueueFilters) -> QuerySet:
    """Entries {kind, id, due_at}: open requests and appeals, overdue first (earliest due),
    then nearest due; plain rows, cheap to count and to page. `queue_items` loads a page."""
    if filters.automatic:
        automatic = OverrideRequest.objects.filter(decision__automatic=True)
        automatic = _filtered(automatic, user, filters, to_request="")
        return _entries(automatic, REQUEST).order_by("-received_at", "-id")
    parts = []
    if filters.kind != APPEAL:
        requests = OverrideRequest.objects.filter(status__in=OPEN_REQUEST_STATUSES)
        parts.append(_entries(_filtered(requests, user, filters, to_request=""), REQUEST))
    if filters.kind != REQUEST:
        appeals = Appeal.objects.filter(status__in=OPEN_APPEAL_STATUSES)
        parts.append(_entries(_filtered(appeals, user, filters, to_request="request__"), APPEAL))
    first, *rest = parts
    # UNION ALL: the two kinds never share a row, so there is nothing to deduplicate.
    combined = first.union(*rest, all=True) if rest else first
    return combined.order_by("due_at", "kind", "id")


def _entries(queryset: QuerySet, kind: str) -> QuerySet:
    # No ordering of its own (a model's default one): a part of a UNION may not have one.
    return (
        queryset.order_by()
        .annotate(kind=Value(kind, output_field=CharField()))
        .values(*ENTRY_FIELDS)
    )


def _filtered(queryset: QuerySet, user, filters: QueueFilters, *, to_request: str) -> QuerySet:
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.urgency:
        queryset = queryset.filter(urgency=filters.urgency)
    if filters.policy_code:
        queryset = queryset.filter(**{f"{to_request}policy__code": filters.policy_code})
    if filters.mine:
        queryset = queryset.filter(assigned_to=user)
    search = filters.search.strip()
    if search:
        queryset = queryset.filter(
            Q(member__member_id__iexact=search)
            | Q(member__last_name__icontains=search)
            | Q(member__first_name__icontains=search)
        )
    return queryset


def queue_items(entries) -> list[OverrideRequest | Appeal]:
    """The requests and appeals a page of entries names, in the page's order: one query
    per kind on the page, each with what the queue shows (member, drug, prescription,
    assignee; for an appeal its request and who denied it)."""
    entries = list(entries)
    ids = {kind: [e["id"] for e in entries if e["kind"] == kind] for kind in KINDS}
    loaded = {REQUEST: {}, APPEAL: {}}
    if ids[REQUEST]:
        requests = OverrideRequest.objects.filter(pk__in=ids[REQUEST])
        loaded[REQUEST] = {r.pk: r for r in _request_details(requests)}
    if ids[APPEAL]:
        appeals = Appeal.objects.filter(pk__in=ids[APPEAL])
        loaded[APPEAL] = {a.pk: a for a in _appeal_details(appeals)}
    return [loaded[e["kind"]][e["id"]] for e in entries if e["id"] in loaded[e["kind"]]]


def _request_details(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("member", "policy", "assigned_to", "prescription").annotate(
        drug=drug_name()
    )


def _appeal_details(queryset: QuerySet) -> QuerySet:
    return queryset.select_related(
        "member",
        "assigned_to",
        "request__policy",
        "request__prescription",
        "request__decision",
    ).annotate(drug=drug_name("request__"))
