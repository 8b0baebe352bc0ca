"""The API's token check: the token, its user and the user's roles in one small query.

DRF reads the token with its user (one query) and the role check then reads the user's
groups (another). An ORM query with one EXISTS per role does it in one, but costs more
to build and to plan than the two together (15 ms against 5 ms a request on a loaded
machine, measured for issue 14). This is the plain join: one row per group the user is
in (one or two), none of the ORM's query building (docs/decisions/0020).
"""

from dataclasses import dataclass
from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from rest_framework.authtoken.models import Token

from .rows import Columns


@dataclass(frozen=True)
class TokenHolder:
    token: Token
    user: object  # the user model's instance
    roles: frozenset[str]


def token_holder(key: str) -> TokenHolder | None:
    """The token with this key, its user and the names of the user's groups; None if unknown."""
    statement = _statement(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, [key])
        rows = cursor.fetchall()
    if not rows:
        return None
    user = statement.user.instance(rows[0])
    token = statement.token.instance(rows[0])
    token.user = user
    roles = frozenset(row[-1] for row in rows if row[-1] is not None)
    return TokenHolder(token=token, user=user, roles=roles)


@dataclass(frozen=True)
class _Statement:
    sql: str
    token: Columns
    user: Columns


@cache
def _statement(vendor: str) -> _Statement:
    quote = connection.ops.quote_name
    user_model = get_user_model()
    token = Columns(Token, tuple(Token._meta.concrete_fields), 0)
    user = Columns(user_model, tuple(user_model._meta.concrete_fields), len(token.fields))
    memberships = user_model.groups.through._meta.db_table
    sql = (
        f"SELECT {', '.join(f't.{quote(f.column)}' for f in token.fields)}, "
        f"{', '.join(f'u.{quote(f.column)}' for f in user.fields)}, g.name "
        f"FROM {quote(Token._meta.db_table)} t "
        f"JOIN {quote(user_model._meta.db_table)} u ON u.id = t.user_id "
        f"LEFT JOIN {quote(memberships)} ug ON ug.user_id = u.id "
        f"LEFT JOIN {quote(Group._meta.db_table)} g ON g.id = ug.group_id "
        "WHERE t.key = %s"
    )
    return _Statement(sql=sql, token=token, user=user)
