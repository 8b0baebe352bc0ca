"""Reading a document field by field, collecting every problem with the path of its field."""

import difflib
from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from priorauth.http_guard import forbidden_in_text


def unknown_field_message(name: str, known: Sequence[str], what: str) -> str:
    """ "is not a field of a criterion (did you mean auto_approve?)": the nearest known
    name when there is one, else the list of them."""
    message = f"is not a field of {what}"
    nearest = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if nearest:
        return f"{message} (did you mean {nearest[0]}?)"
    return f"{message}; its fields are: {', '.join(known)}."


class Checker:
    """Collects problems with their field paths while reading a document."""

    def __init__(self):
        self.problems: list[str] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def mapping(self, value: Any, where: str) -> dict:
        if not isinstance(value, dict):
            self.fail(where, "must be a mapping of fields.")
            return {}
        return value

    def items(self, parent: dict, key: str, where: str, *, required: bool = True) -> list:
        value = parent.get(key)
        if value is None:
            if required:
                self.fail(f"{where}.{key}", "is required (a list with at least one item).")
            return []
        if not isinstance(value, list) or (required and not value):
            self.fail(f"{where}.{key}", "must be a list with at least one item.")
            return []
        return value

    def text(self, parent: dict, key: str, where: str, *, required=True, max_length=None) -> str:
        value = parent.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(f"{where}.{key}", "is required.")
            return ""
        if not isinstance(value, str):
            self.fail(f"{where}.{key}", f"must be text, not {value!r}.")
            return ""
        if max_length and len(value) > max_length:
            self.fail(f"{where}.{key}", f"must be at most {max_length} characters.")
        problem = forbidden_in_text(value)  # PostgreSQL cannot store a NUL, for one
        if problem:
            self.fail(f"{where}.{key}", f"contains {problem}; remove it.")
            return ""
        return value.strip()

    def choice(self, parent: dict, key: str, where: str, choices) -> str:
        value = parent.get(key)
        allowed = [c.value for c in choices]
        if value not in allowed:
            self.fail(f"{where}.{key}", f"{value!r} is not one of {', '.join(allowed)}.")
            return ""
        return value

    def day(self, parent: dict, key: str, where: str, *, required=True) -> date | None:
        value = parent.get(key)
        if value is None:
            if required:
                self.fail(f"{where}.{key}", "is required (a date, YYYY-MM-DD).")
            return None
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{where}.{key}", f"{value!r} is not a date (YYYY-MM-DD).")
            return None

    def positive_int(self, parent: dict, key: str, where: str, *, default=None) -> int:
        value = parent.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            self.fail(f"{where}.{key}", f"must be a whole number greater than 0, not {value!r}.")
            return 0
        return value

    def positive_quantity(self, parent: dict, key: str, where: str) -> Decimal:
        value = parent.get(key)
        try:
            if isinstance(value, bool) or value is None:
                raise InvalidOperation
            quantity = Decimal(str(value))
        except InvalidOperation:
            quantity = None
        if quantity is None or not quantity.is_finite() or quantity <= 0:
            self.fail(f"{where}.{key}", f"must be a number greater than 0, not {value!r}.")
            return Decimal(0)
        if quantity != quantity.quantize(Decimal("0.001")):
            self.fail(f"{where}.{key}", "has more than 3 decimal places.")
        return quantity

    def flag(self, parent: dict, key: str, where: str) -> bool:
        value = parent.get(key, False)
        if not isinstance(value, bool):
            self.fail(f"{where}.{key}", f"must be true or false, not {value!r}.")
            return False
        return value

    def known_fields(self, value: dict, where: str, known: Sequence[str], what: str) -> None:
        """Refuse fields the format does not have: a misspelt one would otherwise do nothing
        and nobody would know. `where` is "" for the top of the file."""
        for name in value:
            path = f"{where}.{name}" if where else str(name)
            if name not in known:
                self.fail(path, unknown_field_message(str(name), known, what))
