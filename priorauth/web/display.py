"""Small things several pages show the same way: the clock, an override issued, paging."""

from django.core.paginator import Paginator

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


def override_issued(override) -> str:
    """What a reviewer reads after an approval or an overturned appeal."""
    return (
        f"Override {override.authorization_number} is in force from {override.starts_on} to "
        f"{override.ends_on}."
    )


def page_of(items, request, per_page: int = PAGE_SIZE):
    return Paginator(items, per_page).get_page(request.GET.get("page"))
