"""The benchmarks' data: members and their paid claim history, loaded with COPY, and
the users the benchmarks act as.

Import after django.setup(). Seeded rows are told apart from what a run adds by
`submitted_by`: seeded claims have none, claims a run makes are submitted by a
bench user and deleted again (`discard_run_claims`), so every run starts from
the same history. The determination benchmark lays its own seeded rows on top
(benchmarks/determination_data.py: Humira and Emgality fills); `seeded_counts` counts
only the drugs this module writes, so those never make the claims data look changed.
"""

import random
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from rest_framework.authtoken.models import Token

from priorauth import roles
from priorauth.models import (
    Claim,
    Decision,
    Member,
    Override,
    OverrideRequest,
    Prescription,
)

KESIMPTA_NDC = "00078100768"
PRESCRIBER_NPI = "1234567893"  # passes the NPI check digit
MEMBER_PREFIX = "BM"  # seeded members: BM0000001 ...
SPECIAL_PREFIX = "BENCH-"  # members the benchmark keeps for itself (not seeded history)
# Drugs the policy does not manage (a statin, metformin, lisinopril, ...): plain paid history.
OTHER_NDCS = ("00093505698", "00378180110", "00071015523", "68180051301", "00406052362")
FIRST_NAMES = [
    "Ana",
    "Ben",
    "Chen",
    "Dana",
    "Eli",
    "Fatima",
    "Grace",
    "Hugo",
    "Ines",
    "Jon",
    "Kim",
    "Lena",
    "Maya",
    "Noah",
    "Omar",
    "Priya",
    "Rosa",
    "Sam",
    "Tara",
    "Yusuf",
]
LAST_NAMES = [
    "Adams",
    "Baker",
    "Clark",
    "Diaz",
    "Evans",
    "Garcia",
    "Hughes",
    "Ito",
    "Jones",
    "Khan",
    "Lopez",
    "Moore",
    "Nguyen",
    "Ortiz",
    "Patel",
    "Reyes",
    "Smith",
    "Tanaka",
    "Walker",
    "Young",
]
# A member's last Kesimpta fill was this many days before today (uniform). Fills cover
# 28 days, so 1-27 still has supply on hand today (an early refill is rejected) and
# 28 or more pays: about 39% of the load's claims reject, 61% pay.
LAST_FILL_DAYS_AGO = (1, 70)
INTERVAL_DAYS = 28
CHUNK_MEMBERS = 5_000


def member_id(number: int) -> str:
    return f"{MEMBER_PREFIX}{number:07d}"


# --- Users ------------------------------------------------------------------------------


def bench_user(username: str, role: str):
    user, _ = get_user_model().objects.get_or_create(username=username)
    user.set_unusable_password()
    user.save()
    user.groups.set([Group.objects.get(name=role)])
    return user


def claims_system_user():
    return bench_user("bench-claims", roles.CLAIMS_SYSTEM)


def intake_user():
    return bench_user("bench-intake", roles.INTAKE)


def pharmacist_user():
    return bench_user("bench-pharmacist", roles.CLINICAL_PHARMACIST)


def token_for(user) -> str:
    return Token.objects.get_or_create(user=user)[0].key


# --- COPY text format ------------------------------------------------------------


def _text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime | date | Decimal | int):
        return value.isoformat() if isinstance(value, datetime | date) else str(value)
    if isinstance(value, str):
        return (
            value.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    raise TypeError(f"no COPY text for {type(value).__name__}")


def _columns(model, given: list[str]) -> tuple[list[str], str]:
    """The columns to COPY: the ones we generate, then every other column at its default.

    Written against the model, not a fixed list, so a field added later (with a
    default) does not break the load.
    """
    extra_columns, extra_values = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key or field.column in given:
            continue
        value = field.get_default()
        if value is None and not field.null:
            raise RuntimeError(
                f"{model.__name__}.{field.name} has no default: teach benchmarks/data.py its value"
            )
        extra_columns.append(field.column)
        extra_values.append(_text(value))
    suffix = "".join("\t" + v for v in extra_values)
    return given + extra_columns, suffix


def _copy(table: str, columns: list[str], lines: Iterator[str]) -> None:
    column_list = ", ".join(connection.ops.quote_name(c) for c in columns)
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {connection.ops.quote_name(table)} ({column_list}) FROM STDIN") as copy,
    ):
        for chunk in lines:
            copy.write(chunk)


