"""The demo's prescriber directory: fictional prescribers for the demo's NPIs.

Names are made up, NPIs are synthetic (their check digit holds: narratives.PRESCRIBER_NPIS)
and the numbers are 555-01xx, the range reserved for fiction. The last NPI is left out on
purpose, so some requests show "not in the prescriber directory".
"""

from priorauth import services
from priorauth.nppes import PrescriberRow, specialty_of

from .narratives import PRESCRIBER_NPIS

# name, credential, NUCC taxonomy code, phone, fax
_PEOPLE = (
    ("Avery Lindqvist", "MD", "2084N0400X", "2125550142", "2125550143"),
    ("Tomasz Okonkwo-Reid", "DO", "2084N0400X", "6175550110", "6175550111"),
    ("Helena Marchetti", "MD", "207RR0500X", "3125550127", "3125550128"),
    ("Rafael Sunderland", "NP", "363LF0000X", "4155550163", ""),
    ("Ingrid Achebe", "MD", "207N00000X", "2065550185", "2065550186"),
)
DEMO_PRESCRIBERS = tuple(
    PrescriberRow(
        npi=npi,
        name=name,
        credential=credential,
        specialty=specialty_of(code),
        taxonomy_code=code,
        phone=phone,
        fax=fax,
    )
    for npi, (name, credential, code, phone, fax) in zip(PRESCRIBER_NPIS, _PEOPLE, strict=False)
)
UNLISTED_NPI = PRESCRIBER_NPIS[len(_PEOPLE)]


def ensure_prescribers() -> None:
    """Put them in the directory (again: an unchanged entry is left as it is)."""
    services.prescribers_upsert(list(DEMO_PRESCRIBERS), reason="demo data")
