"""manage.py import_prescribers: the public NPPES layout read by header name, upserted in
batches, with progress and a bad-row report; only an unreadable file fails the command."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from priorauth.models import Prescriber
from tests.support import factories
from tests.support.steps import VALID_NPI

pytestmark = pytest.mark.django_db

HEADER = [
    "NPI",
    "Entity Type Code",
    "Replacement NPI",  # an NPPES column the import ignores
    "Provider Organization Name (Legal Business Name)",
    "Provider Last Name (Legal Name)",
    "Provider First Name",
    "Provider Credential Text",
    "Provider Business Practice Location Address Telephone Number",
    "Provider Business Practice Location Address Fax Number",
    "Healthcare Provider Taxonomy Code_1",
]
LINDQVIST = [
    *(VALID_NPI, "1", "", "", "LINDQVIST", "AVERY", "MD"),
    *("2125550142", "2125550143", "2084N0400X"),
]
NORTHWIND = [
    *("1245319599", "2", "", "Northwind Neurology Group", "", "", ""),
    *("555-0199", "", "261QM1300X"),
]
BAD_CHECK_DIGIT = ["1234567890", "1", "", "", "DOE", "JANE", "MD", "", "", ""]
DEACTIVATED = ["1003000126", "", "", "", "", "", "", "", "", ""]
NO_NAME = ["1801234562", "1", "", "", "", "", "", "", "", ""]
REPEAT = [VALID_NPI, "1", "", "", "OTHER", "NAME", "DO", "", "", ""]


def _write(tmp_path, rows, header=HEADER, name="npidata.csv"):
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, quoting=csv.QUOTE_ALL)  # as NPPES quotes every field
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _import(path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_prescribers", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _report(path):
    with open(f"{path}.bad-rows.csv", newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def test_an_nppes_file_becomes_directory_entries_and_bad_rows_are_reported(tmp_path):
    rows = [LINDQVIST, NORTHWIND, BAD_CHECK_DIGIT, DEACTIVATED, NO_NAME, REPEAT]
    path = _write(tmp_path, rows)
    out, _ = _import(path)

    person = Prescriber.objects.get(npi=VALID_NPI)
    assert (person.display_name, person.specialty, person.phone, person.fax) == (
        "Avery Lindqvist, MD",
        "Neurology",
        "2125550142",
        "2125550143",
    )
    group = Prescriber.objects.get(npi="1245319599")
    # Mixed case kept; a 7-digit phone dropped (and reported); an unlisted code kept as is.
    assert (group.name, group.phone, group.specialty, group.taxonomy_code) == (
        "Northwind Neurology Group",
        "",
        "",
        "261QM1300X",
    )
    assert Prescriber.objects.count() == 2
    report = _report(path)
    assert report[0] == ["line", "npi", "reason"]
    reasons = {(line, npi): reason for line, npi, reason in report[1:]}
    assert set(reasons) == {
        ("3", "1245319599"),
        ("4", "1234567890"),
        ("5", "1003000126"),
        ("6", "1801234562"),
        ("7", VALID_NPI),
    }
    assert "imported without it" in reasons[("3", "1245319599")]
    assert "check digit" in reasons[("4", "1234567890")]
    assert "deactivated" in reasons[("5", "1003000126")]
    assert reasons[("6", "1801234562")] == "no name; skipped"
    assert reasons[("7", VALID_NPI)] == "repeats line 2; skipped"
    assert "6 rows read: 2 new, 0 updated, 0 unchanged, 4 skipped" in out


def test_importing_again_changes_nothing_and_a_change_is_updated_with_history(tmp_path):
    path = _write(tmp_path, [LINDQVIST, NORTHWIND])
    _import(path)
    assert Prescriber.history.count() == 2
    out, _ = _import(path)
    assert "0 new, 0 updated, 2 unchanged" in out
    assert Prescriber.history.count() == 2  # nothing written

    moved = [*LINDQVIST[:7], "2125550199", *LINDQVIST[8:]]
    _import(_write(tmp_path, [moved], name="update.csv"), "--batch-size", "1")
    person = Prescriber.objects.get(npi=VALID_NPI)
    assert person.phone == "2125550199"
    latest = person.history.first()
    assert (latest.history_type, latest.history_change_reason) == ("~", "imported from update.csv")
    assert latest.phone == "2125550199"


def test_a_request_s_npi_not_in_the_directory_is_filled_in_by_an_import(tmp_path, kesimpta):
    factories.member("M1")
    request = factories.kesimpta_request("M1")
    assert not request.prescription.prescriber.in_directory
    _import(_write(tmp_path, [LINDQVIST]))
    request.prescription.prescriber.refresh_from_db()
    assert request.prescription.prescriber.display_name == "Avery Lindqvist, MD"


def test_batches_and_progress(tmp_path, monkeypatch):
    from priorauth.management.commands import import_prescribers

    monkeypatch.setattr(import_prescribers, "PROGRESS_EVERY", 1)
    out, _ = _import(_write(tmp_path, [LINDQVIST, NORTHWIND]), "--batch-size", "1")
    assert out.count("rows read") == 3  # after each batch, and the summary
    assert Prescriber.objects.count() == 2


def test_a_missing_column_is_read_as_empty_and_said(tmp_path):
    header = [h for h in HEADER if "Fax" not in h]
    row = [v for h, v in zip(HEADER, LINDQVIST, strict=True) if "Fax" not in h]
    _, err = _import(_write(tmp_path, [row], header=header))
    assert "Provider Business Practice Location Address Fax Number" in err
    assert Prescriber.objects.get(npi=VALID_NPI).fax == ""


def test_a_file_without_an_npi_column_or_that_cannot_be_read_fails_and_writes_nothing(tmp_path):
    path = _write(tmp_path, [["x"]], header=["Not NPI"])
    with pytest.raises(CommandError, match='No "NPI" column'):
        _import(path)
    with pytest.raises(CommandError, match="No such file"):
        _import(tmp_path / "missing.csv")
    assert Prescriber.objects.count() == 0
