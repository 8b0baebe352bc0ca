"""The PHI filter on records built by hand, written by a handler set up as settings say."""

import io
import logging
import sys

import pytest
from django.conf import settings
from django.test import RequestFactory

from priorauth import errors
from priorauth.logging import RedactPHIFilter

PLAIN = settings.LOGGING["formatters"]["plain"]["format"]


def _handler(buffer: io.StringIO) -> logging.Handler:
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter(PLAIN))
    handler.addFilter(RedactPHIFilter())
    return handler


def written(name, msg, *args, level=logging.WARNING, exc_info=None, **extra) -> str:
    """What the production handler writes for this record."""
    record = logging.LogRecord(name, level, __file__, 1, msg, args, exc_info)
    record.__dict__.update(extra)
    buffer = io.StringIO()
    _handler(buffer).handle(record)
    return buffer.getvalue()


def _raised(error: Exception):
    try:
        raise error
    except Exception:
        return sys.exc_info()


def test_a_403_on_a_member_url_is_one_line_without_the_member_id():
    from django.core.exceptions import PermissionDenied

    line = written(
        "django.request",
        "Forbidden (Permission denied): %s",
        "/api/v1/members/ZQX917/",
        exc_info=_raised(PermissionDenied("This needs the role Auditor.")),
        status_code=403,
    )
    assert line.endswith(
        "WARNING django.request Forbidden (Permission denied): /api/v1/members/[member]/\n"
    )
    assert line.count("\n") == 1  # no traceback


def test_a_404_on_a_member_page_hides_the_member_id():
    line = written("django.request", "Not Found: %s", "/members/ZQX917/", status_code=404)
    assert "Not Found: /members/[member]/" in line
    assert "ZQX917" not in line


def test_an_access_line_keeps_its_status_and_harmless_parameters_but_no_member_values():
    line = written(
        "django.server",
        '"%s" %s %s',
        "GET /queue/?q=Quillfeather&status=pending&member_id=ZQX917&page=2 HTTP/1.1",
        "200",
        "5120",
        level=logging.INFO,
        status_code=200,
    )
    assert '"GET /queue/?q=[redacted]&status=pending&member_id=[redacted]&page=2 HTTP/1.1"' in line
    assert line.rstrip().endswith("200 5120")


def test_a_gunicorn_access_line_with_its_atoms_is_redacted():
    atoms = {
        "h": "10.0.0.7",
        "r": "GET /api/v1/overrides/?member_id=ZQX917&limit=50 HTTP/1.1",
        "s": "200",
        "f": "https://priorauth.example.org/members/ZQX917/?member=ZQX917",
    }
    line = written("gunicorn.access", '%(h)s "%(r)s" %(s)s "%(f)s"', atoms, level=logging.INFO)
    assert "ZQX917" not in line
    assert '"GET /api/v1/overrides/?member_id=[redacted]&limit=50 HTTP/1.1" 200' in line
    assert '"https://priorauth.example.org/members/[member]/?member=[redacted]"' in line


class _AnyOther(dict):
    def __missing__(self, key):
        return "17"


MEMBER_TEMPLATES = {
    name: value
    for name, value in vars(errors).items()
    if name.isupper() and isinstance(value, str) and "{member_id}" in value
}


def test_the_error_messages_that_name_a_member_are_found():
    assert {"UNKNOWN_MEMBER", "DUPLICATE_MEMBER", "ACTIVE_OVERRIDE_EXISTS"} <= set(MEMBER_TEMPLATES)


@pytest.mark.parametrize("name", sorted(MEMBER_TEMPLATES))
def test_every_error_message_naming_a_member_is_logged_without_the_id(name):
    template = MEMBER_TEMPLATES[name]
    message = template.format_map(_AnyOther(member_id="ZQX917"))
    line = written("priorauth", "refused: %s", message)
    assert "ZQX917" not in line
    expected = template.format_map(_AnyOther(member_id="[member]"))
    assert line.rstrip().endswith(f"refused: {expected}")


