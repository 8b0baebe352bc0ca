"""Intake's step 1 helps: NDC typos explained in the words typed, the criterion list of the
NDC's policy only (and a criterion of another policy refused), errors tied to their fields."""

import re
from html.parser import HTMLParser

import pytest

from policies.files import load_policy_file
from priorauth.models import OverrideRequest
from tests.support import factories
from tests.support.paths import HUMIRA_FILE
from tests.support.questions import without_questions
from tests.support.steps import VALID_NPI

pytestmark = pytest.mark.django_db

REQUEST = {
    "member_id": "M1",
    "ndc": "00078-1007-68",
    "quantity": "4",
    "days_supply": "28",
    "channel": "retail",
    "prescriber_npi": VALID_NPI,
    "urgency": "standard",
    "criterion_number": "",
    "clinical_notes": "New start.",
    "step": "request",
}


@pytest.fixture
def humira(db):
    return load_policy_file(HUMIRA_FILE).policy


@pytest.fixture
def intake_page(client, intake, kesimpta, humira):
    factories.member("M1")
    client.force_login(intake)
    return client


def ndc_error(response) -> str:
    page = response.content.decode()
    found = re.search(r'<div class="error" id="id_ndc_error">(.*?)</div>', page)
    assert found, "no error beside the NDC field"
    return re.sub(r"<[^>]+>", "", found.group(1)).replace("&#x27;", "'")


def test_a_5_4_1_typo_is_echoed_as_typed_with_the_ndc_it_may_have_meant(intake_page):
    response = intake_page.post("/requests/new/", {**REQUEST, "ndc": "00078-1007-6"})
    assert response.status_code == 400
    message = ndc_error(response)
    assert message.startswith("NDC 00078-1007-6 is not managed")
    assert "00078100706" not in response.content.decode()
    assert "It was read as 00078-1007-06." in message
    assert "NDCs are written 5-4-2" in message
    assert "10 digits given: did you mean 00078-1007-68?" in message
    assert OverrideRequest.objects.count() == 0


def test_ten_bare_digits_are_explained_with_the_managed_reading(intake_page):
    response = intake_page.post("/requests/new/", {**REQUEST, "ndc": "0078100768"})
    assert response.status_code == 400
    message = ndc_error(response)
    assert message.startswith("'0078100768' is not an NDC")
    assert "10 digits given: did you mean 00078-1007-68?" in message


def test_an_eleven_digit_near_miss_asks_did_you_mean(intake_page):
    message = ndc_error(intake_page.post("/requests/new/", {**REQUEST, "ndc": "00078-1007-69"}))
    assert message.startswith("NDC 00078-1007-69 is not managed")
    assert message.endswith("Did you mean 00078-1007-68?")


def test_a_hyphenated_ten_digit_form_of_a_managed_ndc_is_accepted(intake_page, kesimpta):
    without_questions(kesimpta)
    response = intake_page.post("/requests/new/", {**REQUEST, "ndc": "0078-1007-68"})
    assert response.status_code == 302
    assert OverrideRequest.objects.get().prescription.ndc == "00078100768"


def criterion_values(response) -> set[str]:
    select = re.search(
        r'<select name="criterion_number".*?</select>', response.content.decode(), re.S
    ).group(0)
    return set(re.findall(r'<option value="([^"]*)"', select)) - {""}


def test_the_criterion_list_is_the_ndcs_policys_once_the_ndc_is_known(
    intake_page, kesimpta, humira
):
    everything = criterion_values(intake_page.get("/requests/new/"))
    assert {f"{kesimpta.pk}:1", f"{humira.pk}:1"} <= everything
    # Shown again for another field's error: only Kesimpta's criteria.
    again = intake_page.post("/requests/new/", {**REQUEST, "quantity": "0"})
    kesimpta_only = {f"{kesimpta.pk}:{c.number}" for c in kesimpta.criteria.all()}
    assert criterion_values(again) == kesimpta_only
    assert "the policy for NDC 00078-1007-68" in again.content.decode()


def test_the_json_list_follows_the_ndc(intake_page, kesimpta, humira):
    found = intake_page.get("/requests/new/criteria/", {"ndc": "00074055402"}).json()
    assert found["ndc"] == "00074-0554-02"
    assert [g["label"] for g in found["groups"]] == [humira.title]
    values = {o["value"] for o in found["groups"][0]["options"]}
    assert values == {f"{humira.pk}:{c.number}" for c in humira.criteria.all()}
    unknown = intake_page.get("/requests/new/criteria/", {"ndc": "not an ndc"}).json()
    assert {g["label"] for g in unknown["groups"]} == {kesimpta.title, humira.title}


def test_the_json_list_is_for_intake_only(client, pharmacist):
    client.force_login(pharmacist)
    assert client.get("/requests/new/criteria/", {"ndc": "00078100768"}).status_code == 403


def test_a_criterion_of_another_policy_is_refused_beside_the_list(intake_page, humira, kesimpta):
    response = intake_page.post("/requests/new/", {**REQUEST, "criterion_number": f"{humira.pk}:1"})
    assert response.status_code == 400
    page = response.content.decode()
    error = re.search(r'id="id_criterion_number_error">(.*?)</div>', page).group(1)
    assert f"Criterion 1 is one of “{humira.title}”" in error
    assert f"managed by “{kesimpta.title}”" in error
    assert OverrideRequest.objects.count() == 0


def test_a_criterion_of_the_ndcs_policy_is_taken(intake_page, kesimpta):
    without_questions(kesimpta)
    response = intake_page.post(
        "/requests/new/", {**REQUEST, "criterion_number": f"{kesimpta.pk}:1"}
    )
    assert response.status_code == 302
    assert OverrideRequest.objects.get().attested_criterion.number == 1


def test_a_malformed_criterion_value_is_a_field_error(intake_page):
    response = intake_page.post("/requests/new/", {**REQUEST, "criterion_number": "x:1"})
    assert response.status_code == 400
    assert 'id="id_criterion_number_error"' in response.content.decode()


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.described_by, self.invalid, self.links = set(), [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if attrs.get("aria-describedby"):
            self.described_by.extend(attrs["aria-describedby"].split())
        if attrs.get("aria-invalid") == "true":
            self.invalid.append(attrs.get("name"))
        if tag == "a" and (attrs.get("href") or "").startswith("#"):
            self.links.append(attrs["href"][1:])


def parsed(response) -> _Ids:
    ids = _Ids()
    ids.feed(response.content.decode())
    return ids


def test_every_error_is_tied_to_its_field_and_summarised_with_links(intake_page):
    response = intake_page.post(
        "/requests/new/",
        {**REQUEST, "member_id": "", "ndc": "1234", "quantity": "0", "prescriber_npi": "1"},
    )
    assert response.status_code == 400
    page = parsed(response)
    assert set(page.described_by) <= page.ids
    for name in ("member_id", "ndc", "quantity", "prescriber_npi"):
        assert name in page.invalid
        assert f"id_{name}_error" in page.described_by
        assert f"id_{name}" in page.links  # the summary's link to the field
    assert set(page.links) <= page.ids | {"main"}
    assert 'class="error-summary" role="alert"' in response.content.decode()


def test_the_untouched_form_names_only_ids_that_exist(intake_page):
    page = parsed(intake_page.get("/requests/new/"))
    assert page.described_by and set(page.described_by) <= page.ids
    assert page.invalid == []
