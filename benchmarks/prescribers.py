"""The prescriber import: `manage.py import_prescribers` on a generated 100,000-row file in
the public NPPES layout (quick: 10,000); target: under 60 s.

    .venv/bin/python -m benchmarks prescribers [--quick]
    BENCH_DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python -m benchmarks prescribers

It runs on SQLite as well as PostgreSQL (the upsert is one INSERT ... ON CONFLICT per batch on
both), and needs nothing another benchmark builds. Three runs: into an empty directory (all
new), the same file again (all unchanged: nothing written), and a file in which every row's
phone changed (all updated, with history rows).
"""

import csv
import io
import random
import tempfile
import time
from pathlib import Path

from benchmarks import harness
from benchmarks.report import machine, publish, say, table, verdict

SECTION = "prescribers"
TARGET_SECONDS = 60.0
FULL_ROWS = 100_000
QUICK_ROWS = 10_000
BAD_EVERY = 200  # one row in 200 has a mistyped NPI: the report is part of the work
FILLER_COLUMNS = 60
FIRST_NAMES = ("AVERY", "ROBIN", "SAM", "JORDAN")
CREDENTIALS = (
    "MD",
    "DO",
    "NP",
    "PA-C",
)  # NPPES has ~330 columns; some unread ones make the file realistic


def run(args, bench: harness.Bench) -> None:
    from priorauth.models import Prescriber, Prescription

    rows = QUICK_ROWS if args.quick else FULL_ROWS
    engine, version = database()
    say(f"prescribers: importing {rows:,} NPPES rows on {engine} {version}")
    Prescriber.history.all().delete()
    # A fresh directory each run (the prescribers requests name stay).
    Prescriber.objects.exclude(pk__in=Prescription.objects.values("prescriber_id")).delete()
    with tempfile.TemporaryDirectory() as folder:
        first = write_file(Path(folder) / "npidata.csv", rows, area="212")
        changed = write_file(Path(folder) / "npidata-changed.csv", rows, area="646")
        results = [
            ("empty directory (all new)", *timed_import(first)),
            ("same file again (all unchanged)", *timed_import(first)),
            ("every phone changed (all updated)", *timed_import(changed)),
        ]
    history = Prescriber.history.count()
    worst = max(seconds for _, seconds, _ in results)
    mark = verdict(worst < TARGET_SECONDS)
    for label, seconds, summary in results:
        say(f"  {label}: {seconds:.1f} s ({summary})")
    say(f"  {history:,} history rows; slowest run {worst:.1f} s: {mark}")
    table_rows = [[label, f"{seconds:.1f}", summary] for label, seconds, summary in results]
    publish(
        SECTION,
        section(engine, version, rows, table_rows, history, mark),
        skipped_because=args.docs_skipped_because,
    )


def database() -> tuple[str, str]:
    from django.db import connection

    if connection.vendor == "postgresql":
        return "PostgreSQL", harness.postgres_info()["server_version"]
    import sqlite3

    return "SQLite", sqlite3.sqlite_version


def write_file(path: Path, rows: int, *, area: str) -> Path:
    """An NPPES-layout file: individuals and organizations, synthetic NPIs whose check
    digit holds (one in BAD_EVERY mistyped), 555 numbers, taxonomy codes, unread columns."""
    from priorauth import nppes
    from priorauth.validators import npi_check_digit_ok

    rng = random.Random(13)
    codes = list(nppes.SPECIALTIES)
    header = [*nppes.COLUMNS, *(f"Unread Column {i}" for i in range(FILLER_COLUMNS))]
    filler = [""] * FILLER_COLUMNS
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, quoting=csv.QUOTE_ALL)
        writer.writerow(header)
        for i in range(rows):
            base = f"{190000000 + i * 7:09d}"
            npi = next(base + d for d in "0123456789" if npi_check_digit_ok(base + d))
            if i % BAD_EVERY == BAD_EVERY - 1:
                npi = npi[:-1] + str((int(npi[-1]) + 1) % 10)
            organization = i % 10 == 0
            values = {
                nppes.NPI: npi,
                nppes.ENTITY_TYPE: "2" if organization else "1",
                nppes.ORGANIZATION: f"SYNTHETIC CLINIC {i}" if organization else "",
                nppes.LAST_NAME: "" if organization else f"TESTPERSON{i}",
                nppes.FIRST_NAME: "" if organization else rng.choice(FIRST_NAMES),
                nppes.CREDENTIAL: "" if organization else rng.choice(CREDENTIALS),
                nppes.PHONE: f"{area}555{i % 10000:04d}",
                nppes.FAX: f"{area}555{(i + 1) % 10000:04d}",
                nppes.TAXONOMY: rng.choice(codes),
            }
            writer.writerow([*(values[c] for c in nppes.COLUMNS), *filler])
    return path


def timed_import(path: Path) -> tuple[float, str]:
    from django.core.management import call_command

    out = io.StringIO()
    started = time.perf_counter()
    call_command("import_prescribers", str(path), stdout=out, stderr=io.StringIO())
    seconds = time.perf_counter() - started
    summary = out.getvalue().strip().splitlines()[-1]
    return seconds, summary.removeprefix("Done: ").split(". Bad-row report")[0]


def section(engine, version, rows, table_rows, history, mark) -> str:
    box = machine()
    return (
        "## Prescriber import\n\n"
        f"Last run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on "
        f"{box['CPUs (nproc)']} CPUs ({box['CPU']}), {box['memory']}, Python {box['Python']}, "
        f"{engine} {version} on the same machine.\n\n"
        f"`manage.py import_prescribers` on a generated {rows:,}-row file in the public "
        f"NPPES layout ({FILLER_COLUMNS} unread columns besides the "
        f"nine it reads; one row in {BAD_EVERY} with a mistyped NPI, reported and skipped), "
        "in batches of 2,000: one SELECT of the batch's NPIs, one INSERT ... ON CONFLICT (npi) "
        "DO UPDATE for the new and changed rows, history rows in bulk.\n\n"
        + table(["run", "seconds", "what it did"], table_rows)
        + f"\n\n{history:,} history rows in all. Target: every run under "
        f"{TARGET_SECONDS:g} s: **{mark}**.\n"
    )
