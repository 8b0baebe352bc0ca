"""The API's JSON parser: bounded nesting, and no control characters in any string.

DRF's JSONParser hands the body to json.load, which recurses once per level: a body of
1,000 nested brackets (2 KB) raised RecursionError, a 500. This parser measures the
nesting first, without recursion, and refuses more than MAX_DEPTH levels (no input of
this API nests at all). Then every string, keys included, is checked with the rule the
pages' forms use (priorauth.http_guard.forbidden_in_text): tab, line feed and carriage
return are text; any other control character (NUL above all, which PostgreSQL cannot
store) or a lone surrogate (which cannot even be answered) is a 400 on the top-level
field that holds it. The body's size is bounded before it is read (priorauth.http_guard).
"""

import re

from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.utils import json

from priorauth.http_guard import IN_NAME, IN_TEXT, NON_FIELD, forbidden_in_text

MAX_DEPTH = 32
TOO_DEEP = f"The JSON body is nested more than {MAX_DEPTH} levels deep."

# A JSON string, escapes included (the unrolled form: no backtracking on long strings).
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")


def nesting_depth(text: str, limit: int = MAX_DEPTH) -> int:
    """How deep `text` nests arrays and objects, counting no further than limit + 1.

    Strings are dropped first (a bracket inside one is text), then only the brackets
    are walked, in a loop. Malformed JSON gets a number too; json.loads refuses it later.
    """
    brackets = _NOT_BRACKETS.sub("", _STRING.sub("", text))
    depth = deepest = 0
    for bracket in brackets:
        depth += 1 if bracket in "[{" else -1
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                break
    return deepest


def _strings(value):
    """Every string in a parsed value, keys included (its depth is bounded already)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def text_problems(data) -> dict[str, list[str]]:
    """{"field": [message]} for each top-level field whose value holds forbidden text."""
    fields = data.items() if isinstance(data, dict) else [(NON_FIELD, data)]
    problems: dict[str, list[str]] = {}
    for name, value in fields:
        if what := forbidden_in_text(name):
            problems.setdefault(NON_FIELD, []).append(IN_NAME.format(kind="field", what=what))
        elif what := next(filter(None, map(forbidden_in_text, _strings(value))), None):
            problems.setdefault(name, []).append(IN_TEXT.format(what=what))
    return problems


class JSONParser(parsers.JSONParser):
    """DRF's JSONParser with the two checks above (REST_FRAMEWORK DEFAULT_PARSER_CLASSES)."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            text = stream.read().decode(encoding)
        except UnicodeDecodeError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        if nesting_depth(text) > MAX_DEPTH:
            raise ParseError(TOO_DEEP)
        try:
            data = json.loads(text, parse_constant=json.strict_constant if self.strict else None)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        if problems := text_problems(data):
            raise ValidationError(problems)
        return data
