"""No member ID or name reaches the logs, whatever URL is asked for by whom (domain.md §5).

The walk requests every URL pattern of the project (path parameters filled with the
world's real IDs, and with a member ID nobody has) as every role, plain and with
member data in the query string, and POSTs bodies naming members to every endpoint
that takes one. Everything logged meanwhile is captured twice: by caplog at DEBUG on
every logger, and by the handler settings.LOGGING configured, with DEBUG off.
"""

import io
import logging
from types import SimpleNamespace

import pytest
from django.core.servers.basehttp import WSGIRequestHandler
from rest_framework.authtoken.models import Token

from priorauth.logging import RedactPHIFilter
from priorauth.models import Member
from tests.support.phi import (
    NEW_MEMBER,
    ROLES,
    UNKNOWN_MEMBER_ID,
    World,
    build_world,
    paths,
    phi_strings,
    role_clients,
)
from tests.support.steps import KESIMPTA_NDC, VALID_NPI
from tests.support.urlconf import routes

pytestmark = pytest.mark.django_db

PHI_QUERY = "member_id=ZQX917&member=ZQX918&q=Quillfeather&next=/members/ZQX917/&page=1"


@pytest.fixture
def production_log(settings):
    """What the handler of settings.LOGGING writes (its stream swapped), with DEBUG off."""
    settings.DEBUG = False
    handlers = [h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler)]
    handlers = [h for h in handlers if not type(h).__module__.startswith("_pytest")]
    assert handlers and all(
        any(isinstance(f, RedactPHIFilter) for f in h.filters) for h in handlers
    )
    buffer = io.StringIO()
    streams = [handler.setStream(buffer) for handler in handlers]
    yield buffer
    for handler, stream in zip(handlers, streams, strict=True):
        handler.setStream(stream)


@pytest.fixture
def every_logger_at_debug(caplog):
    caplog.set_level(logging.DEBUG)
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger) and logger.level:
            caplog.set_level(logging.DEBUG, logger=name)
    return caplog


@pytest.fixture
def world(kesimpta, intake, pharmacist, physician):
    return build_world(intake=intake, pharmacist=pharmacist, physician=physician)


@pytest.fixture
def clients(world, everyone):
    Token.objects.get_or_create(user=everyone["claims_system"])  # a row for the token admin
    clients = role_clients(everyone)
    assert set(clients) == set(ROLES)
    return clients


def posts(world: World) -> list[tuple[str, dict, str]]:
    """(path, body, format) for every endpoint that takes a body naming a member."""
    new_id, first_name, last_name = NEW_MEMBER
    request = {
        "ndc": KESIMPTA_NDC,
        "quantity": "4",
        "days_supply": 28,
        "channel": "retail",
        "prescriber_npi": VALID_NPI,
        "urgency": "standard",
        "criterion_number": 1,
        "clinical_notes": "Quillfeather needs loading doses.",
    }
    claim = {"ndc": KESIMPTA_NDC, "quantity": "9", "days_supply": 28, "channel": "retail"}
    new_member = {
        "member_id": new_id,
        "first_name": first_name,
        "last_name": last_name,
        "date_of_birth": "1975-03-04",
        "line_of_business": "commercial",
    }
    open_request = world.open["ZQX918"].pk
    denied = world.appeals["ZQX917"].request_id
    appeal = {"reason": "Quillfeather restarts induction.", "urgency": "standard"}
    return [
        ("/api/v1/members/", new_member, "json"),
        ("/api/v1/members/", {**new_member, "member_id": "ZQX917"}, "json"),
        ("/api/v1/members/", {**new_member, "date_of_birth": "tomorrow"}, "json"),
        ("/api/v1/claims/", {**claim, "member_id": "ZQX917"}, "json"),
        ("/api/v1/claims/", {**claim, "member_id": UNKNOWN_MEMBER_ID}, "json"),
        (f"/api/v1/claims/{world.claims['ZQX917'].pk}/reversal/", {}, "json"),
        ("/api/v1/override-requests/", {**request, "member_id": "ZQX918"}, "json"),
        ("/api/v1/override-requests/", {**request, "member_id": UNKNOWN_MEMBER_ID}, "json"),
        (f"/api/v1/override-requests/{open_request}/decision/", {"decision": "deny"}, "json"),
        (
            f"/api/v1/override-requests/{world.decided['ZQX917'].pk}/decision/",
            {"decision": "approve", "criterion_number": 1},
            "json",
        ),
        ("/requests/new/", {**request, "member_id": UNKNOWN_MEMBER_ID}, "form"),
        ("/requests/new/", {**request, "member_id": "ZQX917", "ndc": "1"}, "form"),
        (f"/requests/{world.decided['ZQX918'].pk}/approve/", {"criterion_number": 1}, "form"),
        (f"/requests/{open_request}/pend/", {"reason": ""}, "form"),
        (f"/overrides/{world.overrides['ZQX917'].pk}/revoke/", {"reason": ""}, "form"),
        (f"/api/v1/override-requests/{denied}/appeals/", appeal, "json"),
        (f"/requests/{denied}/appeals/new/", {**appeal, "urgency": "soon"}, "form"),
        (f"/appeals/{world.appeals['ZQX918'].pk}/uphold/", {"reason": ""}, "form"),
        (f"/appeals/{world.appeals['ZQX917'].pk}/overturn/", {"criterion_number": 1}, "form"),
    ]


def _server_log(method: str, path: str, status: int) -> None:
    """The access line runserver writes for this request (django.server's own call)."""
    handler = SimpleNamespace(request=None, log_date_time_string=lambda: "29/Nov/2026 12:00:00")
    WSGIRequestHandler.log_message(
        handler, '"%s" %s %s', f"{method} {path} HTTP/1.1", str(status), "0"
    )


def test_no_member_id_or_name_is_logged_by_any_url_for_any_role(
    world, clients, every_logger_at_debug, production_log, request
):
    users = {role: request.getfixturevalue(role) for role in ROLES if role != "anonymous"}
    statuses = {}
    for route in routes():
        for path in paths(route, world, users):
            for role, client in clients.items():
                status = client.get(path).status_code
                statuses[(role, "GET", path)] = status
                _server_log("GET", path, status)
            for role in ("anonymous", "pharmacist"):
                asked = f"{path}?{PHI_QUERY}"
                status = clients[role].get(asked).status_code
                statuses[(role, "GET", asked)] = status
                _server_log("GET", asked, status)
    for path, body, form in posts(world):
        for role, client in clients.items():
            if form == "json":
                response = client.post(path, body, content_type="application/json")
            else:
                response = client.post(path, body)
            statuses[(role, "POST", path)] = response.status_code
            _server_log("POST", path, response.status_code)

    assert [key for key, status in statuses.items() if status >= 500] == []
    captured = every_logger_at_debug.text + production_log.getvalue()
    assert [phi for phi in phi_strings() if phi in captured] == []
    # The walk was logged, through the production handler: refusals, one line each.
    logged = production_log.getvalue()
    assert "WARNING django.request Not Found: /members/[member]/\n" in logged
    assert "WARNING django.request Forbidden (Permission denied): /members/[member]/\n" in logged
    assert "django.server" in logged and "q=[redacted]" in logged
    refusals = [
        r for r in every_logger_at_debug.records if 400 <= getattr(r, "status_code", 0) < 500
    ]
    assert refusals and all(r.exc_info is None and r.exc_text is None for r in refusals)
    assert Member.objects.filter(member_id=NEW_MEMBER[0]).exists()  # the POSTs did their work
