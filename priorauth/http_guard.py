"""Hostile input stops at the door with a 4xx, before any view runs (docs/domain.md §7.1).

PostgreSQL refuses NUL in text ("A string literal cannot contain NUL (0x00)
characters"), so a NUL that reached a query was a server error; no other control
character belongs in an address either. This middleware guards the pages and the
API alike, which is why it lives beside urls.py and settings.py rather than in
priorauth/web/ or priorauth/api/ (it imports neither). It refuses:

- a C0 control character (U+0000 to U+001F) or DEL in the path, in a query
  parameter's name or value, or in a cookie; in a header value (a tab is allowed
  there, RFC 9110 §5.5): 400;
- in a form body (POST), a control character other than tab, line feed and carriage
  return, which a text area sends: 400 naming each field;
- an API body larger than DATA_UPLOAD_MAX_MEMORY_SIZE, or a multipart body (files) larger
  than the documents it may carry: 413 before it is read (a page's form over the limit is
  413 too); more than DATA_UPLOAD_MAX_NUMBER_FIELDS query or
  form fields, or a form body that cannot be read: 400.

Under /api/ the answer is JSON: {"detail": "..."}, or {"field": ["..."]} for a form
body. Elsewhere it is the pages' 4xx page, rendered without the request so that
neither the session nor the user is read (a hostile session cookie never reaches the
database). Messages name the parameter or field, never its value, which may be PHI.
A JSON body is the API parser's to check (priorauth/api/parsers.py), with
`forbidden_in_text` from here.

An object's ID in a path is `<id:...>` (IdConverter, registered by the app): 1 to 18
digits. Django's `int` takes any number of digits, and SQLite cannot bind one above
2**63 - 1 (OverflowError, a 500); a longer number now matches no URL, a 404.
"""

import re

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string

from priorauth.uploads import multipart_body_limit

API_PREFIX = "/api/"

# Never in an address, a query or a cookie.
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# In a header value a tab is allowed.
CONTROL_IN_HEADER = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
# In text a person typed (a form field, a JSON string) tab, LF and CR are fine. A lone
# surrogate (JSON's "\ud800") is not Unicode: it can be neither stored nor answered.
CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")

IN_PATH = "The address contains {what}, which is not accepted."
IN_QUERY = 'The query parameter "{name}" contains {what}, which is not accepted.'
IN_COOKIE = 'The cookie "{name}" contains {what}, which is not accepted.'
IN_HEADER = 'The header "{name}" contains {what}, which is not accepted.'
IN_NAME = "A {kind} name contains {what}, which is not accepted."
IN_TEXT = "Contains {what}; text may hold tabs and line breaks but no other control characters."
BODY_TOO_BIG = "The request body is larger than {limit} bytes, the most this service accepts."
TOO_MANY_FIELDS = "The request has more than {limit} fields, the most this service accepts."
UNREADABLE_FORM = "The form in the request body could not be read."
NON_FIELD = "non_field_errors"
MULTIPART = "multipart/form-data"


def describe(char: str) -> str:
    code = f"U+{ord(char):04X}"
    if "\ud800" <= char <= "\udfff":
        return f"a lone surrogate ({code}), which is not Unicode text"
    return f"a control character ({code})"


def _found(pattern: re.Pattern, text: str) -> str | None:
    match = pattern.search(text)
    return describe(match.group()) if match else None


def forbidden_in_text(text: str) -> str | None:
    """What makes `text` unacceptable as typed text ("a control character (U+0000)"), or None."""
    return _found(CONTROL_IN_TEXT, text)


class Refused(Exception):
    def __init__(self, status: int, detail: str = "", fields: dict[str, list[str]] | None = None):
        super().__init__(detail)
        self.status, self.detail, self.fields = status, detail, fields or {}


def _check_address(request) -> None:
    if what := _found(CONTROL, request.path):
        raise Refused(400, IN_PATH.format(what=what))
    named = [("query parameter", IN_QUERY, request.GET.lists())]
    named.append(("cookie", IN_COOKIE, ((k, [v]) for k, v in request.COOKIES.items())))
    for kind, message, items in named:
        for name, values in items:
            if what := _found(CONTROL, name):
                raise Refused(400, IN_NAME.format(kind=kind, what=what))
            for value in values:
                if what := _found(CONTROL, value):
                    raise Refused(400, message.format(name=name, what=what))
    for key, value in request.META.items():
        is_header = key.startswith("HTTP_") and isinstance(value, str)
        if what := is_header and _found(CONTROL_IN_HEADER, value):
            name = key[5:].replace("_", "-").title()
            raise Refused(400, IN_HEADER.format(name=name, what=what))


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _body_limit(request, is_api: bool) -> int | None:
    """The largest body read at all. One carrying files (multipart, pages and API alike) is
    bounded by the documents it may hold (priorauth/uploads.py; Django bounds only its other
    fields); any other API body by DATA_UPLOAD_MAX_MEMORY_SIZE, as a whole."""
    if request.content_type == MULTIPART:
        return multipart_body_limit()
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE if is_api else None


def _check_body(request, is_api: bool) -> None:
    limit = _body_limit(request, is_api)
    if limit is not None and _content_length(request) > limit:
        raise Refused(413, BODY_TOO_BIG.format(limit=limit))  # refused unread
    if request.method != "POST":
        return
    if is_api and request.content_type != MULTIPART:
        # Keep the raw body readable for the API (its Idempotency-Key fingerprint); files
        # stream to Django's upload handlers instead, and are fingerprinted from there.
        request.body  # noqa: B018
    # A form body only: for any other content type request.POST is empty and unread.
    fields: dict[str, list[str]] = {}
    for name, values in request.POST.lists():
        if what := forbidden_in_text(name):
            fields.setdefault(NON_FIELD, []).append(IN_NAME.format(kind="field", what=what))
            continue
        if what := next(filter(None, map(forbidden_in_text, values)), None):
            fields[name] = [IN_TEXT.format(what=what)]
    if fields:
        raise Refused(400, fields=fields)


def _refusal(request) -> Refused | None:
    is_api = request.path_info.startswith(API_PREFIX)
    try:
        _check_address(request)
        _check_body(request, is_api)
    except Refused as refused:
        return refused
    except RequestDataTooBig:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return Refused(413, BODY_TOO_BIG.format(limit=limit))
    except (TooManyFieldsSent, TooManyFilesSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        return Refused(400, TOO_MANY_FIELDS.format(limit=limit))
    except MultiPartParserError:
        return Refused(400, UNREADABLE_FORM)
    return None


def _answer(request, refused: Refused) -> HttpResponse:
    if request.path_info.startswith(API_PREFIX):
        body = refused.fields or {"detail": refused.detail}
        return JsonResponse(body, status=refused.status)
    messages = [refused.detail] if refused.detail else []
    for name, texts in refused.fields.items():
        prefix = "" if name == NON_FIELD else f'The field "{name}": '
        messages.extend(prefix + text for text in texts)
    page = render_to_string(
        "refused.html", {"messages_list": messages, "status_code": refused.status}
    )
    return HttpResponse(page, status=refused.status)


class HostileInputMiddleware:
    """Refuse control characters and oversized bodies before any view (module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refused = _refusal(request)
        if refused is not None:
            return _answer(request, refused)
        return self.get_response(request)


class IdConverter:
    """`<id:name>`: a database ID in a path, 1 to 18 digits (every one fits in 64 bits)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)
