"""No PHI in the application's logs: one filter on every handler (docs/domain.md §5).

`RedactPHIFilter` is attached in settings.LOGGING to the one handler every logger
reaches (Django's request, server and security loggers, Celery's, gunicorn's and the
root logger all propagate to it). It rewrites each record in place before anything
is written:

1. it formats the record (`msg % args`) and redacts the resulting text, rather than
   guessing which argument is which: Django, gunicorn and Celery each put the path in
   a different place (an argument, a request line, a dict of atoms), and the text is
   what a reader sees;
2. it recognises member data by shape, never by asking the database (one query per
   log line would cost more than the request it logs, and a log line must not fail
   when the database is down):
   - the member's segment of a member URL: after `/members/` (pages and API:
     `/api/v1/members/[member]/`) and after the admin's `/priorauth/member/`;
   - query-string values, except those of parameters known to carry no PHI (paging,
     status, urgency, policy, channel, ordering): `?q=[redacted]&status=pending`;
   - the messages of priorauth/errors.py that name a member ("No member with ID
     [member]."), each template turned into a pattern, so a new template is covered
     the day it is written;
   - `member_id=…`, `'first_name': '…'`, `"last_name": "…"` and the like in reprs,
     JSON and keyword arguments; the reprs of a member and of a request's parameters
     (`<Member: [redacted]>`, `<QueryDict: [redacted]>`); the template context Django
     dumps when a template variable is missing; the key values PostgreSQL quotes in a
     unique-violation detail; the literals and parameters of a SQL statement logged
     by `django.db.backends`;
3. the traceback (formatted here, then redacted), the stack and every extra
   attribute (`request`, `sql`, `params`) get the same treatment;
4. an expected refusal (a 4xx) is one line: its traceback is dropped.

A name written into free prose ("Opened Smith's case") has no shape to recognise;
the code never logs a member's name, and tests/logs walks every URL of the project
to prove that nothing it logs names one. If redaction itself fails, the record is
withheld rather than written as it was.
"""

import logging
import re

from priorauth import errors

MEMBER = "[member]"
REDACTED = "[redacted]"

# A member URL's ID segment: /members/<member_id>/ and /api/v1/members/<member_id>/,
# and the admin's /admin/priorauth/member/<pk>/ (where anything typed lands).
_MEMBER_PATH = re.compile(r"(?:(?<=/members/)|(?<=/priorauth/member/))(?!\[member\])[^/?#\s\"'<>]+")

# A query string in a path or URL: ?a=1&b=2 up to a space, a quote or a fragment.
_QUERY = re.compile(r"(?<=[\w/.~%-])\?([^\s\"'<>#`]+)")
# Parameters whose values are never PHI; every other value is replaced.
SAFE_QUERY_PARAMETERS = frozenset(
    {
        "page",
        "p",
        "limit",
        "offset",
        "o",
        "all",
        "format",
        "status",
        "status__exact",
        "urgency",
        "urgency__exact",
        "channel",
        "channel__exact",
        "policy",
        "mine",
        "_popup",
        "_to_field",
    }
)

# A member as Django shows it in a repr: <Member: ZQX917 Smith, Ann> (history rows too).
_MEMBER_REPR = re.compile(r"<(Historical)?Member: [^>]*>")
# A request's parameters as Django shows them: <QueryDict: {'q': ['Smith']}>.
_QUERYDICT_REPR = re.compile(r"<(QueryDict|MultiValueDict): \{.*?\}>")
# A template variable that is not there (django.template, DEBUG): Django's message
# carries the whole template context, every member on the page included.
_TEMPLATE_LOOKUP = re.compile(r"(Failed lookup for key \[[^\]]*\] in ).*")

_FIELDS = r"(?:member_id|member|first_name|last_name|full_name|date_of_birth)"
_KEY_VALUE = re.compile(
    # 'key': or "key": (a dict, JSON), or key= (keyword arguments, a query, SQL);
    # a bare key with a colon is prose ("member_id: No member with ID …").
    rf"(?P<key>(?P<kq>[\"']){_FIELDS}(?P=kq)\s*[:=]\s*|\b{_FIELDS}\s*=\s*)"
    r"(?:(?P<quote>[\"'])(?P<quoted>.*?)(?P=quote)"
    r"|(?P<bare>(?![\[{(<])[^\s,;&)\]}>\"']+))"
)

# PostgreSQL: DETAIL:  Key (member_id)=(ZQX917) already exists.
_KEY_DETAIL = re.compile(
    r"(Key \([^)]*\)=\()(?!\[redacted\]\))(.*?)(\)(?: already exists| is not present| conflicts))"
)

