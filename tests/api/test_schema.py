"""The OpenAPI document (/api/v1/schema/) tells the truth: every refusal an operation can
answer with its body, nullable fields nullable, enums, patterns and bounds that describe
what the input checks accept (docs/domain.md §7). tests/api/test_schema_fuzz.py checks
real answers against it; these pin what it says."""

import json
import re
from decimal import Decimal

import pytest
from drf_spectacular.generators import SchemaGenerator
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.utils.encoders import JSONEncoder

from policies.choices import Channel
from policies.ndc import NDC_INPUT_PATTERN, normalize_ndc
from priorauth import inputs
from priorauth.models import ClaimStatus, DecisionOutcome, RejectCode, RequestStatus, Urgency

COMMON = {"400", "401", "403", "406", "429"}
WRITE = COMMON | {"413", "422"}  # every POST takes an Idempotency-Key
OPERATIONS = {
    ("post", "/api/v1/members/"): WRITE | {"201", "415"},
    ("get", "/api/v1/members/{member_id}/"): COMMON | {"200", "404"},
    ("post", "/api/v1/claims/"): WRITE | {"201", "415"},
    ("post", "/api/v1/claims/{claim_id}/reversal/"): WRITE | {"200", "404", "409"},
    ("post", "/api/v1/override-requests/"): WRITE | {"201", "415"},
    ("get", "/api/v1/override-requests/{request_id}/"): COMMON | {"200", "404"},
    ("post", "/api/v1/override-requests/{request_id}/decision/"): WRITE
    | {"200", "404", "409", "415"},
    ("get", "/api/v1/overrides/"): COMMON | {"200", "404"},
    ("post", "/api/v1/override-requests/{request_id}/appeals/"): WRITE
    | {"201", "404", "409", "415"},
    ("get", "/api/v1/appeals/{appeal_id}/"): COMMON | {"200", "404"},
    ("post", "/api/v1/appeals/{appeal_id}/decision/"): WRITE | {"200", "404", "409", "415"},
    ("post", "/api/v1/pa-initiations/"): WRITE | {"200", "415"},
    ("get", "/api/v1/metrics/"): COMMON | {"200"},
    ("post", "/api/v1/override-requests/{request_id}/attachments/"): WRITE
    | {"201", "404", "409", "415"},
    ("post", "/api/v1/appeals/{appeal_id}/attachments/"): WRITE | {"201", "404", "409", "415"},
    ("get", "/api/v1/override-requests/{request_id}/notes/"): COMMON | {"200", "404"},
    ("post", "/api/v1/override-requests/{request_id}/notes/"): WRITE | {"201", "404", "415"},
    ("get", "/api/v1/appeals/{appeal_id}/notes/"): COMMON | {"200", "404"},
    ("post", "/api/v1/appeals/{appeal_id}/notes/"): WRITE | {"201", "404", "415"},
    ("get", "/api/v1/prescribers/{npi}/"): COMMON | {"200", "404"},
}
FIELD_ERRORS = {"$ref": "#/components/schemas/FieldErrors"}
DETAIL = {"$ref": "#/components/schemas/Detail"}
EITHER = {"$ref": "#/components/schemas/Error"}
BODIES = {
    "400": EITHER,  # field messages, or a body that cannot be parsed
    "401": DETAIL,
    "403": DETAIL,
    "404": EITHER,  # {"detail"} from a read, field messages from a service's lookup
    "406": DETAIL,
    "409": FIELD_ERRORS,
    "413": DETAIL,
    "415": DETAIL,
    "422": FIELD_ERRORS,
    "429": DETAIL,
}


