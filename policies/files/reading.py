"""Reading a policy file and checking it: every problem, with the path of its field."""

import json
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from policies import validation
from policies.choices import Channel, LineOfBusiness
from policies.models import (
    Policy,
)
from policies.ndc import format_ndc, normalize_ndc
from priorauth.errors import ServiceError
from priorauth.http_guard import forbidden_in_text

DEFAULT_ONE_TIME_DAYS = 30


class PolicyFileError(ServiceError):
    """A policy file that cannot be loaded, with every problem and the path of its field.

    A ServiceError like every other refusal (400); its messages are "policy.limits[1].
    channel: …" lines, kept in order, under the field "file".
    """

    def __init__(self, problems: list[str]):
        super().__init__({"file": list(problems)})

    @property
    def problems(self) -> list[str]:
        return self.errors["file"]

    def not_loaded_message(self, name: str) -> str:
        """The same words on the command line and on the admin's upload page."""
        listed = "\n  ".join(self.problems)
        return f"{name} was not loaded:\n  {listed}"


# --- Reading and validating -------------------------------------------------------


def read_policy_file(path: str | Path) -> dict:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyFileError([f"{path}: cannot be read ({exc.strerror})."]) from None
    return parse_policy_text(text, name=path.name)


class _Loader(yaml.SafeLoader):
    """Safe YAML that leaves dates as text, so a bad date gets our message, not a crash."""


_Loader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def parse_policy_text(text: str, *, name: str = "policy file") -> dict:
    try:
        document = json.loads(text) if name.endswith(".json") else yaml.load(text, Loader=_Loader)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise PolicyFileError([f"{name}: not valid YAML/JSON ({exc})."]) from None
    return validate_policy_document(document)


class _Checker:
    """Collects problems with their field paths while reading a document."""

    def __init__(self):
        self.problems: list[str] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def mapping(self, value: Any, where: str) -> dict:
        if not isinstance(value, dict):
            self.fail(where, "must be a mapping of fields.")
            return {}
        return value

    def items(self, parent: dict, key: str, where: str, *, required: bool = True) -> list:
        value = parent.get(key)
        if value is None:
            if required:
                self.fail(f"{where}.{key}", "is required (a list with at least one item).")
            return []
        if not isinstance(value, list) or (required and not value):
            self.fail(f"{where}.{key}", "must be a list with at least one item.")
            return []
        return value

    def text(self, parent: dict, key: str, where: str, *, required=True, max_length=None) -> str:
        value = parent.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(f"{where}.{key}", "is required.")
            return ""
        if not isinstance(value, str):
            self.fail(f"{where}.{key}", f"must be text, not {value!r}.")
            return ""
        if max_length and len(value) > max_length:
            self.fail(f"{where}.{key}", f"must be at most {max_length} characters.")
        problem = forbidden_in_text(value)  # PostgreSQL cannot store a NUL, for one
        if problem:
            self.fail(f"{where}.{key}", f"contains {problem}; remove it.")
            return ""
        return value.strip()

    def choice(self, parent: dict, key: str, where: str, choices) -> str:
        value = parent.get(key)
        allowed = [c.value for c in choices]
        if value not in allowed:
            self.fail(f"{where}.{key}", f"{value!r} is not one of {', '.join(allowed)}.")
            return ""
        return value

    def day(self, parent: dict, key: str, where: str, *, required=True) -> date | None:
        value = parent.get(key)
        if value is None:
            if required:
                self.fail(f"{where}.{key}", "is required (a date, YYYY-MM-DD).")
            return None
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{where}.{key}", f"{value!r} is not a date (YYYY-MM-DD).")
            return None

    def positive_int(self, parent: dict, key: str, where: str, *, default=None) -> int:
        value = parent.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            self.fail(f"{where}.{key}", f"must be a whole number greater than 0, not {value!r}.")
            return 0
        return value

    def positive_quantity(self, parent: dict, key: str, where: str) -> Decimal:
        value = parent.get(key)
        try:
            if isinstance(value, bool) or value is None:
                raise InvalidOperation
            quantity = Decimal(str(value))
        except InvalidOperation:
            quantity = None
        if quantity is None or not quantity.is_finite() or quantity <= 0:
            self.fail(f"{where}.{key}", f"must be a number greater than 0, not {value!r}.")
            return Decimal(0)
        if quantity != quantity.quantize(Decimal("0.001")):
            self.fail(f"{where}.{key}", "has more than 3 decimal places.")
        return quantity

    def flag(self, parent: dict, key: str, where: str) -> bool:
        value = parent.get(key, False)
        if not isinstance(value, bool):
            self.fail(f"{where}.{key}", f"must be true or false, not {value!r}.")
            return False
        return value


