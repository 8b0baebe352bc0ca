"""The read-only policy pages answer any input with a page or a 4xx, never a 500."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.hostile import GENERATED, values_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_pharmacist_page(client, pharmacist, kesimpta):
    client.force_login(pharmacist)
    return client


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("/policies/?q=%00", "The query parameter &quot;q&quot; contains"),
        ("/policies/?q=kesimpta%1F", "control character (U+001F)"),
        ("/policies/?status=%00", "The query parameter &quot;status&quot; contains"),
    ],
)
def test_a_control_character_in_the_policy_search_is_a_400_page(as_pharmacist_page, url, fragment):
    response = as_pharmacist_page.get(url)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert fragment in response.content.decode()


@pytest.mark.parametrize(
    "url", ["/policies/99999999999999999999/", "/policies/99999999999999999999/export.yaml"]
)
def test_a_policy_id_past_any_database_integer_is_not_found(as_pharmacist_page, url):
    assert as_pharmacist_page.get(url).status_code == 404


def test_the_search_still_finds_a_policy_by_a_hyphenated_ndc(as_pharmacist_page, kesimpta):
    response = as_pharmacist_page.get("/policies/", {"q": "00078-1007-68"})
    assert response.status_code == 200
    assert kesimpta.title in response.content.decode()


@GENERATED
@given(
    params=st.dictionaries(
        st.sampled_from(["q", "status"]),
        values_with("in_force", "ended", "future", "00078-1007-68"),
    )
)
def test_any_query_on_the_policy_list_is_answered_below_500(as_pharmacist_page, params):
    assert as_pharmacist_page.get("/policies/", params).status_code < 500


@pytest.mark.parametrize("text", ["Kesimpta\x00", "Kes\x1bimpta"])
def test_a_policy_file_with_a_control_character_in_a_text_field_is_refused_by_path(text):
    import yaml

    from policies.files import PolicyFileError, parse_policy_text
    from tests.support.paths import KESIMPTA_FILE

    document = yaml.safe_load(KESIMPTA_FILE.read_text())
    document["policy"]["title"] = text
    with pytest.raises(PolicyFileError) as refused:
        parse_policy_text(yaml.safe_dump(document), name="bad.yaml")
    assert any(
        problem.startswith("policy.title: contains a control character")
        for problem in refused.value.problems
    )
