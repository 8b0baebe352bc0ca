"""The claim check's reads: lock the member, then read the fills and the override grants
the rule may need, in one round trip to the database
(docs/decisions/0020-claim-check-round-trips.md).

Hand-written SQL, because this runs on every claim and the ORM cannot say it in one
statement: two outer joins from the member whose conditions sit in their ON clauses.
Each round trip costs more than the rule itself (issue 14). The SQL is built once per
process; values come back through each field's own database converters, so Decimals and
dates are exactly what the ORM would give, on SQLite and on PostgreSQL.

Two statements, one round trip. The lock and the read are separate statements on
purpose: under READ COMMITTED a `SELECT ... FOR UPDATE` that waits for another claim's
lock reads the joined rows from the snapshot it started with, so it would miss the fill
that claim just committed (tests/services/test_concurrency.py caught it). On PostgreSQL
both go in one query string (the simple query protocol carries several statements): the
server runs them in order, each with its own snapshot under READ COMMITTED, so the read's
is taken after the lock is held, and the client waits once. (psycopg's pipeline mode did
the same in one round trip too, but its machinery and a second cursor cost more Python
than the rest of the read: ADR 0020.) SQLite has no row locks and no network: its
transactions start IMMEDIATE (settings), which serialises writers, and the two
statements simply run one after the other.

The member's line of business picks the policy, and it is not known until the lock's row
comes back; so the read takes the fills of every NDC that a policy in force for any line
of business groups with this one, and the grants of every such policy, and
`ClaimCheckRead` keeps those of the member's own policy.
"""

from dataclasses import dataclass
from datetime import date
from functools import cache

from django.db import connection

from policies import rules
from policies.selectors import ClaimReach
from priorauth.models import ClaimStatus, Member, Override, OverrideAllowance
from priorauth.models.claims import Claim
from priorauth.models.overrides import IN_FORCE_STATUSES

from .rows import Columns

FILL_FIELDS = ("id", "ndc", "date_of_service", "quantity", "days_supply")


@dataclass(frozen=True)
class ClaimCheckRead:
    """What the claim check read under the member's lock."""

    fills: tuple[tuple[str, rules.Fill], ...]  # (ndc, fill), in date-of-service order
    grants: tuple[OverrideAllowance, ...]  # in force on the day, for the claim's channel

    def fills_of(self, ndcs: tuple[str, ...]) -> list[rules.Fill]:
        wanted = set(ndcs)
        return [fill for ndc, fill in self.fills if ndc in wanted]

    def grant_of(self, policy_code: str) -> OverrideAllowance | None:
        # One override of a policy may be in force (a constraint), one grant per channel.
        return next((g for g in self.grants if g.override.policy_code == policy_code), None)


def lock_member_for_claim(
    *, member_id: str, reach: ClaimReach, channel: str, on: date
) -> tuple[Member | None, ClaimCheckRead]:
    """Lock the member (None when there is none) and read its paid fills of the reach's
    NDCs whose supply reaches `on`, and its grants for `channel` in force on `on` under
    the reach's policies. Call inside transaction.atomic()."""
    if not connection.in_atomic_block:
        raise RuntimeError("lock_member_for_claim must be called inside transaction.atomic().")
    statements = _statements(connection.vendor, len(reach.ndcs), len(reach.policy_codes))
    day = connection.ops.adapt_datefield_value(on)
    read_params = [
        ClaimStatus.PAID,
        day,
        *reach.ndcs,
        channel,
        *IN_FORCE_STATUSES,
        day,
        day,
        *reach.policy_codes,
        member_id,
    ]
    with connection.cursor() as cursor:
        if statements.together:
            cursor.execute(statements.together, [member_id, *read_params])
            member_rows = cursor.fetchall()
            cursor.nextset()
        else:
            cursor.execute(statements.lock_sql, [member_id])
            member_rows = cursor.fetchall()
            cursor.execute(statements.read_sql, read_params)
        read_rows = cursor.fetchall()
    if not member_rows:
        return None, ClaimCheckRead(fills=(), grants=())
    member = statements.member.instance(member_rows[0])
    return member, statements.read(member, read_rows)


@dataclass(frozen=True)
class _Statements:
    lock_sql: str
    read_sql: str
    together: str  # both in one string, where the database takes several (PostgreSQL)
    member: Columns
    fill: Columns
    allowance: Columns
    override: Columns

    def read(self, member: Member, rows: list[tuple]) -> ClaimCheckRead:
        fills, grants = {}, {}
        for row in rows:  # fills x grants: each appears once per row of the other
            fill_id = row[self.fill.start]
            if fill_id is not None and fill_id not in fills:
                pk, ndc, filled_on, quantity, days_supply = self.fill.values(row)
                fills[pk] = (ndc, rules.Fill(pk, filled_on, quantity, days_supply))
            grant_id = row[self.allowance.start]
            if grant_id is not None and grant_id not in grants:
                grant = self.allowance.instance(row)
                grant.override = self.override.instance(row)
                grant.override.member = member
                grants[grant_id] = grant
        ordered = sorted(fills.values(), key=lambda pair: (pair[1].filled_on, pair[1].ref))
        return ClaimCheckRead(fills=tuple(ordered), grants=tuple(grants.values()))


@cache
def _statements(vendor: str, n_ndcs: int, n_codes: int) -> _Statements:
    quote = connection.ops.quote_name
    member = Columns(Member, tuple(Member._meta.concrete_fields), 0)
    fill = Columns(Claim, tuple(Claim._meta.get_field(name) for name in FILL_FIELDS), 0)
    allowance = Columns(
        OverrideAllowance, tuple(OverrideAllowance._meta.concrete_fields), len(fill.fields)
    )
    override = Columns(
        Override, tuple(Override._meta.concrete_fields), allowance.start + len(allowance.fields)
    )
    lock_sql = (
        f"SELECT {', '.join(quote(f.column) for f in member.fields)} "
        f"FROM {quote(Member._meta.db_table)} WHERE member_id = %s"
        # SQLite has no row locks (see the module's docstring).
        + (" FOR UPDATE" if vendor == "postgresql" else "")
    )
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
    read_sql = f"""
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
            AND o.policy_code IN ({_placeholders(n_codes)})
        ) g ON g.{quote("o_member_id")} = m.id
        WHERE m.member_id = %s
    """
    together = f"{lock_sql}; {read_sql}" if vendor == "postgresql" else ""
    return _Statements(lock_sql, read_sql, together, member, fill, allowance, override)


def _placeholders(n: int) -> str:
    # An empty IN () is not SQL; NULL matches nothing, which is what no NDC means.
    return ", ".join(["%s"] * n) if n else "NULL"
