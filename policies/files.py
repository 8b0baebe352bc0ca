"""The policy file format (DESIGN §1): read, validate, load idempotently, export.

A file is YAML (or the same structure in JSON). Validation collects every
problem with the path of the field that has it ("policy.limits[1].channel:
…"), and loading happens in one transaction, so a bad file changes nothing.
Loading an unchanged file writes nothing, so history only shows real changes.
"""

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils import timezone

from . import validation
from .history import change_reason
from .models import (
    Channel,
    Criterion,
    CriterionGrant,
    LineOfBusiness,
    Policy,
    Product,
    ProductNDC,
    QuantityLimit,
)
from .ndc import format_ndc, normalize_ndc

DEFAULT_ONE_TIME_DAYS = 30


class PolicyFileError(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class LoadResult:
    policy: Policy
    created: bool
    changes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.created or bool(self.changes)


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


# --- Loading ----------------------------------------------------------------------


def _assign(instance, values: dict, changes: list[str], label: str) -> bool:
    """Set the fields that differ; record them; say whether anything changed."""
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, values[name])
    changes.extend(f"{label}.{name}" for name in changed)
    return bool(changed)


def _save(instance, reason: str, update_fields=None) -> None:
    instance._change_reason = reason
    instance.save(update_fields=update_fields)


def load_policy_document(clean: dict, *, reason: str, new_only: bool = False) -> LoadResult:
    """Create or update the policy version (code, effective_from) to match `clean`.

    The rules that need the database (versions of one policy must not overlap, an NDC
    belongs to one policy at a time, ended versions stay as they were) are checked in the
    same transaction as the writes, so a refused document changes nothing. With
    `new_only`, an existing version is left untouched (reported as unchanged).
    """
    with transaction.atomic(), change_reason(reason):
        policy_fields = {
            key: clean[key]
            for key in (
                "title",
                "category",
                "line_of_business",
                "review_date",
                "effective_to",
                "statement",
                "source",
                "otherwise",
            )
        }
        policy = (
            Policy.objects.select_for_update()
            .filter(code=clean["code"], effective_from=clean["effective_from"])
            .first()
        )
        if policy is not None and new_only:
            return LoadResult(policy=policy, created=False)
        problems = database_problems(clean, existing=policy)
        if problems:
            raise PolicyFileError(problems)
        created = policy is None
        changes: list[str] = []
        ended_on = None if created else policy.effective_to
        if created:
            policy = Policy(
                code=clean["code"], effective_from=clean["effective_from"], **policy_fields
            )
            _save(policy, reason)
        elif _assign(policy, policy_fields, changes, "policy"):
            _save(policy, reason)
        _sync_products(policy, clean["products"], changes, reason)
        _sync_channel_rows(
            policy.limits,
            {"policy": policy},
            QuantityLimit,
            clean["limits"],
            changes,
            "limits",
            reason,
        )
        _sync_criteria(policy, clean["criteria"], changes, reason)
        if changes and ended_on is not None and ended_on < timezone.localdate():
            # Rolls the whole load back: what claims were judged against stays as it was.
            raise PolicyFileError(
                [
                    "policy: "
                    + validation.ENDED_VERSION_READ_ONLY.format(
                        code=policy.code,
                        effective_from=policy.effective_from,
                        effective_to=ended_on,
                    )
                ]
            )
    return LoadResult(policy=policy, created=created, changes=changes)


def database_problems(clean: dict, *, existing: Policy | None) -> list[str]:
    """The document's problems that only the database can tell, with their field paths."""
    problems = [
        f"policy.effective_from: {message}"
        for message in validation.version_overlaps(
            code=clean["code"],
            effective_from=clean["effective_from"],
            effective_to=clean["effective_to"],
            exclude_pk=existing.pk if existing else None,
        )
    ]
    conflicts = validation.ndc_conflicts(
        ndcs=[ndc for product in clean["products"] for ndc in product["ndcs"]],
        code=clean["code"],
        line_of_business=clean["line_of_business"],
        effective_from=clean["effective_from"],
        effective_to=clean["effective_to"],
    )
    for index, product in enumerate(clean["products"]):
        for ndc_index, ndc in enumerate(product["ndcs"]):
            if ndc in conflicts:
                problems.append(f"policy.products[{index}].ndcs[{ndc_index}]: {conflicts[ndc]}")
    return problems


