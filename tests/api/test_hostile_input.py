"""Every input to the API gives a 4xx, never a 500, and a refusal writes nothing (§7.1).

Control characters (PostgreSQL cannot store NUL), JSON nested past recursion, bodies
over the upload limit, huge or unreadable paging, unknown paths. A NUL only fails on
PostgreSQL, so these tests ask for the 400 itself, which both databases must give.
"""

from datetime import date
from urllib.parse import quote

import pytest
from drf_spectacular.generators import SchemaGenerator
from hypothesis import given
from hypothesis import strategies as st

from priorauth.api.pagination import LIMIT_MESSAGE, MAX_LIMIT, OFFSET_MESSAGE
from priorauth.api.parsers import MAX_DEPTH, TOO_DEEP
from priorauth.models import IdempotencyRecord
from tests.support import factories
from tests.support.hostile import GENERATED, VALUES
from tests.support.rows import row_counts
from tests.support.steps import create_member, submit_claim, submit_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(kesimpta):
    factories.member("M1")
    return "M1"


@pytest.fixture
def overrides(kesimpta):
    """Rows for the overrides list: a huge limit or offset must reach a real query."""
    return [factories.override(f"L{n}", ends_on=date(2099, 1, n + 1)) for n in range(3)]


def assert_detail(response, status, *fragments):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"detail"}, body
    for fragment in fragments:
        assert fragment in body["detail"], body


def assert_fields(response, fields, *fragments):
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == set(fields), body
    for fragment in fragments:
        assert all(fragment in " ".join(body[field]) for field in fields), body


# --- Control characters in the address -------------------------------------------


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("/api/v1/members/A%00/", "The address contains a control character (U+0000)"),
        ("/api/v1/members/A%1B/", "The address contains a control character (U+001B)"),
        ("/api/v1/overrides/?member_id=%00", 'query parameter "member_id"'),
        ("/api/v1/overrides/?member_id=M1%0A", 'query parameter "member_id"'),
        ("/api/v1/overrides/?member_id=M1%09", "control character (U+0009)"),
        ("/api/v1/overrides/?member_id=M1%7F", "control character (U+007F)"),
        ("/api/v1/overrides/?%00=1", "A query parameter name contains"),
        ("/api/v1/overrides/?limit=1%00", 'query parameter "limit"'),
    ],
)
def test_a_control_character_in_the_path_or_query_is_a_json_400_before_any_view(
    member, as_pharmacist, url, fragment
):
    before = row_counts()
    assert_detail(as_pharmacist.get(url), 400, fragment)
    assert row_counts() == before  # no member read, so no PHI access logged


def test_a_refusal_names_the_parameter_but_never_echoes_its_value(as_pharmacist):
    response = as_pharmacist.get("/api/v1/overrides/?member_id=SECRET-ID%00")
    assert response.status_code == 400
    assert "SECRET-ID" not in response.content.decode()


def test_a_control_character_is_refused_before_authentication_too(client):
    assert_detail(client.get("/api/v1/members/A%00/"), 400, "control character")


def test_a_session_cookie_hiding_a_nul_is_refused_before_the_session_is_read(as_pharmacist):
    # The quoted cookie form turns \000 into a NUL, which would reach the session table.
    as_pharmacist.cookies["sessionid"] = "abcdefgh\x00ijkl"
    assert_detail(as_pharmacist.get("/api/v1/overrides/"), 400, 'cookie "sessionid"')


def test_a_nul_in_the_idempotency_key_is_refused_and_no_key_is_stored(member, as_claims):
    before = row_counts()
    response = as_claims.post(
        "/api/v1/claims/",
        {"member_id": member, "ndc": "00078100768", "quantity": "1", "days_supply": 28},
        format="json",
        HTTP_IDEMPOTENCY_KEY="key\x00",
    )
    assert_detail(response, 400, 'header "Idempotency-Key"', "U+0000")
    assert row_counts() == before
    assert IdempotencyRecord.objects.count() == 0


def test_a_tab_in_a_header_value_is_allowed(member, as_claims):
    response = submit_claim(as_claims, member_id=member, HTTP_IDEMPOTENCY_KEY="a\tb")
    assert response.status_code == 201, response.content


# --- Control characters in JSON bodies -------------------------------------------


@pytest.mark.parametrize(
    ("notes", "code"),
    [("a\x00b", "U+0000"), ("a\x1bb", "U+001B"), ("\x7f", "U+007F"), ("\x0c", "U+000C")],
)
def test_a_control_character_in_a_json_string_is_a_400_on_its_field(member, as_intake, notes, code):
    before = row_counts()
    response = submit_request(as_intake, member_id=member, clinical_notes=notes)
    assert_fields(response, ["clinical_notes"], f"control character ({code})")
    assert row_counts() == before


