"""The prescriber directory in the API: the lookup, and what a request carries."""

import pytest

from tests.support import factories
from tests.support.steps import VALID_NPI

pytestmark = pytest.mark.django_db


def test_the_lookup_answers_a_listed_npi_with_name_specialty_phone_and_fax(as_intake):
    factories.listed_prescriber(fax="")
    answer = as_intake.get(f"/api/v1/prescribers/{VALID_NPI}/")
    assert answer.status_code == 200
    assert answer.json() == {
        "npi": VALID_NPI,
        "name": "Avery Lindqvist",
        "credential": "MD",
        "specialty": "Neurology",
        "taxonomy_code": "2084N0400X",
        "phone": "2125550142",
        "fax": None,  # unknown is null, not ""
    }


def test_an_npi_a_request_named_but_the_directory_lacks_is_not_found(as_intake, kesimpta):
    factories.member("M1")
    factories.kesimpta_request("M1")  # keeps the NPI in a row without a name
    answer = as_intake.get(f"/api/v1/prescribers/{VALID_NPI}/")
    assert answer.status_code == 404
    assert "not in the prescriber directory" in answer.json()["detail"]


def test_a_mistyped_npi_is_a_field_error(as_intake):
    answer = as_intake.get("/api/v1/prescribers/1234567890/")
    assert answer.status_code == 400
    assert "check digit" in answer.json()["npi"][0]
    assert as_intake.get("/api/v1/prescribers/12345/").json() == {"npi": ["An NPI is 10 digits."]}


def test_the_claims_system_may_not_look_prescribers_up(as_claims):
    factories.listed_prescriber()
    assert as_claims.get(f"/api/v1/prescribers/{VALID_NPI}/").status_code == 403


def test_a_request_carries_its_prescriber_or_nulls_when_the_directory_lacks_them(
    as_pharmacist, kesimpta
):
    factories.member("M1")
    request = factories.kesimpta_request("M1")
    body = as_pharmacist.get(f"/api/v1/override-requests/{request.pk}/").json()
    assert body["prescriber_npi"] == VALID_NPI
    assert [body[f"prescriber_{f}"] for f in ("name", "specialty", "phone", "fax")] == [None] * 4

    factories.listed_prescriber()
    body = as_pharmacist.get(f"/api/v1/override-requests/{request.pk}/").json()
    assert [body[f"prescriber_{f}"] for f in ("name", "specialty", "phone", "fax")] == [
        "Avery Lindqvist, MD",
        "Neurology",
        "2125550142",
        "2125550143",
    ]
