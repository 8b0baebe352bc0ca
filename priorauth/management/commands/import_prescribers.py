import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from priorauth import nppes, services

BATCH_SIZE = 2000
PROGRESS_EVERY = 10_000  # rows between progress lines


class Command(BaseCommand):
    help = (
        "Add or update prescribers from a file in the public NPPES CSV layout (by header "
        "name; other columns are ignored). Rows that cannot be imported are listed in a "
        "bad-row report (line, NPI, reason) and the import goes on. Running it twice "
        "changes nothing the second time."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the NPPES CSV file")
        parser.add_argument(
            "--bad-rows",
            help="where to write the bad-row report (default: FILE.bad-rows.csv)",
        )
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args, **options):
        source = Path(options["file"])
        report_path = Path(options["bad_rows"] or f"{source}.bad-rows.csv")
        batch_size = max(1, options["batch_size"])
        try:
            with (
                source.open(encoding="utf-8-sig", errors="replace", newline="") as lines,
                report_path.open("w", encoding="utf-8", newline="") as report_file,
            ):
                report = csv.writer(report_file)
                report.writerow(["line", "npi", "reason"])
                tally = self._import(lines, report, source.name, batch_size)
        except nppes.NppesFileError as error:
            raise CommandError(f"{source}: {error}") from None
        except OSError as error:
            raise CommandError(f"{error.filename}: {error.strerror}") from None
        self.stdout.write(f"Done: {tally.summary()}. Bad-row report: {report_path}")

    def _import(self, lines, report, name: str, batch_size: int) -> "Tally":
        missing, rows = nppes.parse(lines)
        if missing:
            self.stderr.write(f"Columns not in the file, read as empty: {', '.join(missing)}")
        tally, batch, seen = Tally(), {}, {}
        for parsed in rows:
            tally.read += 1
            for problem in parsed.problems:
                report.writerow([problem.line, problem.npi, problem.reason])
            if parsed.row is None:
                tally.skipped += 1
                continue
            tally.flagged += bool(parsed.problems)
            first = seen.setdefault(int(parsed.row.npi), parsed.line)
            if first != parsed.line:
                report.writerow([parsed.line, parsed.row.npi, f"repeats line {first}; skipped"])
                tally.skipped += 1
                continue
            batch[parsed.row.npi] = parsed.row
            if len(batch) >= batch_size:
                self._store(batch, tally, name)
        self._store(batch, tally, name)
        return tally

    def _store(self, batch: dict, tally: "Tally", name: str) -> None:
        if not batch:
            return
        counts = services.prescribers_upsert(list(batch.values()), reason=f"imported from {name}")
        tally.add(counts)
        batch.clear()
        if tally.read // PROGRESS_EVERY > tally.reported // PROGRESS_EVERY:
            self.stdout.write(f"{tally.summary()}")
            tally.reported = tally.read


class Tally:
    def __init__(self):
        self.read = self.skipped = self.flagged = self.reported = 0
        self.new = self.updated = self.unchanged = 0

    def add(self, counts: services.UpsertCounts) -> None:
        self.new += counts.new
        self.updated += counts.updated
        self.unchanged += counts.unchanged

    def summary(self) -> str:
        return (
            f"{self.read:,} rows read: {self.new:,} new, {self.updated:,} updated, "
            f"{self.unchanged:,} unchanged, {self.skipped:,} skipped; "
            f"{self.flagged:,} imported without a phone or fax"
        )
