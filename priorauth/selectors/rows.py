"""Rows of hand-written SQL turned into what the ORM would have given.

The hot paths (the claim check, the API's token check) read in SQL the ORM cannot say
in one statement, or can say only at a cost in Python that exceeds the query's own
(docs/decisions/0020-claim-check-round-trips.md). Their values pass through each field's
database converters, exactly as the ORM's compiler applies them, so a Decimal, a date
or a datetime is the same on SQLite and on PostgreSQL as through a queryset.
"""

from dataclasses import dataclass, field

from django.db import connection


@dataclass(frozen=True)
class Columns:
    """One model's columns in a statement: where they start, and their converters.

    Built once per database vendor with the statement that reads them (each caller caches
    its statements per vendor), so the converters are looked up once, not per value."""

    model: type
    fields: tuple
    start: int
    converters: tuple = field(init=False, repr=False)
    names: tuple = field(init=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "converters", tuple(map(_converters_of, self.fields)))
        object.__setattr__(self, "names", tuple(f.attname for f in self.fields))

    def values(self, row: tuple) -> list:
        values = []
        for offset, converters in enumerate(self.converters):
            value = row[self.start + offset]
            for convert, expression in converters:
                value = convert(value, expression, connection)
            values.append(value)
        return values

    def instance(self, row: tuple):
        return self.model.from_db(connection.alias, self.names, self.values(row))


def _converters_of(model_field) -> tuple:
    """(converter, expression) pairs, as the ORM's compiler applies them to a column."""
    expression = model_field.get_col(model_field.model._meta.db_table)
    converters = (
        *connection.ops.get_db_converters(expression),
        *model_field.get_db_converters(connection),
    )
    return tuple((convert, expression) for convert in converters)
