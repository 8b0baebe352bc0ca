"""Reading a policy file and checking it: every problem, with the path of its field."""

import json
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

from .checker import Checker
from .questions import read_question_set

DEFAULT_ONE_TIME_DAYS = 30

# The fields of each part of a document; any other is refused with its path.
FILE_FIELDS = ("policy",)
POLICY_FIELDS = (
    "code",
    "title",
    "category",
    "line_of_business",
    "review_date",
    "effective_from",
    "effective_to",
    "statement",
    "source",
    "products",
    "limits",
    "criteria",
    "otherwise",
)
PRODUCT_FIELDS = ("name", "ndcs", "unit")
QUANTITY_FIELDS = ("channel", "max_quantity", "per_days")  # a limit or a grant
CRITERION_FIELDS = (
    "number",
    "label",
    "text",
    "note",
    "one_time",
    "approval_days",
    "grants",
    "questions",
    "evidence",
    "auto_approve",
)


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


def _channel_quantities(checker: Checker, rows: list, where: str, what: str) -> list[dict]:
    result, seen = [], set()
    for index, raw in enumerate(rows):
        at = f"{where}[{index}]"
        row = checker.mapping(raw, at)
        checker.known_fields(row, at, QUANTITY_FIELDS, what)
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


def _products(checker: Checker, policy: dict) -> list[dict]:
    products, names, seen_ndcs = [], set(), set()
    for index, raw in enumerate(checker.items(policy, "products", "policy")):
        at = f"policy.products[{index}]"
        row = checker.mapping(raw, at)
        checker.known_fields(row, at, PRODUCT_FIELDS, "a product")
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


def _criteria(checker: Checker, policy: dict, limits: dict[str, tuple]) -> list[dict]:
    criteria, numbers = [], set()
    for index, raw in enumerate(checker.items(policy, "criteria", "policy", required=False)):
        at = f"policy.criteria[{index}]"
        row = checker.mapping(raw, at)
        checker.known_fields(row, at, CRITERION_FIELDS, "a criterion")
        number = checker.positive_int(row, "number", at)
        if number in numbers:
            checker.fail(f"{at}.number", f"criterion {number} is listed twice.")
        numbers.add(number)
        one_time = checker.flag(row, "one_time", at)
        grants = _channel_quantities(
            checker, checker.items(row, "grants", at), f"{at}.grants", "a grant"
        )
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
                **read_question_set(checker, row, at),
            }
        )
    return criteria


def validate_policy_document(document: Any) -> dict:
    """Check a parsed document: its clean values, or PolicyFileError listing every problem."""
    checker = Checker()
    root = checker.mapping(document, "file")
    checker.known_fields(root, "", FILE_FIELDS, "a policy file")
    policy = checker.mapping(root.get("policy"), "policy")
    checker.known_fields(policy, "policy", POLICY_FIELDS, "a policy")
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
        checker, checker.items(policy, "limits", "policy"), "policy.limits", "a limit"
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
