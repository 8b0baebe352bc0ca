"""The public NPPES file (CMS's National Plan and Provider Enumeration System), read into
prescriber rows: pure, no database. `manage.py import_prescribers` stores what it reads.

Only the columns below are read, by their NPPES header names; the other 320-odd columns
are ignored. A row that cannot be a prescriber (no valid NPI, a deactivated NPI without an
entity type, no name) is reported and skipped; a row with an unusable phone or fax is
imported without it, and reported too.
"""

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from priorauth.validators import NPI_CHECK_DIGIT_MESSAGE, npi_check_digit_ok

NPI = "NPI"
ENTITY_TYPE = "Entity Type Code"
LAST_NAME = "Provider Last Name (Legal Name)"
FIRST_NAME = "Provider First Name"
ORGANIZATION = "Provider Organization Name (Legal Business Name)"
CREDENTIAL = "Provider Credential Text"
PHONE = "Provider Business Practice Location Address Telephone Number"
FAX = "Provider Business Practice Location Address Fax Number"
TAXONOMY = "Healthcare Provider Taxonomy Code_1"
COLUMNS = (NPI, ENTITY_TYPE, LAST_NAME, FIRST_NAME, ORGANIZATION, CREDENTIAL, PHONE, FAX, TAXONOMY)

INDIVIDUAL, ORGANIZATION_ENTITY = "1", "2"
# The model's column widths (priorauth.models.Prescriber).
MAX_NAME, MAX_CREDENTIAL = 160, 40

# NUCC taxonomy codes of the commonest prescribers, named as the pages show them. A code
# not listed is kept (Prescriber.taxonomy_code) and shown as the code.
SPECIALTIES = {
    "207Q00000X": "Family Medicine",
    "208D00000X": "General Practice",
    "207R00000X": "Internal Medicine",
    "207RC0000X": "Cardiovascular Disease",
    "207RE0101X": "Endocrinology, Diabetes & Metabolism",
    "207RG0100X": "Gastroenterology",
    "207RH0003X": "Hematology & Oncology",
    "207RI0200X": "Infectious Disease",
    "207RN0300X": "Nephrology",
    "207RP1001X": "Pulmonary Disease",
    "207RR0500X": "Rheumatology",
    "207RX0202X": "Medical Oncology",
    "2084N0400X": "Neurology",
    "2084N0402X": "Child Neurology",
    "2084P0800X": "Psychiatry",
    "207N00000X": "Dermatology",
    "207P00000X": "Emergency Medicine",
    "207L00000X": "Anesthesiology",
    "207V00000X": "Obstetrics & Gynecology",
    "207W00000X": "Ophthalmology",
    "207X00000X": "Orthopaedic Surgery",
    "207Y00000X": "Otolaryngology",
    "208000000X": "Pediatrics",
    "208100000X": "Physical Medicine & Rehabilitation",
    "208600000X": "Surgery",
    "363L00000X": "Nurse Practitioner",
    "363LA2200X": "Nurse Practitioner, Adult Health",
    "363LF0000X": "Nurse Practitioner, Family",
    "363LP0808X": "Nurse Practitioner, Psychiatric/Mental Health",
    "363A00000X": "Physician Assistant",
    "363AM0700X": "Physician Assistant, Medical",
    "183500000X": "Pharmacist",
    "1835P1300X": "Pharmacist, Pharmacotherapy",
    "122300000X": "Dentist",
    "152W00000X": "Optometrist",
}


class NppesFileError(Exception):
    """The file cannot be read as an NPPES file at all (no NPI column)."""


@dataclass(frozen=True)
class PrescriberRow:
    npi: str
    name: str
    credential: str
    specialty: str
    taxonomy_code: str
    phone: str
    fax: str


@dataclass(frozen=True)
class Problem:
    line: int
    npi: str
    reason: str


@dataclass
class Parsed:
    """One data row: the prescriber it gives (None: skipped) and what was wrong with it."""

    line: int
    row: PrescriberRow | None
    problems: list[Problem] = field(default_factory=list)


def specialty_of(taxonomy_code: str) -> str:
    return SPECIALTIES.get(taxonomy_code, "")