def _sync_products(policy: Policy, products: list[dict], changes: list[str], reason: str) -> None:
    existing = {p.name: p for p in policy.products.prefetch_related("ndcs")}
    for row in products:
        product = existing.pop(row["name"], None)
        label = f"products[{row['name']}]"
        if product is None:
            product = Product(policy=policy, name=row["name"], unit=row["unit"])
            _save(product, reason)
            changes.append(f"{label} added")
        elif _assign(product, {"unit": row["unit"]}, changes, label):
            _save(product, reason)
        current = {n.ndc: n for n in product.ndcs.all()}
        for ndc in row["ndcs"]:
            if current.pop(ndc, None) is None:
                _save(ProductNDC(product=product, ndc=ndc), reason)
                changes.append(f"{label}.ndcs {ndc} added")
        for ndc, gone in current.items():
            gone._change_reason = reason
            gone.delete()
            changes.append(f"{label}.ndcs {ndc} removed")
    for name, gone in existing.items():
        gone._change_reason = reason
        gone.delete()
        changes.append(f"products[{name}] removed")


def _sync_channel_rows(manager, parent: dict, model, rows: list[dict], changes, label, reason):
    existing = {row.channel: row for row in manager.all()}
    for row in rows:
        values = {"max_quantity": row["max_quantity"], "per_days": row["per_days"]}
        current = existing.pop(row["channel"], None)
        if current is None:
            _save(model(channel=row["channel"], **parent, **values), reason)
            changes.append(f"{label}[{row['channel']}] added")
        elif _assign(current, values, changes, f"{label}[{row['channel']}]"):
            _save(current, reason)
    for channel, gone in existing.items():
        gone._change_reason = reason
        gone.delete()
        changes.append(f"{label}[{channel}] removed")


def _sync_criteria(policy: Policy, criteria: list[dict], changes: list[str], reason: str) -> None:
    existing = {c.number: c for c in policy.criteria.all()}
    for row in criteria:
        values = {k: row[k] for k in ("label", "text", "note", "one_time", "approval_days")}
        criterion = existing.pop(row["number"], None)
        label = f"criteria[{row['number']}]"
        if criterion is None:
            criterion = Criterion(policy=policy, number=row["number"], **values)
            _save(criterion, reason)
            changes.append(f"{label} added")
        elif _assign(criterion, values, changes, label):
            _save(criterion, reason)
        _sync_channel_rows(
            criterion.grants,
            {"criterion": criterion},
            CriterionGrant,
            row["grants"],
            changes,
            f"{label}.grants",
            reason,
        )
    for number, gone in existing.items():
        gone._change_reason = reason
        gone.delete()
        changes.append(f"criteria[{number}] removed")


def load_policy_file(path: str | Path, *, new_only: bool = False) -> LoadResult:
    clean = read_policy_file(path)
    return load_policy_document(clean, reason=f"loaded from {Path(path).name}", new_only=new_only)


# --- Exporting --------------------------------------------------------------------


def _number(value: Decimal) -> int | float:
    """3.000 -> 3; 0.400 -> 0.4 (YAML has no decimal type; the loader reads it back exactly)."""
    normal = value.normalize()
    return int(normal) if normal == normal.to_integral_value() else float(normal)


def export_policy(policy: Policy) -> dict:
    """The file-format document for one policy version; load(export(p)) changes nothing."""
    document = {
        "code": policy.code,
        "title": policy.title,
        "category": policy.category,
        "line_of_business": policy.line_of_business,
        "review_date": policy.review_date,
        "effective_from": policy.effective_from,
        "effective_to": policy.effective_to,
        "statement": policy.statement,
        "source": policy.source,
        "products": [
            {"name": p.name, "ndcs": [n.ndc for n in p.ndcs.all()], "unit": p.unit}
            for p in policy.products.prefetch_related("ndcs")
        ],
        "limits": [
            {
                "channel": lim.channel,
                "max_quantity": _number(lim.max_quantity),
                "per_days": lim.per_days,
            }
            for lim in policy.limits.all()
        ],
        "criteria": [
            {
                "number": c.number,
                "label": c.label,
                "text": c.text,
                "note": c.note,
                "one_time": c.one_time,
                "approval_days": c.approval_days,
                "grants": [
                    {
                        "channel": g.channel,
                        "max_quantity": _number(g.max_quantity),
                        "per_days": g.per_days,
                    }
                    for g in c.grants.all()
                ],
            }
            for c in policy.criteria.prefetch_related("grants")
        ],
        "otherwise": policy.otherwise,
    }
    return {"policy": {k: v for k, v in document.items() if v not in (None, "")}}
