"""The claim check's one read after the member's lock: the fills and the override grants
the rule may need, in one statement (docs/decisions/0020-claim-check-reads.md).

Hand-written SQL, because this runs on every claim and the ORM cannot say it in one
statement: two outer joins from the member whose conditions sit in their ON clauses.
Each round trip to the database costs more than the rule itself; before, a rejected
claim read its override grant in a second query. The SQL is built once per process;
values come back through each field's own database converters, so Decimals and dates
are exactly what the ORM would give, on SQLite and on PostgreSQL.

It is not the statement that takes the lock, on purpose: under READ COMMITTED a
`SELECT ... FOR UPDATE` that waits for another claim's lock reads the joined rows from
the snapshot it started with, so it would miss the fill that claim just committed
(tests/services/test_concurrency.py caught it). The lock comes first (services/locks.py);
this statement starts after it, and sees every committed fill.
"""

from dataclasses import dataclass
from datetime import date
from functools import cache

from django.db import connection

from policies import rules
from priorauth.models import ClaimStatus, Member, Override, OverrideAllowance
from priorauth.models.claims import Claim
from priorauth.models.overrides import IN_FORCE_STATUSES

FILL_FIELDS = ("id", "date_of_service", "quantity", "days_supply")


@dataclass(frozen=True)
class ClaimCheckRead:
    """What the claim check read under the member's lock."""

    fills: list[rules.Fill]  # in date-of-service order, as the rule counts them
    grant: OverrideAllowance | None  # in force on the day, for the claim's channel

    def allowance(self) -> OverrideAllowance | None:
        return self.grant


def claim_check_read(
    *,
    member: Member,
    ndcs: tuple[str, ...],
    policy_code: str,
    channel: str,
    on: date,
) -> ClaimCheckRead:
    """The member's paid fills of `ndcs` whose supply reaches `on`, and its override
    grant for `channel` in force on `on` under the policy. The caller holds the member's
    lock (services/locks.py)."""
    statement = _statement(connection.vendor, len(ndcs))
    day = connection.ops.adapt_datefield_value(on)
    params = [
        ClaimStatus.PAID,
        day,
        *ndcs,
        channel,
        *IN_FORCE_STATUSES,
        day,
        day,
        policy_code,
        member.pk,
    ]
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, params)
        rows = cursor.fetchall()
    return statement.read(member, rows)


@dataclass(frozen=True)
class _Columns:
    """One model's columns in the statement: where they start, and their converters."""

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


@dataclass(frozen=True)
class _Statement:
    sql: str
    fill: _Columns
    allowance: _Columns
    override: _Columns

    def read(self, member: Member, rows: list[tuple]) -> ClaimCheckRead:
        fills, allowances = {}, {}
        for row in rows:  # fills x grants: each of them appears once per row of the other
            fill_id = row[self.fill.start]
            if fill_id is not None and fill_id not in fills:
                pk, filled_on, quantity, days_supply = self.fill.values(row)
                fills[pk] = rules.Fill(pk, filled_on, quantity, days_supply)
            grant_id = row[self.allowance.start]
            if grant_id is not None and grant_id not in allowances:
                allowance = self.allowance.instance(row)
                override = self.override.instance(row)
                override.member = member
                allowance.override = override
                allowances[grant_id] = allowance
        # One override of a policy may be in force (a constraint), with one grant per channel.
        (grant,) = allowances.values() or [None]
        ordered = sorted(fills.values(), key=lambda fill: (fill.filled_on, fill.ref))
        return ClaimCheckRead(fills=ordered, grant=grant)


@cache
def _statement(vendor: str, n_ndcs: int) -> _Statement:
    fill_fields = tuple(Claim._meta.get_field(name) for name in FILL_FIELDS)
    fill = _Columns(Claim, fill_fields, 0)
    allowance = _Columns(
        OverrideAllowance, _concrete(OverrideAllowance), fill.start + len(fill.fields)
    )
    override = _Columns(Override, _concrete(Override), allowance.start + len(allowance.fields))
    quote = connection.ops.quote_name
    columns = ", ".join(
        [
            *(f"f.{quote(f.column)}" for f in fill.fields),
            *(f"g.{quote('a_' + f.column)}" for f in allowance.fields),
            *(f"g.{quote('o_' + f.column)}" for f in override.fields),
        ]
    )
    grant_columns = ", ".join(
        [
            *(f"a.{quote(f.column)} AS {quote('a_' + f.column)}" for f in allowance.fields),
            *(f"o.{quote(f.column)} AS {quote('o_' + f.column)}" for f in override.fields),
        ]
    )
    sql = f"""
        SELECT {columns}
        FROM {quote(Member._meta.db_table)} m
        LEFT JOIN {quote(Claim._meta.db_table)} f
            ON f.member_id = m.id AND f.status = %s AND f.covers_through >= %s
            AND f.ndc IN ({_placeholders(n_ndcs)})
        LEFT JOIN (
            SELECT {grant_columns}
            FROM {quote(OverrideAllowance._meta.db_table)} a
            JOIN {quote(Override._meta.db_table)} o ON o.id = a.override_id
            WHERE a.channel = %s AND o.status IN ({_placeholders(len(IN_FORCE_STATUSES))})
            AND o.starts_on <= %s AND o.ends_on >= %s
            AND o.policy_code = %s
        ) g ON g.{quote("o_member_id")} = m.id
        WHERE m.id = %s
    """
    return _Statement(sql=sql, fill=fill, allowance=allowance, override=override)


def _concrete(model) -> tuple:
    return tuple(model._meta.concrete_fields)


def _placeholders(n: int) -> str:
    # An empty IN () is not SQL; NULL matches nothing, which is what no NDC means.
    return ", ".join(["%s"] * n) if n else "NULL"


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
