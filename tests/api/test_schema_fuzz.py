"""Schemathesis drives API v1 over real HTTP: no answer is a 5xx, and every answer (status,
content type, body, headers) is one the OpenAPI document describes.

The document is the one the app serves (the last test checks they are the same). Requests
go to pytest-django's live server; each operation gets a fresh transactional database
holding the Kesimpta policy, two members, an approved and a pending request and a paid
and a rejected claim, and a token for every role, for a user with no role, a superuser,
and none.

- Fuzzing: a fixed number of generated requests per operation (valid and invalid,
  derandomized), each sent as every caller but the superuser (one refused for its role,
  a few times only).
- Coverage: schemathesis's deterministic boundary values, wrong types, missing fields,
  other content types and methods (405 with Allow), sent once, by the superuser, whom
  every operation lets through to its checks.

Generated IDs are swapped half the time for the world's (path parameters, and the body's
member, NDC, NPI and criterion), so answers to accepted requests are checked too. Nothing
is left out of generation: strings may hold NUL and other control characters, IDs may be
anything (priorauth/http_guard.py, the API's parser and its JSON 404 answer them).
"""

import collections
import itertools
import json

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.utils.encoders import JSONEncoder
from schemathesis.checks import not_a_server_error
from schemathesis.generation.meta import TestPhase
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from priorauth import roles
from priorauth.api.idempotency import HEADER as IDEMPOTENCY_KEY
from tests.support import factories
from tests.support.cast import make_user, token_headers
from tests.support.steps import KESIMPTA_NDC, VALID_NPI

pytestmark = pytest.mark.django_db(transaction=True)

# Who calls: a user per role, a user with no role, and nobody signed in (no token).
CALLERS = {
    "intake": roles.INTAKE,
    "pharmacist": roles.CLINICAL_PHARMACIST,
    "auditor": roles.AUDITOR,
    "claims": roles.CLAIMS_SYSTEM,
    "policyadmin": roles.POLICY_ADMIN,
    "norole": None,
    "anonymous": None,
}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# Generated requests per operation in the fuzzing phase (each sent as every caller):
# enough to reach each refusal, few enough to keep the module well under a minute.
EXAMPLES = 20
# A caller refused for its role (401, 403) is always refused by that operation: once its
# refusal has been checked this often, it is not sent the operation's other requests.
REFUSALS_CHECKED = 3
HYPOTHESIS = settings(deadline=None, database=None, suppress_health_check=list(HealthCheck))


def _served_schema() -> dict:
    """The document /api/v1/schema/ serves, as JSON (dates and decimals as strings)."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(json.dumps(document, cls=JSONEncoder))


# What the current test's database holds, by path parameter or body field name.
KNOWN: dict[str, list] = {}
KNOWN_FIELDS = {
    "member_id": ["M1", "M2"],
    "ndc": [KESIMPTA_NDC],
    "prescriber_npi": [VALID_NPI],
    "criterion_number": [1],
    "reason": ["Not medically necessary."],
}


def flatmap_path_parameters(context, path_parameters):
    """Half the time, a path parameter names an object that exists."""
    known = [
        {**path_parameters, name: value}
        for name in path_parameters or {}
        for value in KNOWN.get(name, [])
    ]
    return st.sampled_from([path_parameters, *known]) if known else st.just(path_parameters)


def flatmap_body(context, body):
    """Half the time, the body's member, NDC, NPI, criterion (and a denial's reason) are
    ones the world holds."""
    names = KNOWN_FIELDS.keys() & body.keys() if isinstance(body, dict) else set()
    if not names:
        return st.just(body)
    known = st.fixed_dictionaries({name: st.sampled_from(KNOWN_FIELDS[name]) for name in names})
    return st.one_of(st.just(body), known.map(lambda values: {**body, **values}))


def _schema(*phases: str):
    loaded = schemathesis.openapi.from_dict(_served_schema())
    loaded.config.generation.update(
        max_examples=EXAMPLES,
        deterministic=True,
        # The callers' tokens are sent by the tests; generated Authorization headers or
        # session cookies would only ever be refused with 401.
        with_security_parameters=False,
    )
    for name in ("examples", "coverage", "fuzzing", "stateful"):
        loaded.config.phases.get_by_name(name=name).enabled = name in phases
    loaded.hook(flatmap_path_parameters)
    loaded.hook(flatmap_body)
    return loaded


schema = _schema("examples", "coverage", "fuzzing")


@pytest.fixture
def world(kesimpta, intake):
    """Two members, an approved and a pending request by intake, a paid and a rejected claim."""
    factories.member("M1")
    factories.member("M2")
    approved = factories.kesimpta_request("M1", submitted_by=intake)
    factories.approve(approved)
    pending = factories.kesimpta_request("M2", submitted_by=intake)
    paid = factories.claim("M2")
    rejected = factories.claim("M2")
    assert (paid.status, rejected.status) == ("paid", "rejected")
    KNOWN.clear()
    KNOWN.update(
        member_id=["M1", "M2"],
        claim_id=[paid.pk, rejected.pk],
        request_id=[approved.pk, pending.pk],
    )


class Callers(dict):
    """Each caller's headers, the superuser's, and how often the operation under test
    refused each caller."""

    def __init__(self, headers: dict[str, dict], superuser: dict):
        super().__init__(headers)
        self.superuser = superuser
        self.refusals = collections.Counter()


@pytest.fixture
def callers(world, intake, django_user_model):
    """Every caller (intake is the user who submitted the world's requests)."""
    headers = {"intake": token_headers(intake), "anonymous": {}}
    for name, role in CALLERS.items():
        if name not in headers:
            user = make_user(django_user_model, name, *([role] if role else []))
            headers[name] = token_headers(user)
    root = django_user_model.objects.create_superuser("root", password="pw-root")
    return Callers(headers, superuser=token_headers(root))


@schema.parametrize()
@HYPOTHESIS
def test_every_caller_gets_an_answer_the_schema_describes(case, callers, live_server):
    if case.meta.phase.name == TestPhase.COVERAGE:
        _fresh_idempotency_key(case)
        # Methods the document does not list for a path get 405 with an Allow header.
        checks = [*CHECKS, unsupported_method]
        case.call_and_validate(base_url=live_server.url, headers=callers.superuser, checks=checks)
        return
    for name, headers in callers.items():
        if callers.refusals[name] >= REFUSALS_CHECKED:
            continue
        # X-Caller only names the caller in a failure's "Reproduce with" line.
        headers = {**headers, "X-Caller": name}
        response = case.call_and_validate(base_url=live_server.url, headers=headers, checks=CHECKS)
        if response.status_code in (401, 403):
            callers.refusals[name] += 1


_sent = itertools.count()


def _fresh_idempotency_key(case) -> None:
    """The coverage phase sends the same boundary-length key with every case of an
    operation, so all but the first would be answered 422 (key reused) before their body
    is looked at. Each gets a key of its own, of the same length where it can."""
    key = (case.headers or {}).get(IDEMPOTENCY_KEY)
    if key:
        unique = f"{next(_sent)}:"
        case.headers[IDEMPOTENCY_KEY] = (unique + key)[: max(len(key), len(unique))]


@pytest.mark.django_db  # no live server: the cheaper database
def test_the_fuzzed_schema_is_the_one_the_app_serves(as_auditor):
    served = as_auditor.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert served.status_code == 200
    assert served.json() == schema.raw_schema
