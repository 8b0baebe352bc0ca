"""Small things several pages show the same way: the clock, paging."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

PAGE_SIZE = 25


def clock_label(due_at, now) -> str:
    """ "Overdue by 3 h 10 min" or "1 d 4 h left": status in words, not colour alone."""
    delta = due_at - now
    overdue = delta.total_seconds() < 0
    minutes = int(abs(delta.total_seconds()) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        text = f"{days} d {hours} h"
    elif hours:
        text = f"{hours} h {minutes} min"
    else:
        text = f"{minutes} min"
    return f"Overdue by {text}" if overdue else f"{text} left"


class CountedPaginator(Paginator):
    """Counts a plain queryset and shows a detailed one.

    Counting the detailed queryset would keep its joins; with 100,000 open requests
    that count was most of the page's time (docs/benchmarks.md).
    """

    def __init__(self, object_list, per_page, *, count_from):
        super().__init__(object_list, per_page)
        self._count_from = count_from

    @cached_property
    def count(self) -> int:
        return self._count_from.count()


def page_of(items, request, per_page: int = PAGE_SIZE):
    return Paginator(items, per_page).get_page(request.GET.get("page"))
