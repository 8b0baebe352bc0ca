"""The prescriber directory in the admin: policy admins add and correct entries (the NPI
checked as everywhere, fixed once saved), with history; nobody deletes one."""

import pytest

from priorauth.models import Prescriber
from tests.support import factories
from tests.support.phi import role_clients
from tests.support.steps import VALID_NPI

pytestmark = pytest.mark.django_db

NEW = {
    "npi": VALID_NPI,
    "name": "Avery Lindqvist",
    "credential": "MD",
    "specialty": "Neurology",
    "taxonomy_code": "2084N0400X",
    "phone": "2125550142",
    "fax": "",
}


@pytest.fixture
def admin_client(policy_admin):
    return role_clients({"policy_admin": policy_admin})["policy_admin"]


def test_a_policy_admin_adds_a_prescriber_and_a_mistyped_npi_is_refused(admin_client):
    refused = admin_client.post("/admin/priorauth/prescriber/add/", {**NEW, "npi": "1234567890"})
    assert refused.status_code == 200
    assert "fails its check digit" in refused.content.decode()
    no_name = admin_client.post("/admin/priorauth/prescriber/add/", {**NEW, "name": ""})
    assert "This field is required" in no_name.content.decode()
    assert Prescriber.objects.count() == 0

    added = admin_client.post("/admin/priorauth/prescriber/add/", NEW)
    assert added.status_code == 302
    prescriber = Prescriber.objects.get()
    assert prescriber.in_directory and prescriber.history.count() == 1


def test_a_correction_keeps_the_npi_and_is_in_the_history(admin_client, policy_admin):
    prescriber = factories.listed_prescriber()
    changed = admin_client.post(
        f"/admin/priorauth/prescriber/{prescriber.pk}/change/",
        {**NEW, "npi": "1245319599", "fax": "2125550199"},
    )
    assert changed.status_code == 302
    prescriber.refresh_from_db()
    assert (prescriber.npi, prescriber.fax) == (VALID_NPI, "2125550199")
    latest = prescriber.history.first()
    assert (latest.history_type, latest.history_user) == ("~", policy_admin)
    page = admin_client.get(f"/admin/priorauth/prescriber/{prescriber.pk}/history/")
    assert page.status_code == 200


def test_nobody_deletes_a_prescriber_and_a_pharmacist_only_reads(admin_client, pharmacist):
    prescriber = factories.listed_prescriber()
    assert admin_client.get(f"/admin/priorauth/prescriber/{prescriber.pk}/delete/").status_code in (
        302,
        403,
    )
    reader = role_clients({"pharmacist": pharmacist})["pharmacist"]
    assert reader.get("/admin/priorauth/prescriber/").status_code == 200
    page = reader.get(f"/admin/priorauth/prescriber/{prescriber.pk}/change/")
    assert page.status_code == 200 and "Avery Lindqvist" in page.content.decode()
    reader.post(f"/admin/priorauth/prescriber/{prescriber.pk}/change/", {**NEW, "name": "X"})
    prescriber.refresh_from_db()
    assert prescriber.name == "Avery Lindqvist"