# SQL as django.db.backends logs it: its string literals and its parameters.
_SQL_LITERAL = re.compile(r"'(?:[^']|'')*'")
_SQL_PARAMS = re.compile(r"(args=).*?(; alias=)", re.DOTALL)


def _template_pattern(template: str) -> re.Pattern:
    """ "No member with ID {member_id}." → a pattern whose `member` groups are the IDs."""
    parts = re.split(r"(\{\w+\})", template)
    pattern = []
    for index, part in enumerate(parts):
        last = index == len(parts) - 1 or (index == len(parts) - 2 and parts[-1] == "")
        if part == "{member_id}":
            pattern.append(rf"(?P<member{index}>\S+)" if last else rf"(?P<member{index}>.+?)")
        elif part.startswith("{") and part.endswith("}"):
            pattern.append(r"\S*" if last else ".*?")
        else:
            pattern.append(re.escape(part))
    return re.compile("".join(pattern))


# Every message of the review domain that names a member, as a pattern.
_TEMPLATES = tuple(
    _template_pattern(value)
    for name, value in sorted(vars(errors).items())
    if name.isupper() and isinstance(value, str) and "{member_id}" in value
)


def _redact_template_match(match: re.Match) -> str:
    text, start = match.group(0), match.start()
    for name, value in sorted(match.groupdict().items(), key=lambda item: -match.start(item[0])):
        if name.startswith("member") and value is not None and value != MEMBER:
            begin, end = match.start(name) - start, match.end(name) - start
            text = text[:begin] + MEMBER + text[end:]
    return text


def _redact_query(match: re.Match) -> str:
    pairs = re.split(r"([&;])", match.group(1))
    for index in range(0, len(pairs), 2):
        key, equals, _value = pairs[index].partition("=")
        if key.lower() in SAFE_QUERY_PARAMETERS:
            continue
        pairs[index] = f"{key}={REDACTED}" if equals else REDACTED
    return "?" + "".join(pairs)


def _redact_key_value(match: re.Match) -> str:
    quote = match.group("quote")
    return match.group("key") + (f"{quote}{REDACTED}{quote}" if quote else REDACTED)


def redact(text: str) -> str:
    """The text with every member ID and name this module recognises replaced."""
    text = _TEMPLATE_LOOKUP.sub(r"\1[the template context]", text)
    text = _MEMBER_REPR.sub(lambda m: f"<{m.group(1) or ''}Member: {REDACTED}>", text)
    text = _QUERYDICT_REPR.sub(rf"<\1: {REDACTED}>", text)
    for template in _TEMPLATES:
        text = template.sub(_redact_template_match, text)
    text = _KEY_DETAIL.sub(rf"\1{REDACTED}\3", text)
    text = _MEMBER_PATH.sub(MEMBER, text)
    text = _QUERY.sub(_redact_query, text)
    return _KEY_VALUE.sub(_redact_key_value, text)


def redact_sql(text: str) -> str:
    """A logged SQL statement without its literals and parameters."""
    return _SQL_PARAMS.sub(rf"\1{REDACTED}\2", _SQL_LITERAL.sub(f"'{REDACTED}'", text))


# What every LogRecord has; anything else on a record is an `extra`.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "phi_redacted",
}
_PLAIN_VALUES = (int, float, bool, type(None))
_traceback_formatter = logging.Formatter()


class RedactPHIFilter(logging.Filter):
    """Rewrites a record in place without member IDs or names; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "phi_redacted", False):
            return True  # another handler's copy of this filter has done it
        try:
            self._redact(record)
        except Exception:  # a record that cannot be redacted is not written as it was
            record.msg, record.args = "[log record withheld: it could not be redacted]", ()
            record.exc_info = record.exc_text = record.stack_info = None
        record.phi_redacted = True
        return True

    def _redact(self, record: logging.LogRecord) -> None:
        clean = redact_sql if record.name.startswith("django.db.backends") else None

        def scrub(text: str) -> str:
            return redact(clean(text) if clean else text)

        record.msg, record.args = scrub(_message(record)), ()
        if "message" in vars(record):
            record.message = record.msg
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            # An expected refusal (403, 404, 405, …): one line, no traceback.
            record.exc_info = record.exc_text = None
        elif record.exc_info:
            record.exc_text = scrub(_traceback_formatter.formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        for key, value in list(vars(record).items()):
            if key in _RECORD_ATTRIBUTES or isinstance(value, _PLAIN_VALUES):
                continue
            setattr(record, key, scrub(value if isinstance(value, str) else repr(value)))


def _message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except Exception:  # arguments that do not fit the message: no telling where PHI is
        return f"{record.msg} [arguments withheld: they do not fit the message]"