def test_a_server_error_keeps_its_traceback_without_the_member_id():
    error = errors.NotFound({"member_id": errors.UNKNOWN_MEMBER.format(member_id="ZQX917")})
    text = written(
        "django.request",
        "Internal Server Error: %s",
        "/api/v1/members/ZQX917/",
        level=logging.ERROR,
        exc_info=_raised(error),
        status_code=500,
    )
    assert "Traceback (most recent call last)" in text
    assert "priorauth.errors.NotFound: member_id: No member with ID [member]." in text
    assert "ZQX917" not in text


def test_reprs_and_keyword_arguments_lose_member_ids_and_names():
    line = written(
        "celery.app.trace",
        "Task %s received: kwargs=%r, rows=%s",
        "priorauth.tasks.example",
        {"member_id": "ZQX917", "first_name": "Xanthippe", "last_name": "Quillfeather"},
        "<QuerySet [<Member: ZQX917 Quillfeather, Xanthippe>]>",
        level=logging.INFO,
    )
    assert [name for name in ("ZQX917", "Xanthippe", "Quillfeather") if name in line] == []
    assert "'member_id': '[redacted]'" in line
    assert "<QuerySet [<Member: [redacted]>]>" in line


def test_a_duplicate_key_detail_from_postgresql_loses_its_values():
    line = written(
        "django.request",
        "%s",
        'duplicate key value violates unique constraint "priorauth_member_member_id_key"\n'
        "DETAIL:  Key (member_id)=(ZQX917) already exists.",
        level=logging.ERROR,
    )
    assert "Key (member_id)=([redacted]) already exists." in line
    assert "ZQX917" not in line


def test_a_logged_sql_statement_loses_its_literals_and_parameters():
    sql = 'SELECT 1 FROM "priorauth_member" WHERE "member_id" = \'ZQX917\' LIMIT 1'
    record = logging.LogRecord(
        "django.db.backends",
        logging.DEBUG,
        __file__,
        1,
        "(%.3f) %s; args=%s; alias=%s",
        (0.001, sql, ("ZQX917",), "default"),
        None,
    )
    record.__dict__.update(sql=sql, params=("ZQX917",), alias="default", duration=0.001)
    buffer = io.StringIO()
    _handler(buffer).handle(record)
    assert "ZQX917" not in buffer.getvalue() + record.sql + str(record.params)
    assert "args=[redacted]; alias=default" in buffer.getvalue()


def test_the_request_attached_to_a_record_is_redacted_too():
    request = RequestFactory().get("/members/ZQX917/", {"q": "Quillfeather"})
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", (request.path,), None
    )
    record.request, record.status_code = request, 404
    _handler(io.StringIO()).handle(record)
    assert record.request == "<WSGIRequest: GET '/members/[member]/?q=[redacted]'>"
    assert record.status_code == 404


def test_arguments_that_do_not_fit_the_message_are_withheld_not_raised():
    line = written("priorauth", "No member with ID %s (%s)", "ZQX917")
    assert "ZQX917" not in line
    assert "No member with ID %s (%s) [arguments withheld" in line


@pytest.mark.parametrize(
    "message",
    [
        "expire_overrides: 3 override(s) expired",
        "Not Found: /api/v1/claims/17/reversal/",
        '"GET /queue/?status=pending&page=2 HTTP/1.1" 200 812',
        "Method Not Allowed (GET): /requests/5/approve/",
    ],
)
def test_a_message_naming_no_member_is_written_as_it_was(message):
    assert written("priorauth", "%s", message).rstrip().endswith(message)


def test_two_handlers_write_the_same_redacted_line():
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", ("/members/ZQX917/",), None
    )
    first, second = io.StringIO(), io.StringIO()
    _handler(first).handle(record)
    _handler(second).handle(record)
    assert first.getvalue() == second.getvalue()
    assert "/members/[member]/" in first.getvalue()
