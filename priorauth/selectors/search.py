"""Search across every request and appeal, open or closed (issue 13, item 4).

One box: what was typed is read as the keys it could be, by its shape, and any match
counts: a member ID (always), a member's names (each word), a drug's name, an NDC (11
digits or hyphenated, policies.ndc), a prescriber NPI (10 digits), a request number
(digits) and an authorization number (PA260301-ABC234). Reading it by shape keeps each
key's query selective (an indexed equality, not a LIKE over every column).

Like the queue, the results are one ordered UNION of plain entries (kind, id and the sort
keys) paged by the database, whose page is loaded with queue_items: the same number of
queries for 3 results or 30,000.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from policies.models import Product
from policies.ndc import normalize_ndc
from priorauth.models import (
    OPEN_APPEAL_STATUSES,
    OPEN_REQUEST_STATUSES,
    Appeal,
    AppealStatus,
    OverrideRequest,
    RequestStatus,
)

from .queue import APPEAL, REQUEST

OPEN, CLOSED = "open", "closed"
SEARCH_FIELDS = ("kind", "id", "closed", "open_due", "received_at")
_AUTHORIZATION_NUMBER = re.compile(r"^PA\d{6}-[A-Z0-9]{6}$")
_NPI_DIGITS = 10
_MAX_REQUEST_NUMBER_DIGITS = 9  # a larger number is no request's: the query stays an int


@dataclass(frozen=True)
class SearchFilters:
    text: str = ""
    status: str = ""  # OPEN, CLOSED, a status of either kind, or "" for any
    received_from: date | None = None
    received_to: date | None = None  # included
    kind: str = ""  # REQUEST or APPEAL: only that kind; "" both

    @property
    def asks_something(self) -> bool:
        return bool(self.text.strip() or self.status or self.received_from or self.received_to)


def status_choices() -> list[tuple[str, str]]:
    """What the status filter offers: open, closed, then every status of either kind."""
    statuses = dict(RequestStatus.choices)
    statuses.update(AppealStatus.choices)  # adds "decided" (an appeal's); the rest are shared
    return [(OPEN, "Any open"), (CLOSED, "Any closed"), *statuses.items()]


def search_cases(filters: SearchFilters) -> QuerySet:
    """Entries {kind, id, closed, open_due, received_at}: open cases first, the most urgent
    (earliest due) first; then closed ones, the most recently received first."""
    parts = []
    if filters.kind != APPEAL:
        parts.append(_part(OverrideRequest.objects.all(), REQUEST, filters))
    if filters.kind != REQUEST:
        parts.append(_part(Appeal.objects.all(), APPEAL, filters))
    first, *rest = parts
    combined = first.union(*rest, all=True) if rest else first
    return combined.order_by("closed", "open_due", "-received_at", "kind", "-id")


def _part(queryset: QuerySet, kind: str, filters: SearchFilters) -> QuerySet:
    open_statuses = list(OPEN_APPEAL_STATUSES if kind == APPEAL else OPEN_REQUEST_STATUSES)
    to_request = "request__" if kind == APPEAL else ""
    queryset = _by_status(queryset, filters.status, open_statuses, kind)
    queryset = _by_received(queryset, filters.received_from, filters.received_to)
    text = filters.text.strip()
    if text:
        queryset = queryset.filter(_matching(text, kind, to_request))
    return (
        queryset.order_by()
        .annotate(
            kind=Value(kind, output_field=CharField()),
            closed=Case(
                When(status__in=open_statuses, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            open_due=Case(
                When(status__in=open_statuses, then=F("due_at")),
                default=None,
                output_field=DateTimeField(),
            ),
        )
        .values(*SEARCH_FIELDS)
    )


def _by_status(queryset: QuerySet, status: str, open_statuses: list, kind: str) -> QuerySet:
    if status == OPEN:
        return queryset.filter(status__in=open_statuses)
    if status == CLOSED:
        return queryset.exclude(status__in=open_statuses)
    if status:
        known = AppealStatus.values if kind == APPEAL else RequestStatus.values
        # A status the kind does not have ("approved" for an appeal) matches none of it.
        return queryset.filter(status=status) if status in known else queryset.none()
    return queryset


def _by_received(queryset: QuerySet, first: date | None, last: date | None) -> QuerySet:
    """Received on or after `first`, on or before `last`: whole days of the plan's zone."""
    if first is not None:
        queryset = queryset.filter(received_at__gte=_start_of(first))
    if last is not None:
        queryset = queryset.filter(received_at__lt=_start_of(last + timedelta(days=1)))
    return queryset


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _matching(text: str, kind: str, to_request: str) -> Q:
    """Every key `text` could be, by its shape; a row matching any of them is found."""
    found = Q(member__member_id__iexact=text)
    ndc = _as_ndc(text)
    if ndc is not None:
        found |= Q(**{f"{to_request}prescription__ndc": ndc})
    if text.isascii() and text.isdigit():
        if len(text) == _NPI_DIGITS:
            found |= Q(**{f"{to_request}prescription__prescriber__npi": text})
        if len(text) <= _MAX_REQUEST_NUMBER_DIGITS:
            # An appeal is found by its request's number: it is that request's case.
            found |= Q(**{"request_id" if kind == APPEAL else "id": int(text)})
    if _AUTHORIZATION_NUMBER.fullmatch(text.upper()):
        found |= Q(**{f"{to_request}override__authorization_number": text.upper()})
    if any(character.isalpha() for character in text):
        found |= _names(text) | Q(_drug_named(text, to_request))
    return found


def _as_ndc(text: str) -> str | None:
    try:
        return normalize_ndc(text)
    except ValueError:
        return None


def _names(text: str) -> Q:
    """Each word a first or last name (or part of one): "Avery Quinlan", "quinlan, avery"."""
    words = [word for word in re.split(r"[\s,]+", text) if word]
    matched = Q()
    for word in words:
        matched &= Q(member__first_name__icontains=word) | Q(member__last_name__icontains=word)
    return matched


def _drug_named(text: str, to_request: str) -> Exists:
    """The request's NDC is a product of its policy whose name contains `text`."""
    return Exists(
        Product.objects.filter(
            policy=OuterRef(f"{to_request}policy"),
            ndcs__ndc=OuterRef(f"{to_request}prescription__ndc"),
            name__icontains=text,
        )
    )
