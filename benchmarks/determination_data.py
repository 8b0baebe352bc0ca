"""The determination benchmark's data, on top of the claims benchmark's: the three shipped
policies, members new to Kesimpta, Humira and Emgality fills for some members, and the
removal of what a run submitted.

Import after django.setup(). The layer is seeded (no `submitted_by`), like the claims
data, and built once: a run finds it and keeps it. `data.seeded_counts` counts only the
claims benchmark's own drugs, so this layer never makes it rebuild. A rebuild of the
claims data (TRUNCATE ... CASCADE) takes the layer with it, and the next determination
run lays it again.
"""

import random
import time
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection, transaction

from benchmarks import data
from benchmarks.report import BASE_DIR, say
from priorauth import roles
from priorauth.models import Claim, Member, Override, OverrideRequest

POLICY_DIR = BASE_DIR / "policies" / "data"
SHIPPED_POLICIES = ("kesimpta", "humira", "emgality")
NEW_MEMBER_PREFIX = "BD"  # members with no fill of any managed drug: BD0000001 ...
# Of the seeded members BM..., number n has a Humira history when n % SPREAD == HUMIRA_SLOT
# and an Emgality one when n % SPREAD == EMGALITY_SLOT: 10% each, never both.
SPREAD = 10
HUMIRA_SLOT, EMGALITY_SLOT = 1, 2
FILLS_PER_MEMBER = 4
# The last fill was 1-150 days before today: inside a 180-day look-back, at any point of it.
LAST_FILL_DAYS_AGO = (1, 150)
USERNAME = "bench-determination"
SEED = 20261130


@dataclass(frozen=True)
class Therapy:
    """A seeded history of one policy's drug: paid retail fills at the policy's limit
    (e.g. Humira 2 pens every 28 days), the policy's NDCs taken in turn."""

    policy_code: str
    slot: int


HUMIRA = Therapy("inflammatory-humira-dqm", HUMIRA_SLOT)
EMGALITY = Therapy("migraine-emgality-dqm", EMGALITY_SLOT)
THERAPIES = (HUMIRA, EMGALITY)
KESIMPTA_CODE = "cigna-ms-kesimpta-dqm"


def intake_user():
    """Who submits the benchmark's requests: how a run finds them again to remove them."""
    return data.bench_user(USERNAME, roles.INTAKE)


def new_member_id(number: int) -> str:
    return f"{NEW_MEMBER_PREFIX}{number:07d}"


def on_therapy(number: int, therapy: Therapy) -> bool:
    """Whether seeded member `number` has a paid history of `therapy`'s drug."""
    return number % SPREAD == therapy.slot


# --- Policies --------------------------------------------------------------------------


def load_policies() -> dict:
    """{code: Policy} of the three shipped policy files, loaded (unchanged ones are left)."""
    from policies.files import load_policy_file

    policies = {}
    for name in SHIPPED_POLICIES:
        policy = load_policy_file(POLICY_DIR / f"{name}.yaml").policy
        policies[policy.code] = policy
    return policies


# --- The layer -----------------------------------------------------------------------------


def ensure_layer(*, n_members: int, n_new: int, policies: dict, today: date) -> float:
    """Lay the members new to the drugs and the Humira/Emgality histories unless they are
    there; the seconds it took (0 when found)."""
    started = time.monotonic()
    present_new = Member.objects.filter(
        member_id__in=[new_member_id(n) for n in (1, n_new)]
    ).count()
    expected_fills = sum(len(_history_members(n_members, t)) * FILLS_PER_MEMBER for t in THERAPIES)
    present_fills = _layer_fills().count()
    if present_new == 2 and present_fills == expected_fills:
        say(
            f"  layer: {n_new:,} members new to the drugs and {present_fills:,} Humira/Emgality "
            "fills already there"
        )
        return 0.0
    with transaction.atomic():
        missing = _missing_new_members(n_new)
        if missing:
            _copy_new_members(missing, today)
        _layer_fills().delete()
        _copy_history(n_members, policies, today)
    with connection.cursor() as cursor:
        for model in (Member, Claim):
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")
    seconds = time.monotonic() - started
    say(
        f"  layer: {len(missing):,} members new to the drugs, {expected_fills:,} Humira/Emgality "
        f"fills ({seconds:.1f} s)"
    )
    return seconds


def layer_fill_count() -> int:
    return _layer_fills().count()


def _layer_fills():
    ndcs = [ndc for therapy in THERAPIES for ndc in therapy_ndcs(therapy)]
    return Claim.objects.filter(submitted_by__isnull=True, ndc__in=ndcs)


def therapy_ndcs(therapy: Therapy) -> list[str]:
    from policies.selectors import policy_ndcs

    return sorted(policy_ndcs(therapy.policy_code).values_list("ndc", flat=True))


def _history_members(n_members: int, therapy: Therapy) -> list[int]:
    return [n for n in range(1, n_members + 1) if on_therapy(n, therapy)]


def _missing_new_members(n_new: int) -> list[int]:
    wanted = {new_member_id(n): n for n in range(1, n_new + 1)}
    found = set(
        Member.objects.filter(member_id__startswith=NEW_MEMBER_PREFIX).values_list(
            "member_id", flat=True
        )
    )
    return [n for member_id, n in wanted.items() if member_id not in found]


def _copy_new_members(numbers: list[int], today: date) -> None:
    columns, suffix = data._columns(Member, data.MEMBER_COLUMNS)
    joined = today - timedelta(days=400)
    rng = random.Random(SEED)
    lines = (
        f"{new_member_id(n)}\t{rng.choice(data.FIRST_NAMES)}\t{rng.choice(data.LAST_NAMES)}\t"
        f"{date(1960 + n % 45, 1 + n % 12, 1 + n % 28):%Y-%m-%d}\tcommercial\tBench PPO\t"
        f"{joined:%Y-%m-%d} 12:00:00+00\t{joined:%Y-%m-%d}{suffix}\n"
        for n in numbers
    )
    data._copy(Member._meta.db_table, columns, lines)


def _copy_history(n_members: int, policies: dict, today: date) -> None:
    """FILLS_PER_MEMBER paid retail fills at the plan limit, one every `days`, for the
    members on each therapy (what adjudication would have recorded)."""
    columns, suffix = data._columns(Claim, data.CLAIM_COLUMNS)
    pks = dict(
        Member.objects.filter(member_id__startswith=data.MEMBER_PREFIX).values_list(
            "member_id", "id"
        )
    )
    rng = random.Random(SEED)
    rows = []
    for therapy in THERAPIES:
        policy = policies[therapy.policy_code]
        limit = policy.limits.get(channel="retail")
        quantity, days = limit.max_quantity, limit.per_days
        ndcs = therapy_ndcs(therapy)
        tail = f"\tpaid\t\t\t{policy.pk}\tretail\t{quantity}\t{days}\t0.000000\t\\N\t\\N\t\\N\t\\N"
        for number in _history_members(n_members, therapy):
            last = today - timedelta(days=rng.randint(*LAST_FILL_DAYS_AGO))
            for j in range(FILLS_PER_MEMBER):
                filled = last - timedelta(days=days * j)
                through = filled + timedelta(days=days - 1)
                rows.append(
                    f"{pks[data.member_id(number)]}\t{ndcs[j % len(ndcs)]}\t{quantity}\t{days}\t"
                    f"retail\t{filled:%Y-%m-%d}\t{through:%Y-%m-%d}{tail}\t"
                    f"{filled:%Y-%m-%d} 15:00:00+00\t\\N{suffix}\n"
                )
    data._copy(Claim._meta.db_table, columns, iter(["".join(rows)]))


# --- What a run leaves ------------------------------------------------------------------------


def remove_run_requests() -> int:
    """Delete the requests the benchmark's user submitted, with their prescriptions,
    decisions, overrides and history rows, so each run starts from the same state; how
    many requests there were. Plain SQL: a run leaves about ten thousand."""
    user = intake_user()
    requests = "SELECT id FROM priorauth_overriderequest WHERE submitted_by_id = %s"
    overrides = f"SELECT id FROM priorauth_override WHERE request_id IN ({requests})"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM priorauth_overrideallowance WHERE override_id IN ({overrides})",
            [user.pk],
        )
        for table in (
            "priorauth_historicaloverride",
            "priorauth_override",
            "priorauth_decision",
        ):
            cursor.execute(f"DELETE FROM {table} WHERE request_id IN ({requests})", [user.pk])
        cursor.execute(
            f"DELETE FROM priorauth_historicaloverriderequest WHERE id IN ({requests})", [user.pk]
        )
        cursor.execute(
            "DELETE FROM priorauth_overriderequest WHERE submitted_by_id = %s "
            "RETURNING prescription_id",
            [user.pk],
        )
        prescriptions = [row[0] for row in cursor.fetchall()]
        cursor.execute("DELETE FROM priorauth_prescription WHERE id = ANY(%s)", [prescriptions])
    # What autovacuum would do in time: the next run's requests find clean tables.
    with connection.cursor() as cursor:
        for model in (OverrideRequest, Override):
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")
    return len(prescriptions)