def test_every_field_with_a_control_character_is_named_at_once(member, as_intake):
    response = submit_request(as_intake, member_id="M\x00", clinical_notes="\x00", urgency="\x01")
    assert_fields(response, ["member_id", "clinical_notes", "urgency"], "control character")


def test_tabs_and_line_breaks_in_a_json_string_are_text(member, as_intake):
    response = submit_request(as_intake, member_id=member, clinical_notes="Week 0\tpen\r\nWeek 1")
    assert response.status_code == 201, response.content
    assert response.json()["clinical_notes"] == "Week 0\tpen\r\nWeek 1"


def test_a_lone_surrogate_is_a_400_not_a_500_while_answering(member, as_claims):
    before = row_counts()
    body = '{"member_id": "M1", "ndc": "00078100768", "quantity": "1", "days_supply": 28,'
    body += ' "channel": "\\ud800"}'
    response = as_claims.post("/api/v1/claims/", body, content_type="application/json")
    assert_fields(response, ["channel"], "lone surrogate (U+D800)")
    assert row_counts() == before


def test_a_control_character_in_a_field_name_is_a_non_field_error(member, as_claims):
    response = submit_claim(as_claims, member_id=member, **{"note\x00": "x"})
    assert_fields(response, ["non_field_errors"], "A field name contains a control character")


def test_a_raw_control_character_is_already_bad_json(member, as_claims):
    response = as_claims.post(
        "/api/v1/claims/", b'{"member_id": "M\x001"}', content_type="application/json"
    )
    assert_detail(response, 400, "JSON parse error")


def test_a_control_character_in_a_form_body_to_the_api_is_a_400_on_its_field(member, as_intake):
    before = row_counts()
    response = as_intake.post(
        "/api/v1/override-requests/", {"member_id": member, "clinical_notes": "a\x00b"}
    )
    assert_fields(response, ["clinical_notes"], "control character (U+0000)")
    assert row_counts() == before


# --- Nesting and size ---------------------------------------------------------------


def test_json_nested_a_thousand_levels_deep_is_a_400_not_a_recursion_error(member, as_claims):
    before = row_counts()
    for body in ("[" * 1000 + "]" * 1000, '{"a":' * 1000 + "1" + "}" * 1000, "[" * 100_000):
        response = as_claims.post("/api/v1/claims/", body, content_type="application/json")
        assert_detail(response, 400, TOO_DEEP)
    assert row_counts() == before


def test_nesting_up_to_the_bound_is_read_and_one_more_level_is_refused(member, as_claims):
    at_bound = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    response = as_claims.post("/api/v1/claims/", at_bound, content_type="application/json")
    assert response.status_code == 400
    assert response.json() != {"detail": TOO_DEEP}  # read, then refused as a claim
    past = "[" + at_bound + "]"
    response = as_claims.post("/api/v1/claims/", past, content_type="application/json")
    assert_detail(response, 400, TOO_DEEP)


def test_brackets_inside_a_string_are_text_not_nesting(member, as_intake):
    response = submit_request(as_intake, member_id=member, clinical_notes='[{"\\' * 500)
    assert response.status_code == 201, response.content


def test_a_body_over_the_upload_limit_is_a_json_413(member, as_claims, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000
    before = row_counts()
    big = {"member_id": member, "clinical_notes": "x" * 2_000}
    for headers in ({}, {"HTTP_IDEMPOTENCY_KEY": "big-1"}):
        response = as_claims.post("/api/v1/claims/", big, format="json", **headers)
        assert_detail(response, 413, "larger than 2000 bytes")
    assert row_counts() == before


def test_a_body_within_the_upload_limit_is_read(member, as_claims, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000
    response = submit_claim(as_claims, member_id=member, HTTP_IDEMPOTENCY_KEY="small-1")
    assert response.status_code == 201, response.content


# --- Paging ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=100000000000000000000", "limit"),
        ("limit=-1", "limit"),
        ("limit=0", "limit"),
        ("limit=abc", "limit"),
        ("limit=1.5", "limit"),
        ("limit=%D9%A3", "limit"),  # Arabic-Indic three: int() reads it, we do not
        ("limit=1_0", "limit"),
        (f"limit={MAX_LIMIT + 1}", "limit"),
        ("offset=100000000000000000000", "offset"),
        ("offset=-1", "offset"),
        ("offset=null", "offset"),
        ("offset=1e3", "offset"),
    ],
)
def test_a_limit_or_offset_that_is_not_a_whole_number_in_range_is_a_400_on_it(
    overrides, as_pharmacist, query, field
):
    response = as_pharmacist.get(f"/api/v1/overrides/?{query}")
    message = {"limit": LIMIT_MESSAGE, "offset": OFFSET_MESSAGE}[field]
    assert response.status_code == 400, response.content
    assert response.json() == {field: [message]}