@pytest.fixture(scope="module")
def document():
    """The document as served (tests/api/test_schema_fuzz.py checks they are the same)."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(json.dumps(generated, cls=JSONEncoder))


def _component(document, name):
    return document["components"]["schemas"][name]


def test_the_document_lists_exactly_the_operations_of_docs_section_7(document):
    listed = {(m, path) for path, item in document["paths"].items() for m in item}
    assert listed == set(OPERATIONS)


# Bodies other than BODIES': the appeal decision's 403 may be the service's field message.
OWN_BODIES = {("post", "/api/v1/appeals/{appeal_id}/decision/", "403"): EITHER}


@pytest.mark.parametrize(("method", "path"), list(OPERATIONS))
def test_each_operation_documents_every_status_it_can_answer_with_its_body(document, method, path):
    responses = document["paths"][path][method]["responses"]
    assert set(responses) == OPERATIONS[(method, path)]
    for status, default in BODIES.items():
        body = OWN_BODIES.get((method, path, status), default)
        if status in responses:
            assert responses[status]["content"]["application/json"]["schema"] == body, status
            assert responses[status]["description"]


def test_field_errors_are_an_object_of_message_lists_and_detail_is_one_message(document):
    assert _component(document, "FieldErrors")["additionalProperties"] == {
        "type": "array",
        "items": {"type": "string"},
    }
    assert _component(document, "FieldErrors")["type"] == "object"
    detail = _component(document, "Detail")
    assert (detail["properties"], detail["required"]) == (
        {"detail": {"type": "string"}},
        ["detail"],
    )
    assert _component(document, "Error")["oneOf"] == [FIELD_ERRORS, DETAIL]


def test_the_throttled_and_unauthenticated_answers_document_their_headers(document):
    responses = document["paths"]["/api/v1/claims/"]["post"]["responses"]
    assert set(responses["429"]["headers"]) == {"Retry-After"}
    assert set(responses["401"]["headers"]) == {"WWW-Authenticate"}


@pytest.mark.parametrize(("method", "path"), list(OPERATIONS))
def test_a_post_documents_its_idempotency_key_and_the_replayed_header(document, method, path):
    operation = document["paths"][path][method]
    keys = [p for p in operation.get("parameters", []) if p["name"] == "Idempotency-Key"]
    replayed = {
        status
        for status, response in operation["responses"].items()
        if "Idempotent-Replayed" in response.get("headers", {})
    }
    if method == "get":
        assert (keys, replayed) == ([], set())
        return
    assert keys == [
        {
            "in": "header",
            "name": "Idempotency-Key",
            "schema": {"type": "string", "maxLength": 255},
            "description": keys[0]["description"],
        }
    ]
    # Only answers the view gave are stored and replayed.
    assert replayed == set(operation["responses"]) - {"401", "403", "406", "413", "422", "429"}


@pytest.mark.parametrize(
    ("component", "nullable"),
    [
        (
            "Claim",
            {
                "policy_code",
                "limit",
                "on_hand",
                "allowed_now",
                "earliest_date",
                "override",
                "reversed_at",
            },
        ),
        (
            "OverrideRequest",
            {
                "criterion_number",
                "determination",
                "decided_by",
                "decision",
                "override",
                "prescriber_name",
                "prescriber_specialty",
                "prescriber_phone",
                "prescriber_fax",
            },
        ),
        ("Prescriber", {"credential", "specialty", "taxonomy_code", "phone", "fax"}),
        ("PAInitiation", {"policy_code"}),
        ("DecisionSummary", {"criterion_number"}),
        ("Member", {"coverage_end"}),
        ("OverrideSummary", set()),
        ("Appeal", {"decision", "override"}),
        ("AppealDecisionSummary", {"criterion_number"}),
        ("Attachment", {"appeal_id"}),
        ("Note", {"appeal_id"}),
    ],
)
def test_exactly_the_fields_that_can_be_null_are_nullable_and_every_field_is_required(
    document, component, nullable
):
    schema = _component(document, component)
    assert {name for name, field in schema["properties"].items() if field.get("nullable")} == (
        nullable
    )
    assert set(schema["required"]) == set(schema["properties"])


@pytest.mark.parametrize(
    ("component", "choices"),
    [
        ("ClaimStatusEnum", ClaimStatus),
        ("RejectCodeEnum", RejectCode),
        ("RequestStatusEnum", RequestStatus),
        ("ChannelEnum", Channel),
        ("UrgencyEnum", Urgency),
        ("DecisionOutcomeEnum", DecisionOutcome),
    ],
)
def test_statuses_codes_channels_urgencies_and_decisions_are_the_models_choices(
    document, component, choices
):
    assert _component(document, component)["enum"] == choices.values


def test_a_reject_code_is_one_of_the_model_codes_or_blank(document):
    reject_code = _component(document, "Claim")["properties"]["reject_code"]
    assert reject_code["oneOf"] == [
        {"$ref": "#/components/schemas/RejectCodeEnum"},
        {"$ref": "#/components/schemas/BlankEnum"},
    ]
    assert {"65", "76", "81"} <= set(_component(document, "RejectCodeEnum")["enum"])


def _input(document, component, field):
    return _component(document, component)["properties"][field]


@pytest.mark.parametrize("component", ["ClaimInputRequest", "OverrideRequestInputRequest"])
def test_dispensing_inputs_document_their_formats_and_bounds(document, component):
    assert _input(document, component, "member_id")["pattern"] == "^[A-Za-z0-9-]{1,20}$"
    days_supply = _input(document, component, "days_supply")
    assert (days_supply["minimum"], days_supply["maximum"]) == (1, 365)
    assert _input(document, component, "ndc")["pattern"] == NDC_INPUT_PATTERN
    assert _input(document, component, "quantity")["format"] == "decimal"
    assert _input(document, "OverrideRequestInputRequest", "prescriber_npi")["pattern"] == (
        "^[0-9]{10}$"
    )


def test_limit_and_offset_carry_the_bounds_the_pagination_class_checks(document):
    parameters = {
        p["name"]: p["schema"] for p in document["paths"]["/api/v1/overrides/"]["get"]["parameters"]
    }
    paginator = api_settings.DEFAULT_PAGINATION_CLASS
    assert parameters["limit"]["maximum"] == paginator.max_limit
    assert (parameters["limit"]["type"], parameters["limit"]["minimum"]) == ("integer", 1)
    assert (parameters["offset"]["type"], parameters["offset"]["minimum"]) == ("integer", 0)


def test_ids_in_paths_are_whole_numbers(document):
    for path, method, name in [
        ("/api/v1/claims/{claim_id}/reversal/", "post", "claim_id"),
        ("/api/v1/override-requests/{request_id}/", "get", "request_id"),
        ("/api/v1/override-requests/{request_id}/decision/", "post", "request_id"),
    ]:
        (parameter,) = [
            p for p in document["paths"][path][method]["parameters"] if p["name"] == name
        ]
        assert (parameter["in"], parameter["schema"]["type"]) == ("path", "integer")


# The patterns are checked against the input checks themselves: whatever a pattern
# describes, the check accepts as it says.
PATTERNS = settings(max_examples=200, deadline=None)


@PATTERNS
@given(data=st.data())
def test_every_ndc_the_pattern_describes_is_accepted_as_eleven_digits(document, data):
    pattern = _input(document, "ClaimInputRequest", "ndc")["pattern"]
    typed = data.draw(st.from_regex(pattern, fullmatch=True, alphabet="0123456789-"))
    stored = normalize_ndc(typed)
    assert len(stored) == 11 and stored.isascii() and stored.isdigit()


@PATTERNS
@given(data=st.data())
def test_every_quantity_the_pattern_describes_is_accepted_as_more_than_zero(document, data):
    pattern = _input(document, "ClaimInputRequest", "quantity")["pattern"]
    typed = data.draw(st.from_regex(pattern, fullmatch=True, alphabet="0123456789."))
    assert inputs.quantity_field().run_validation(typed) > 0


@pytest.mark.parametrize("typed", ["0", "0.000", ".0", "-1", "1.0005", "12345678", "1e3", ""])
def test_a_quantity_the_check_refuses_is_outside_the_pattern(document, typed):
    pattern = _input(document, "ClaimInputRequest", "quantity")["pattern"]
    assert not re.fullmatch(pattern, typed)
    if typed != "1e3":  # accepted as 1000, but not the documented form
        with pytest.raises(ValidationError):
            inputs.quantity_field().run_validation(typed)


def test_the_largest_quantity_the_pattern_allows_is_accepted(document):
    assert inputs.quantity_field().run_validation("9999999.999") == Decimal("9999999.999")


# Refusals that schemathesis's checks skip (other content types and Accept headers are
# request-shape probes to it) or that generated requests do not reach (a body over the
# limit, a throttled address): each real answer is one its operation documents.
def _too_large(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    return client.post("/api/v1/claims/", {"ndc": "0" * 2_000}, format="json")


def _throttled(client, settings):
    settings.PRIORAUTH_TOKEN_FAILURE_LIMIT = 1
    client.credentials(HTTP_AUTHORIZATION="Token wrong")
    client.post("/api/v1/claims/", {}, format="json")
    return client.post("/api/v1/claims/", {}, format="json")


REAL_REFUSALS = {
    "401": lambda client, settings: APIClient().post("/api/v1/claims/", {}, format="json"),
    "406": lambda client, settings: client.post("/api/v1/claims/", {}, HTTP_ACCEPT="text/csv"),
    "413": _too_large,
    "415": lambda client, settings: client.post(
        "/api/v1/claims/", "member_id=M1", content_type="text/plain"
    ),
    "429": _throttled,
}


@pytest.mark.django_db
@pytest.mark.parametrize("status", list(REAL_REFUSALS))
def test_a_refusal_the_fuzzing_cannot_check_is_answered_as_documented(
    document, as_claims, settings, status
):
    response = REAL_REFUSALS[status](as_claims, settings)
    documented = document["paths"]["/api/v1/claims/"]["post"]["responses"][status]
    assert response.status_code == int(status)
    assert response["Content-Type"] == "application/json"
    assert documented["content"]["application/json"]["schema"] == DETAIL
    assert set(response.json()) == {"detail"} and isinstance(response.json()["detail"], str)
    # WWW-Authenticate on the 401, Retry-After on the 429 (Idempotent-Replayed: replays only).
    for header in set(documented.get("headers", {})) - {"Idempotent-Replayed"}:
        assert response.has_header(header), header