def _channel_quantities(checker: _Checker, rows: list, where: str) -> list[dict]:
    result, seen = [], set()
    for index, raw in enumerate(rows):
        at = f"{where}[{index}]"
        row = checker.mapping(raw, at)
        channel = checker.choice(row, "channel", at, Channel)
        if channel and channel in seen:
            checker.fail(f"{at}.channel", f"{channel} is listed twice.")
        seen.add(channel)
        result.append(
            {
                "channel": channel,
                "max_quantity": checker.positive_quantity(row, "max_quantity", at),
                "per_days": checker.positive_int(row, "per_days", at),
            }
        )
    return result


def _products(checker: _Checker, policy: dict) -> list[dict]:
    products, names, seen_ndcs = [], set(), set()
    for index, raw in enumerate(checker.items(policy, "products", "policy")):
        at = f"policy.products[{index}]"
        row = checker.mapping(raw, at)
        name = checker.text(row, "name", at, max_length=200)
        if name in names:
            checker.fail(f"{at}.name", f"{name!r} is listed twice.")
        names.add(name)
        ndcs = []
        for ndc_index, ndc in enumerate(checker.items(row, "ndcs", at)):
            try:
                ndc = normalize_ndc(str(ndc))
            except ValueError as exc:
                checker.fail(f"{at}.ndcs[{ndc_index}]", str(exc))
                continue
            if ndc in seen_ndcs:
                checker.fail(
                    f"{at}.ndcs[{ndc_index}]",
                    validation.NDC_LISTED_TWICE.format(ndc=format_ndc(ndc)),
                )
            seen_ndcs.add(ndc)
            ndcs.append(ndc)
        products.append(
            {"name": name, "unit": checker.text(row, "unit", at, max_length=30), "ndcs": ndcs}
        )
    return products


def _criteria(checker: _Checker, policy: dict, limits: dict[str, tuple]) -> list[dict]:
    criteria, numbers = [], set()
    for index, raw in enumerate(checker.items(policy, "criteria", "policy", required=False)):
        at = f"policy.criteria[{index}]"
        row = checker.mapping(raw, at)
        number = checker.positive_int(row, "number", at)
        if number in numbers:
            checker.fail(f"{at}.number", f"criterion {number} is listed twice.")
        numbers.add(number)
        one_time = checker.flag(row, "one_time", at)
        grants = _channel_quantities(checker, checker.items(row, "grants", at), f"{at}.grants")
        for grant_index, grant in enumerate(grants):
            if not (grant["channel"] and grant["max_quantity"] and grant["per_days"]):
                continue  # already reported
            problem = validation.grant_problem(limits=limits, **grant)
            if problem:
                field_name = "channel" if grant["channel"] not in limits else "max_quantity"
                checker.fail(f"{at}.grants[{grant_index}].{field_name}", problem)
        criteria.append(
            {
                "number": number,
                "label": checker.text(row, "label", at, max_length=200),
                "text": checker.text(row, "text", at),
                "note": checker.text(row, "note", at, required=False),
                "one_time": one_time,
                "approval_days": checker.positive_int(
                    row, "approval_days", at, default=DEFAULT_ONE_TIME_DAYS if one_time else None
                ),
                "grants": grants,
            }
        )
    return criteria


def validate_policy_document(document: Any) -> dict:
    """Check a parsed document: its clean values, or PolicyFileError listing every problem."""
    checker = _Checker()
    root = checker.mapping(document, "file")
    policy = checker.mapping(root.get("policy"), "policy")
    clean = {
        "code": checker.text(policy, "code", "policy", max_length=80),
        "title": checker.text(policy, "title", "policy", max_length=300),
        "category": checker.text(policy, "category", "policy", required=False, max_length=120),
        "line_of_business": checker.choice(policy, "line_of_business", "policy", LineOfBusiness),
        "review_date": checker.day(policy, "review_date", "policy", required=False),
        "effective_from": checker.day(policy, "effective_from", "policy"),
        "effective_to": checker.day(policy, "effective_to", "policy", required=False),
        "statement": checker.text(policy, "statement", "policy", required=False),
        "source": checker.text(policy, "source", "policy", required=False),
        "otherwise": checker.text(policy, "otherwise", "policy", required=False)
        or Policy._meta.get_field("otherwise").default,
    }
    if clean["code"] and not all(c.isalnum() or c in "-_" for c in clean["code"]):
        checker.fail("policy.code", "use only letters, digits, hyphens and underscores.")
    problem = validation.dates_problem(clean["effective_from"], clean["effective_to"])
    if problem:
        checker.fail("policy.effective_to", problem)
    clean["products"] = _products(checker, policy)
    clean["limits"] = _channel_quantities(
        checker, checker.items(policy, "limits", "policy"), "policy.limits"
    )
    limits = {
        lim["channel"]: (lim["max_quantity"], lim["per_days"])
        for lim in clean["limits"]
        if lim["channel"] and lim["max_quantity"] and lim["per_days"]
    }
    clean["criteria"] = _criteria(checker, policy, limits)
    if checker.problems:
        raise PolicyFileError(checker.problems)
    return clean