def test_a_bad_limit_and_offset_are_named_together(overrides, as_pharmacist):
    response = as_pharmacist.get("/api/v1/overrides/?limit=x&offset=y")
    assert response.json() == {"limit": [LIMIT_MESSAGE], "offset": [OFFSET_MESSAGE]}


def test_a_refused_page_of_a_members_overrides_logs_no_phi_read(overrides, as_pharmacist):
    before = row_counts()
    response = as_pharmacist.get("/api/v1/overrides/?member_id=L0&limit=100000000000000000000")
    assert response.status_code == 400
    assert row_counts() == before


@pytest.mark.parametrize(
    ("query", "count", "shown"),
    [("", 3, 3), ("limit=&offset=", 3, 3), (f"limit={MAX_LIMIT}", 3, 3), ("limit=2", 3, 2)],
)
def test_absent_or_empty_paging_takes_the_defaults_and_the_bound_is_allowed(
    overrides, as_pharmacist, query, count, shown
):
    body = as_pharmacist.get(f"/api/v1/overrides/?{query}").json()
    assert (body["count"], len(body["results"])) == (count, shown)


def test_an_offset_past_the_end_is_an_empty_page(overrides, as_pharmacist):
    body = as_pharmacist.get("/api/v1/overrides/?offset=1000000000").json()
    assert (body["count"], body["results"], body["next"]) == (3, [], None)


def test_the_schema_documents_the_paging_bounds_and_integer_ids():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    parameters = {
        p["name"]: p["schema"] for p in schema["paths"]["/api/v1/overrides/"]["get"]["parameters"]
    }
    assert parameters["limit"] == {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}
    assert parameters["offset"]["maximum"] == 1_000_000_000
    reversal = schema["paths"]["/api/v1/claims/{claim_id}/reversal/"]["post"]
    [claim_id] = [p for p in reversal["parameters"] if p["name"] == "claim_id"]
    assert claim_id["schema"]["type"] == "integer"
    assert not [path for path in schema["paths"] if not path.startswith("/api/v1/")]


# --- Unknown paths, methods, media types -----------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/nope/",
        "/api/v1/nope",
        "/api/",
        "/api/v2/claims/",
        "/api/v1/members",  # no redirect to the slash: a program would lose its body
        "/api/v1/override-requests/99999999999999999999/",  # past any database integer
        "/api/v1/claims/1/reversal/extra/",
    ],
)
@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_an_unknown_path_under_the_api_is_a_json_404(as_pharmacist, client, url, method):
    for caller in (as_pharmacist, client):
        response = getattr(caller, method)(url)
        assert response.status_code == 404, response.content
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"detail": "Not found."}


def test_an_unknown_member_id_in_the_path_stays_the_views_404(as_pharmacist):
    assert_detail(as_pharmacist.get(f"/api/v1/members/{quote('Ω-1')}/"), 404, "No such member")


def test_a_method_an_endpoint_does_not_take_is_a_json_405(as_claims):
    assert_detail(as_claims.put("/api/v1/claims/", {}, format="json"), 405, '"PUT" not allowed')


def test_a_body_in_a_media_type_the_api_does_not_read_is_a_json_415(as_claims):
    response = as_claims.post("/api/v1/claims/", "member_id=M1", content_type="text/plain")
    assert_detail(response, 415, "Unsupported media type")


def test_asking_for_an_answer_in_a_format_the_api_does_not_write_is_a_json_406(as_pharmacist):
    response = as_pharmacist.get("/api/v1/overrides/", HTTP_ACCEPT="application/xml")
    assert response.status_code == 406
    assert "detail" in response.json()


# --- Generated: arbitrary text at every parameter of the API's list and read ---------


@GENERATED
@given(params=st.dictionaries(st.sampled_from(["member_id", "limit", "offset"]), VALUES))
def test_any_query_on_the_overrides_list_is_answered_below_500(overrides, as_pharmacist, params):
    response = as_pharmacist.get("/api/v1/overrides/", params)
    assert response.status_code < 500
    assert response["Content-Type"] == "application/json"


@GENERATED
@given(member_id=VALUES)
def test_any_member_id_in_the_path_is_answered_below_500(member, as_pharmacist, member_id):
    response = as_pharmacist.get(f"/api/v1/members/{quote(member_id, safe='')}/")
    assert response.status_code < 500
    assert response["Content-Type"] == "application/json"


def test_a_valid_member_read_still_answers(member, as_pharmacist, as_intake):
    assert create_member(as_intake, "M2").status_code == 201
    assert as_pharmacist.get("/api/v1/members/M2/").status_code == 200
