"""Rows of hand-written SQL turned into what the ORM would have given.

The hot paths (the claim check, the API's token check) read in SQL the ORM cannot say
in one statement, or can say only at a cost in Python that exceeds the query's own
(docs/decisions/0020-claim-check-round-trips.md). Their values pass through each field's
database converters, exactly as the ORM's compiler applies them, so a Decimal, a date
or a datetime is the same on SQLite and on PostgreSQL as through a queryset.
"""

from dataclasses import dataclass
from functools import cache

from django.db import connection


@dataclass(frozen=True)
class Columns:
    """One model's columns in a statement: where they start, and their converters."""

    model: type
    fields: tuple
    start: int

    def values(self, row: tuple) -> list:
        values = []
        for offset, field in enumerate(self.fields):
            value = row[self.start + offset]
            for convert, expression in _converters(field):
                value = convert(value, expression, connection)
            values.append(value)
        return values

    def instance(self, row: tuple):
        names = [field.attname for field in self.fields]
        return self.model.from_db(connection.alias, names, self.values(row))


@cache
def _converters_for(vendor: str, field) -> tuple:
    """(converter, expression) pairs, as the ORM's compiler applies them to a column."""
    expression = field.get_col(field.model._meta.db_table)
    converters = (
        *connection.ops.get_db_converters(expression),
        *field.get_db_converters(connection),
    )
    return tuple((convert, expression) for convert in converters)


def _converters(field) -> tuple:
    return _converters_for(connection.vendor, field)
