"""Wrong or unknown API tokens are counted per client address; past the limit, 429 (ADR 0009)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from rest_framework import authentication as drf_authentication
from rest_framework.authtoken.models import Token
from rest_framework.request import Request
from rest_framework.test import APIClient

from priorauth.api.authentication import TokenAuthentication

pytestmark = pytest.mark.django_db

OVERRIDES = "/api/v1/overrides/"
START = datetime(2026, 6, 1, 14, 0, tzinfo=UTC)
LIMIT = 10  # PRIORAUTH_TOKEN_FAILURE_LIMIT's default


def call(token: str | None, address: str, header: str | None = None):
    client = APIClient()
    if header is not None:
        client.credentials(HTTP_AUTHORIZATION=header)
    elif token is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get(OVERRIDES, REMOTE_ADDR=address)


def good_token(user) -> str:
    return Token.objects.get_or_create(user=user)[0].key


def wrong_tokens(count: int, address: str = "10.1.1.1"):
    return [call(f"wrong{n:036d}", address) for n in range(count)]


def test_ten_wrong_tokens_are_refused_as_unauthenticated_and_the_eleventh_is_throttled():
    answers = wrong_tokens(LIMIT + 1)
    assert [a.status_code for a in answers[:LIMIT]] == [401] * LIMIT
    throttled = answers[LIMIT]
    assert throttled.status_code == 429
    assert throttled["Content-Type"] == "application/json"
    assert throttled.json()["detail"].startswith(
        "Too many failed authentications from this address. Try again in "
    )
    assert 0 < int(throttled["Retry-After"]) <= 15 * 60


def test_a_good_token_from_another_address_still_works(pharmacist):
    wrong_tokens(LIMIT + 1, address="10.1.1.1")
    assert call(good_token(pharmacist), "10.1.1.2").status_code == 200


def test_a_good_token_from_the_throttled_address_waits_until_the_window_has_passed(pharmacist):
    with time_machine.travel(START, tick=False) as traveller:
        wrong_tokens(LIMIT)
        traveller.shift(timedelta(minutes=14))
        refused = call(good_token(pharmacist), "10.1.1.1")
        assert refused.status_code == 429
        assert int(refused["Retry-After"]) == 60
        traveller.shift(timedelta(minutes=1))
        assert call(good_token(pharmacist), "10.1.1.1").status_code == 200


def test_malformed_token_headers_count_as_failures():
    headers = ["Token", "Token two parts", "Token \u00e9t\u00e9"] * 4
    answers = [call(None, "10.1.1.3", header=h) for h in headers[:LIMIT]]
    assert {a.status_code for a in answers} == {401}
    assert call("anything", "10.1.1.3").status_code == 429


def test_requests_without_a_token_are_not_counted():
    answers = [call(None, "10.1.1.4") for _ in range(LIMIT * 2)]
    assert {a.status_code for a in answers} == {401}


def test_behind_a_proxy_the_forwarded_address_is_counted(settings, pharmacist):
    settings.PRIORAUTH_PROXY_COUNT = 1
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token wrong")
    for _ in range(LIMIT):
        client.get(OVERRIDES, REMOTE_ADDR="10.0.0.254", HTTP_X_FORWARDED_FOR="203.0.113.9")
    blocked = client.get(OVERRIDES, REMOTE_ADDR="10.0.0.254", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert blocked.status_code == 429
    # Another client behind the same proxy is a different address.
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {good_token(pharmacist)}")
    answer = other.get(OVERRIDES, REMOTE_ADDR="10.0.0.254", HTTP_X_FORWARDED_FOR="203.0.113.10")
    assert answer.status_code == 200


def authenticate_with(auth_class, key: str):
    django_request = RequestFactory().get(OVERRIDES, HTTP_AUTHORIZATION=f"Token {key}")
    with CaptureQueriesContext(connection) as queries:
        user, _ = auth_class().authenticate(Request(django_request))
    return user, [q["sql"] for q in queries.captured_queries]


def test_a_good_token_costs_the_same_single_query_as_with_drfs_own_check(pharmacist):
    key = good_token(pharmacist)
    ours = authenticate_with(TokenAuthentication, key)
    drfs = authenticate_with(drf_authentication.TokenAuthentication, key)
    assert ours[0] == drfs[0] == pharmacist
    assert len(ours[1]) == len(drfs[1]) == 1, ours[1]
