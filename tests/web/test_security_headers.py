"""Cache-Control: no-store and a strict Content-Security-Policy on what the app writes;
static files keep their own caching; no template carries inline script or style (ADR 0009)."""

import re

import pytest
from django.test import Client

from priorauth import roles
from tests.support import factories
from tests.support.cast import staff_client
from tests.support.paths import ROOT

pytestmark = pytest.mark.django_db

DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def policy_of(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    directives = (part.strip().partition(" ") for part in header.split(";") if part.strip())
    return {name: value for name, _, value in directives}


def assert_private_and_strict(response):
    assert "no-store" in response["Cache-Control"]
    assert policy_of(response) == DIRECTIVES
    assert "unsafe-inline" not in response["Content-Security-Policy"]


@pytest.fixture
def signed_in_pharmacist(pharmacist):
    client = Client()
    client.force_login(pharmacist)
    return client


def test_a_page_is_not_stored_and_has_the_strict_policy(signed_in_pharmacist):
    response = signed_in_pharmacist.get("/queue/")
    assert response.status_code == 200
    assert_private_and_strict(response)


def test_the_login_page_is_not_stored_either():
    response = Client().get("/accounts/login/")
    assert response.status_code == 200
    assert_private_and_strict(response)


def test_an_api_answer_is_not_stored_and_has_the_strict_policy(as_pharmacist):
    response = as_pharmacist.get("/api/v1/overrides/")
    assert response.status_code == 200
    assert_private_and_strict(response)


def test_an_api_refusal_is_not_stored_either():
    response = Client().get("/api/v1/overrides/")
    assert response.status_code == 401
    assert "no-store" in response["Cache-Control"]


def test_the_admin_change_page_of_a_policy_is_not_stored_and_has_the_strict_policy(
    django_user_model, kesimpta
):
    client = staff_client(django_user_model, "policyadmin", roles.POLICY_ADMIN)
    response = client.get(f"/admin/policies/policy/{kesimpta.pk}/change/")
    assert response.status_code == 200
    assert_private_and_strict(response)


def test_a_static_file_keeps_its_own_cache_headers_and_is_never_no_store():
    response = Client().get("/static/priorauth/app.css")
    response.close()  # WhiteNoise streams the file
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "max-age" in response["Cache-Control"]


def test_the_swagger_page_loads_its_init_script_and_style_from_files(signed_in_pharmacist):
    page = signed_in_pharmacist.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<style" not in html
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert 'src="/api/v1/docs/?script="' in html
    assert_private_and_strict(page)

    script = signed_in_pharmacist.get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content
    assert b"validatorUrl" in script.content  # no badge loaded from elsewhere


INLINE = {
    # A JSON data block (<script type="application/json">) is data, never run: CSP allows it.
    "an inline script": re.compile(
        r"<script(?![^>]*\b(src=|type=\"application/json\"))[^>]*>", re.I
    ),
    "a style element": re.compile(r"<style[\s>]", re.I),
    "a style attribute": re.compile(r"\sstyle\s*=", re.I),
    "an event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "a javascript: URL": re.compile(r"javascript:", re.I),
}


def test_no_template_has_inline_script_style_or_handlers():
    found = [
        f"{path.relative_to(ROOT)}: {what}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for what, pattern in INLINE.items()
        if pattern.search(path.read_text())
    ]
    assert found == []


def test_the_inline_finder_finds_each_kind():
    sample = '<script>x()</script><style>a{}</style><p style="x" onclick="y">'
    sample += '<a href="javascript:z">'
    assert all(pattern.search(sample) for pattern in INLINE.values())
    assert not INLINE["an inline script"].search('<script src="/static/a.js" defer></script>')
    assert not INLINE["an inline script"].search('<script type="application/json" id="x">')


def test_the_browsable_api_and_the_admin_history_render_without_inline_style(
    django_user_model, kesimpta
):
    member = factories.member("M1")
    admin = django_user_model.objects.create_superuser("root", password="pass-root")
    client = Client()
    client.force_login(admin)
    pages = {
        "/api/v1/overrides/": client.get("/api/v1/overrides/", HTTP_ACCEPT="text/html"),
        "member history": client.get(f"/admin/priorauth/member/{member.pk}/history/"),
    }
    found = {
        name: what
        for name, page in pages.items()
        for what, pattern in INLINE.items()
        if page.status_code != 200 or pattern.search(page.content.decode())
    }
    assert found == {}