# --- State ------------------------------------------------------------------------------


def seeded_counts() -> tuple[int, int]:
    members = Member.objects.filter(member_id__startswith=MEMBER_PREFIX).count()
    claims = Claim.objects.filter(
        submitted_by__isnull=True, ndc__in=(KESIMPTA_NDC, *OTHER_NDCS)
    ).count()
    return members, claims


def discard_run_claims() -> int:
    """Delete the claims earlier runs made, and the override requests and overrides of the
    members a run keeps for itself (SPECIAL_PREFIX), so each run starts the same."""
    deleted, _ = Claim.objects.filter(submitted_by__isnull=False).delete()
    special = Member.objects.filter(member_id__startswith=SPECIAL_PREFIX)
    Claim.objects.filter(member__in=special).delete()
    for override in Override.objects.filter(member__in=special):
        override.delete()  # one by one: its allowances and history go with it
    Decision.objects.filter(request__member__in=special).delete()
    OverrideRequest.objects.filter(member__in=special).delete()
    Prescription.objects.filter(member__in=special).delete()
    return deleted


# --- Building ------------------------------------------------------------------------


def build(
    *,
    n_members: int,
    n_claims: int,
    policy_id: int,
    today: date,
    progress: Callable[[str], None],
    seed: int = 20250502,
) -> None:
    """Replace all members and claims by n_members members with n_claims paid claims."""
    rng = random.Random(seed)
    member_table = Member._meta.db_table
    claim_table = Claim._meta.db_table
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"TRUNCATE {connection.ops.quote_name(claim_table)}, "
                f"{connection.ops.quote_name(member_table)} RESTART IDENTITY CASCADE"
            )
        started = time.monotonic()
        _copy_members(n_members, rng, today)
        progress(f"  members {n_members:,} ({time.monotonic() - started:.1f} s)\n")
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT member_id, id FROM {connection.ops.quote_name(member_table)} "
                f"WHERE member_id LIKE %s",
                [MEMBER_PREFIX + "%"],
            )
            pks = dict(cursor.fetchall())
        started = time.monotonic()
        _copy_claims(n_members, n_claims, pks, policy_id, rng, today, progress)
        progress(f"\n  claims loaded ({time.monotonic() - started:.1f} s)\n")


# The member columns the loaders COPY (the determination's loader adds members too).
MEMBER_COLUMNS = [
    "member_id",
    "first_name",
    "last_name",
    "date_of_birth",
    "line_of_business",
    "plan_name",
    "created_at",
    "coverage_start",
]


def _copy_members(n_members: int, rng: random.Random, today: date) -> None:
    columns, suffix = _columns(Member, MEMBER_COLUMNS)
    joined = today - timedelta(days=400)  # before every claim the builder writes
    created_at = f"{joined:%Y-%m-%d} 12:00:00+00"
    first_born = date(1950, 1, 1).toordinal()
    last_born = date(2005, 12, 31).toordinal()

    def lines() -> Iterator[str]:
        rows = []
        for number in range(1, n_members + 1):
            born = date.fromordinal(rng.randint(first_born, last_born))
            rows.append(
                f"{member_id(number)}\t{rng.choice(FIRST_NAMES)}\t{rng.choice(LAST_NAMES)}\t"
                f"{born:%Y-%m-%d}\tcommercial\tBench PPO\t{created_at}\t{joined:%Y-%m-%d}{suffix}\n"
            )
            if len(rows) == CHUNK_MEMBERS:
                yield "".join(rows)
                rows = []
        if rows:
            yield "".join(rows)

    _copy(Member._meta.db_table, columns, lines())


