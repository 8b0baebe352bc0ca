"""Search every request and appeal, open or closed (selectors/search.py says how the box is
read). Listing results shows members: the page records each one, as the queue does."""

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse

from policies.ndc import format_ndc
from priorauth import selectors
from priorauth.audit import record_phi_access_many
from priorauth.models import Appeal
from priorauth.selectors.queue import APPEAL, REQUEST

from .access import CASE_READERS, role_required
from .display import PAGE_SIZE

MAX_TEXT = 100


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Member, number, drug, NDC or NPI",
        required=False,
        max_length=MAX_TEXT,
        help_text=(
            "A member's ID or name, a request or authorization number, a drug's name, "
            "an NDC (with or without hyphens) or a prescriber's NPI."
        ),
    )
    status = forms.ChoiceField(label="Status", required=False)
    received_from = forms.DateField(
        label="Received from",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Give a date as YYYY-MM-DD."},
    )
    received_to = forms.DateField(
        label="Received to",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Give a date as YYYY-MM-DD."},
    )
    kind = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[
            ("", "Requests and appeals"),
            (REQUEST, "Requests only"),
            (APPEAL, "Appeals only"),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "Any"), *selectors.status_choices()]

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("received_from"), cleaned.get("received_to")
        if first and last and last < first:
            self.add_error("received_to", f"The last day ({last}) is before the first ({first}).")
        return cleaned

    def filters(self) -> selectors.SearchFilters:
        data = self.cleaned_data
        return selectors.SearchFilters(
            text=data["q"],
            status=data["status"],
            received_from=data["received_from"],
            received_to=data["received_to"],
            kind=data["kind"],
        )


@role_required(*CASE_READERS)
def search_page(request):
    form = SearchForm(request.GET or None)
    context = {"form": form, "page": None, "rows": [], "asked": False}
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
    elif form.is_bound and form.filters().asks_something:
        page = Paginator(selectors.search_cases(form.filters()), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        items = selectors.queue_items(page.object_list)
        record_phi_access_many(request, [item.member_id for item in items], "search results view")
        query = request.GET.copy()
        query.pop("page", None)
        rows = [_row(item) for item in items]
        context.update({"page": page, "rows": rows, "asked": True, "query": query.urlencode()})
    return render(request, "priorauth/search.html", context, status=status)


def _row(item) -> dict:
    """What a result shows: its number and link, the member, the drug, the NDC (5-4-2)."""
    is_appeal = isinstance(item, Appeal)
    request = item.request if is_appeal else item
    return {
        "item": item,
        "kind": APPEAL if is_appeal else REQUEST,
        "request": request,
        "url": reverse("appeal" if is_appeal else "case", args=[item.pk]),
        "ndc": format_ndc(request.prescription.ndc),
    }