def parse(lines: Iterable[str]) -> tuple[list[str], Iterator[Parsed]]:
    """The columns this reader uses that the header lacks (read as empty), and the data
    rows in order with their line numbers (the header is line 1).

    Raises NppesFileError when there is no header or it has no NPI column."""
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        raise NppesFileError("The file is empty: no header row.") from None
    except csv.Error as error:
        raise NppesFileError(f"The header row cannot be read: {error}.") from None
    positions = {name.strip(): i for i, name in enumerate(header)}
    if NPI not in positions:
        raise NppesFileError(f'No "{NPI}" column in the header: is this an NPPES file?')
    missing = [name for name in COLUMNS if name not in positions]
    return missing, _rows(reader, positions)


def _rows(reader, positions: dict[str, int]) -> Iterator[Parsed]:
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:  # e.g. a field over csv's size limit: this row only
            yield Parsed(reader.line_num, None, [Problem(reader.line_num, "", f"{error}")])
            continue
        if any(v.strip() for v in values):  # a blank line is no row
            fields = {name: _value(values, positions.get(name)) for name in COLUMNS}
            yield read_row(fields, reader.line_num)


def _value(values: list[str], position: int | None) -> str:
    return values[position].strip() if position is not None and position < len(values) else ""


def read_row(fields: dict[str, str], line: int) -> Parsed:
    npi = fields[NPI]
    refused = _npi_problem(npi) or _name_problem(fields)
    if refused:
        return Parsed(line, None, [Problem(line, npi, refused + "; skipped")])
    problems = []
    phone, fax = (_number(fields, column, line, problems) for column in (PHONE, FAX))
    code = fields[TAXONOMY][:10]
    row = PrescriberRow(
        npi=npi,
        name=_name(fields),
        credential=fields[CREDENTIAL] if fields[ENTITY_TYPE] == INDIVIDUAL else "",
        specialty=specialty_of(code),
        taxonomy_code=code,
        phone=phone,
        fax=fax,
    )
    return Parsed(line, row, problems)


def _npi_problem(npi: str) -> str:
    if not npi:
        return "no NPI"
    if len(npi) != 10 or not npi.isascii() or not npi.isdigit():
        return "the NPI is not 10 digits"
    if not npi_check_digit_ok(npi):
        return NPI_CHECK_DIGIT_MESSAGE.format(npi=npi).rstrip(".")
    return ""


def _name_problem(fields: dict[str, str]) -> str:
    entity = fields[ENTITY_TYPE]
    if entity not in (INDIVIDUAL, ORGANIZATION_ENTITY):
        # NPPES leaves the entity type (and the name) empty on a deactivated NPI.
        return f'entity type "{entity}" is neither 1 nor 2 (a deactivated NPI?)'
    name = _name(fields)
    if not name:
        return "no name"
    if "\ufffd" in name or "\ufffd" in fields[CREDENTIAL]:
        return "the name is not UTF-8 text"
    if len(name) > MAX_NAME or len(fields[CREDENTIAL]) > MAX_CREDENTIAL:
        return f"the name or credential is longer than {MAX_NAME} or {MAX_CREDENTIAL} characters"
    return ""


def _name(fields: dict[str, str]) -> str:
    if fields[ENTITY_TYPE] == ORGANIZATION_ENTITY:
        return _readable(fields[ORGANIZATION])
    return " ".join(_readable(p) for p in (fields[FIRST_NAME], fields[LAST_NAME]) if p)


def _readable(name: str) -> str:
    """NPPES spells names in capitals ("LINDQVIST"); the pages show "Lindqvist". A name
    already in mixed case is left as it is."""
    return name.title() if name.isupper() else name


def _number(fields: dict[str, str], column: str, line: int, problems: list[Problem]) -> str:
    """A phone or fax as its 10 digits; anything else is dropped and reported."""
    text = fields[column]
    digits = "".join(c for c in text if c.isascii() and c.isdigit())
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if not text or len(digits) == 10:
        return digits
    what = "phone" if column == PHONE else "fax"
    problems.append(
        Problem(line, fields[NPI], f'{what} "{text}" is not 10 digits; imported without it')
    )
    return ""