# The claim columns the loaders COPY (every benchmark that writes claims uses these).
CLAIM_COLUMNS = [
    "member_id",
    "ndc",
    "quantity",
    "days_supply",
    "channel",
    "date_of_service",
    "covers_through",
    "status",
    "reject_code",
    "message",
    "policy_id",
    "limit_channel",
    "limit_max_quantity",
    "limit_per_days",
    "on_hand",
    "allowed_now",
    "earliest_date",
    "override_id",
    "submitted_by_id",
    "submitted_at",
    "reversed_at",
]


def _copy_claims(n_members, n_claims, pks, policy_id, rng, today, progress) -> None:
    columns, suffix = _columns(Claim, CLAIM_COLUMNS)
    per_member, remainder = divmod(n_claims, n_members)
    today_ordinal = today.toordinal()
    # Columns after covers_through, for a paid Kesimpta fill at retail (1 pen / 28 days,
    # exactly at the limit, nothing on hand: what adjudication would have recorded).
    managed_tail = f"\tpaid\t\t\t{policy_id}\tretail\t1.000\t28\t0.000000\t\\N\t\\N\t\\N\t\\N"
    other_tail = "\tpaid\t\t\t\\N\t\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N"

    def lines() -> Iterator[str]:
        written = 0
        rows = []
        for number in range(1, n_members + 1):
            pk = pks[member_id(number)]
            count = per_member + (1 if number <= remainder else 0)
            others = min(count, rng.choice((0, 1, 1, 2)))
            last = today_ordinal - rng.randint(*LAST_FILL_DAYS_AGO)
            for j in range(count - others):
                filled = date.fromordinal(last - INTERVAL_DAYS * j)
                through = date.fromordinal(last - INTERVAL_DAYS * j + INTERVAL_DAYS - 1)
                rows.append(
                    f"{pk}\t{KESIMPTA_NDC}\t1.000\t28\tretail\t{filled:%Y-%m-%d}\t"
                    f"{through:%Y-%m-%d}{managed_tail}\t{filled:%Y-%m-%d} 15:00:00+00\t\\N"
                    f"{suffix}\n"
                )
            for _ in range(others):
                days = rng.choice((30, 30, 90))
                filled_ordinal = today_ordinal - rng.randint(1, 365)
                filled = date.fromordinal(filled_ordinal)
                through = date.fromordinal(filled_ordinal + days - 1)
                channel = "retail" if days == 30 else "home_delivery"
                rows.append(
                    f"{pk}\t{rng.choice(OTHER_NDCS)}\t{days}.000\t{days}\t{channel}\t"
                    f"{filled:%Y-%m-%d}\t{through:%Y-%m-%d}{other_tail}\t"
                    f"{filled:%Y-%m-%d} 15:00:00+00\t\\N{suffix}\n"
                )
            written += count
            if number % CHUNK_MEMBERS == 0 or number == n_members:
                yield "".join(rows)
                rows = []
                progress(f"\r  claims {written:,} / {n_claims:,}")

    _copy(Claim._meta.db_table, columns, lines())


def vacuum_analyze() -> None:
    """What autovacuum would have done to a table this size: statistics and visibility map."""
    with connection.cursor() as cursor:
        for model in (Member, Claim):
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")


def sample_members(today: date, count: int = 3) -> tuple[list[str], list[str]]:
    """Seeded members whose claim today pays (nothing on hand), and some whose claim rejects."""
    on_hand = Claim.objects.filter(
        member=OuterRef("pk"), status="paid", ndc=KESIMPTA_NDC, covers_through__gte=today
    )
    base = Member.objects.filter(member_id__startswith=MEMBER_PREFIX).order_by()
    pays = base.filter(~Exists(on_hand)).values_list("member_id", flat=True)[:count]
    rejects = base.filter(Exists(on_hand)).values_list("member_id", flat=True)[:count]
    return list(pays), list(rejects)
