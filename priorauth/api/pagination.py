"""Paging of the API's lists: limit and offset, checked like every other input (§7.1).

DRF's LimitOffsetPagination ignores a limit or offset it cannot read and passes a huge
one to the database (`?limit=100000000000000000000` was a 500). Here a parameter that
is given must be a whole number in range, or the list is refused with a 400 on that
parameter; an absent or empty one takes its default. Beyond the last row the page is
empty.
"""

import re

from rest_framework import pagination
from rest_framework.exceptions import ValidationError

MAX_LIMIT = 200
MAX_OFFSET = 1_000_000_000
LIMIT_MESSAGE = f"limit must be a whole number from 1 to {MAX_LIMIT}."
OFFSET_MESSAGE = f"offset must be a whole number from 0 to {MAX_OFFSET}."
_DIGITS = re.compile(r"[0-9]{1,10}")  # ASCII digits only: int() also reads "١٢" and "1_0"


def _whole_number(text: str, low: int, high: int) -> int | None:
    if not _DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if low <= number <= high else None


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    """limit 1 to MAX_LIMIT (default PAGE_SIZE), offset 0 to MAX_OFFSET; else a 400."""

    max_limit = MAX_LIMIT

    def checked_params(self, request) -> tuple[int, int]:
        """(limit, offset) from the query, or ValidationError naming each bad one.

        A list view calls this before it reads or logs anything, so a refused list
        leaves no trace; paginate_queryset calls it again through get_limit/get_offset.
        """
        params = request.query_params
        wanted = {
            self.limit_query_param: (1, MAX_LIMIT, self.default_limit, LIMIT_MESSAGE),
            self.offset_query_param: (0, MAX_OFFSET, 0, OFFSET_MESSAGE),
        }
        values, errors = [], {}
        for name, (low, high, default, message) in wanted.items():
            text = params.get(name, "")
            value = default if text == "" else _whole_number(text, low, high)
            if value is None:
                errors[name] = [message]
            values.append(value)
        if errors:
            raise ValidationError(errors)
        return values[0], values[1]

    def get_limit(self, request):
        return self.checked_params(request)[0]

    def get_offset(self, request):
        return self.checked_params(request)[1]

    def get_schema_operation_parameters(self, view):
        bounds = {
            self.limit_query_param: {"minimum": 1, "maximum": MAX_LIMIT},
            self.offset_query_param: {"minimum": 0, "maximum": MAX_OFFSET},
        }
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters
