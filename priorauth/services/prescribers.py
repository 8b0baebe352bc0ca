"""The prescriber directory's writes: an imported batch stored in one statement."""

from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from priorauth.models import Prescriber
from priorauth.nppes import PrescriberRow

# What an import sets; the NPI is the key it matches on.
IMPORTED_FIELDS = ("name", "credential", "specialty", "taxonomy_code", "phone", "fax")


@dataclass(frozen=True)
class UpsertCounts:
    new: int
    updated: int
    unchanged: int


def prescribers_upsert(rows: list[PrescriberRow], *, reason: str) -> UpsertCounts:
    """Insert the rows whose NPI is new, update those that differ, leave equal ones alone.

    One INSERT … ON CONFLICT (npi) DO UPDATE for the batch (bulk_create with
    update_conflicts: PostgreSQL and SQLite alike), and history rows for what changed, with
    `reason`, so re-importing the same file writes nothing. Rows must have distinct NPIs.
    A request may make a name-less row for one of these NPIs meanwhile: the conflict
    clause then updates it instead of failing.
    """
    with transaction.atomic():
        stored = {
            values["npi"]: values
            for values in Prescriber.objects.filter(npi__in=[r.npi for r in rows]).values(
                "npi", *IMPORTED_FIELDS
            )
        }
        new = [_prescriber(r) for r in rows if r.npi not in stored]
        changed = [_prescriber(r) for r in rows if _differs(r, stored.get(r.npi))]
        written = new + changed
        if written:
            Prescriber.objects.bulk_create(
                written,
                update_conflicts=True,
                unique_fields=["npi"],
                update_fields=list(IMPORTED_FIELDS),
            )
            _ensure_keys(written)
            _history(new, "+", reason)
            _history(changed, "~", reason)
    return UpsertCounts(new=len(new), updated=len(changed), unchanged=len(rows) - len(written))


def _history(prescribers: list[Prescriber], history_type: str, reason: str) -> None:
    """simple-history's rows for an import batch, as `bulk_history_create` would make them
    but in one executemany: building and compiling 100,000 model instances through the ORM
    took two thirds of an import's time (docs/benchmarks.md, "Prescriber import")."""
    if not prescribers:
        return
    history = Prescriber.history.model
    tracked = [f.attname for f in history.tracked_fields]
    columns = [*tracked, "history_date", "history_change_reason", "history_type"]
    when = connection.ops.adapt_datetimefield_value(timezone.now())
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(map(quote, columns))}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    rows = [
        [*(getattr(p, name) for name in tracked), when, reason, history_type] for p in prescribers
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _prescriber(row: PrescriberRow) -> Prescriber:
    return Prescriber(npi=row.npi, **{name: getattr(row, name) for name in IMPORTED_FIELDS})


def _differs(row: PrescriberRow, stored: dict | None) -> bool:
    return stored is not None and any(getattr(row, f) != stored[f] for f in IMPORTED_FIELDS)


def _ensure_keys(prescribers: list[Prescriber]) -> None:
    """The history rows need the primary keys; PostgreSQL and SQLite 3.35+ return them from
    the upsert, any other database is asked."""
    missing = [p for p in prescribers if p.pk is None]
    if missing:
        ids = dict(
            Prescriber.objects.filter(npi__in=[p.npi for p in missing]).values_list("npi", "id")
        )
        for prescriber in missing:
            prescriber.pk = ids[prescriber.npi]
