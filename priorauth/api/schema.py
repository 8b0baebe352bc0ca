"""The OpenAPI document tells the truth about refusals (docs/domain.md §7.1).

`AutoSchema` (REST_FRAMEWORK's DEFAULT_SCHEMA_CLASS) adds to every operation the 4xx
answers it can really give, each with its body: field-level messages
(`FieldErrors`, `{"field": ["message", …]}`), `{"detail": "…"}` (`Detail`), or either
(`Error`). A view declares only what is particular to it: a 409 where a service raises
Conflict, or a 404 on a path without parameters. It also documents the
`Idempotency-Key` header on the POSTs that honour it. (limit and offset carry the bounds
the pagination class documents, priorauth/api/pagination.py.)
"""

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer
from rest_framework import serializers

from .idempotency import HEADER as IDEMPOTENCY_KEY
from .idempotency import MAX_KEY_LENGTH, REPLAYED_HEADER


class FieldErrorsSerializer(serializers.Serializer):
    """{"field": ["message", …]}: every bad field at once (see FieldErrorsExtension)."""


class FieldErrorsExtension(OpenApiSerializerExtension):
    target_class = FieldErrorsSerializer

    def get_name(self, auto_schema, direction):
        return "FieldErrors"

    def map_serializer(self, auto_schema, direction):
        return {
            "type": "object",
            "description": (
                "Field-level messages: every bad field (or `non_field_errors`, or the "
                f"{IDEMPOTENCY_KEY} header) with its messages, all at once."
            ),
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "minProperties": 1,
            "example": {"ndc": ["'1' is not an NDC: give 11 digits (00078100768) or …"]},
        }


class DetailSerializer(serializers.Serializer):
    """One message about the request as a whole (authentication, permission, format)."""

    detail = serializers.CharField()

    class Meta:
        ref_name = "Detail"


ERROR = PolymorphicProxySerializer(
    component_name="Error",
    serializers=[FieldErrorsSerializer, DetailSerializer],
    resource_type_field_name=None,
)


def refusal(description: str, body=ERROR) -> OpenApiResponse:
    return OpenApiResponse(response=body, description=description)


BAD_REQUEST = refusal(
    "Bad input: field-level messages for every bad field at once, or `detail` when the body "
    "cannot be parsed or the request is malformed."
)
UNAUTHENTICATED = refusal("No credentials, or a token that is not valid.", DetailSerializer)
FORBIDDEN = refusal(
    "Signed in, but the role does not allow this (or a session request without its CSRF token).",
    DetailSerializer,
)
# The appeal decision's own 403 comes from the service, with a field message
# ({"decision": […]}); the role check before it answers {"detail": …}.
NOT_THE_DECIDER = refusal(
    "Not the one to decide: a role that does not decide appeals (`detail`), or, from the "
    "service, the person who denied the request or an uphold by someone who is not a "
    "physician reviewer (`decision`)."
)
NOT_FOUND = refusal("No such object, or not one this user may see.")
NOT_ACCEPTABLE = refusal(
    "The Accept header names no type the API answers with (JSON).", DetailSerializer
)
CONFLICT = refusal("The object's state forbids this; nothing was written.", FieldErrorsSerializer)
TOO_LARGE = refusal("The request body is too large.", DetailSerializer)
UNSUPPORTED_MEDIA = refusal(
    "The body is not JSON, form-encoded or multipart (see its Content-Type).", DetailSerializer
)
KEY_REUSED = refusal(
    f"This {IDEMPOTENCY_KEY} was used with a different request; nothing was written.",
    FieldErrorsSerializer,
)
THROTTLED = refusal("Too many requests; retry after Retry-After seconds.", DetailSerializer)

# Answers that never reach the view, so an Idempotency-Key never replays them.
_NOT_REPLAYED = {"401", "403", "406", "413", "422", "429"}
_RESPONSE_HEADERS = {
    "401": {
        "WWW-Authenticate": {
            "schema": {"type": "string"},
            "description": "How to authenticate: `Token`.",
        }
    },
    "429": {
        "Retry-After": {
            "schema": {"type": "string", "pattern": r"^[0-9]+$"},
            "description": "Seconds to wait before trying again.",
        }
    },
}
_REPLAYED = {
    REPLAYED_HEADER: {
        "schema": {"type": "string", "enum": ["true"]},
        "description": "Present when this is the stored answer to an earlier request.",
    }
}
_IDEMPOTENCY_KEY = {
    "in": "header",
    "name": IDEMPOTENCY_KEY,
    "schema": {"type": "string", "maxLength": MAX_KEY_LENGTH},
    "description": (
        f"Any string up to {MAX_KEY_LENGTH} characters, new for each distinct request. A "
        "retry with the same key, method, path and body gets the first answer again (with "
        f"{REPLAYED_HEADER}: true) and writes nothing; the same key with a different request "
        "is 422. Keys are per user."
    ),
}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's AutoSchema, plus the refusals and headers of this API.

    It adds to what spectacular built (and a view's @extend_schema declared) rather than
    replacing it: a status a view declares itself keeps the view's description.
    """

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        for code, answer in self._refusals().items():
            responses.setdefault(str(code), self._refusal_response(answer))
        idempotent = self._is_idempotent()
        for code, response in responses.items():
            headers = dict(_RESPONSE_HEADERS.get(code, {}))
            if idempotent and code not in _NOT_REPLAYED:
                headers.update(_REPLAYED)
            if headers:
                response["headers"] = {**response.get("headers", {}), **headers}
        operation["responses"] = dict(sorted(responses.items()))
        parameters = [*operation.get("parameters", []), *self._idempotency_parameters()]
        if parameters:
            operation["parameters"] = sorted(parameters, key=lambda p: (p["in"], p["name"]))
        return operation

    def _refusals(self) -> dict[int, OpenApiResponse]:
        """What every operation of this API can answer, and what depends on its shape."""
        refusals = {
            400: BAD_REQUEST,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            406: NOT_ACCEPTABLE,
            429: THROTTLED,
        }
        if "{" in self.path:
            refusals[404] = NOT_FOUND
        if self.method == "POST":
            refusals[413] = TOO_LARGE
            if self.get_request_serializer() is not None:
                refusals[415] = UNSUPPORTED_MEDIA
        if self._is_idempotent():
            refusals[422] = KEY_REUSED
        return refusals

    def _refusal_response(self, answer: OpenApiResponse) -> dict:
        schema = self.resolve_serializer(answer.response, "response").ref
        return {
            "content": {"application/json": {"schema": schema}},
            "description": answer.description,
        }

    def _is_idempotent(self) -> bool:
        handler = getattr(self.view, self.method.lower(), None)
        return getattr(handler, "idempotent", False)

    def _idempotency_parameters(self) -> list[dict]:
        return [dict(_IDEMPOTENCY_KEY)] if self._is_idempotent() else []
