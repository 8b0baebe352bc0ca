"""A policy's history: who changed what, when and why, as field-level diffs.

Every policy model keeps django-simple-history rows. A change made on one screen
(the policy with its products, limits and criteria) writes rows to several of
those tables; `policy_history` puts them back together into change sets, newest
first, each with the user, the time, the reason entered and a diff per row
(`diff_against` the row's previous version).

`change_reason(...)` gives every history row written inside it the same reason,
including rows Django writes on its own (cascade deletes of NDCs and grants).
"""

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.dispatch import receiver
from simple_history.signals import pre_create_historical_record

from .models import (
    Criterion,
    CriterionEvidence,
    CriterionGrant,
    CriterionQuestion,
    Policy,
    Product,
    ProductNDC,
    QuantityLimit,
)
from .ndc import format_ndc
from .rules.determination import describe_answer

_reason: ContextVar[str | None] = ContextVar("policy_change_reason", default=None)

# Rows written within this span by the same person for the same reason are one change.
SAME_CHANGE_WITHIN = timedelta(seconds=5)
HIDDEN_FIELDS = {"updated_at"}


@contextmanager
def change_reason(reason: str) -> Iterator[None]:
    token = _reason.set(reason)
    try:
        yield
    finally:
        _reason.reset(token)


@receiver(pre_create_historical_record)
def _record_reason(sender, history_instance, **kwargs) -> None:
    reason = _reason.get()
    if reason and not history_instance.history_change_reason:
        history_instance.history_change_reason = reason


# --- Reading ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass
class RowChange:
    what: str  # "Limit (retail)", "Criterion 1", "NDC 00078-1007-68 of Kesimpta pen"
    action: str  # added | changed | removed
    fields: list[FieldChange] = field(default_factory=list)


@dataclass
class ChangeSet:
    at: datetime
    user: str
    reason: str
    rows: list[RowChange] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return "; ".join(f"{row.what} {row.action}" for row in self.rows)


def _text(model, name: str, value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, list):  # a question's choices or approving answers
        return "; ".join(describe_answer(item) for item in value) or "—"
    if name == "ndc":
        return format_ndc(value)
    field_ = model._meta.get_field(name)
    if field_.choices:
        return str(dict(field_.flatchoices).get(value, value))
    return str(value)


# The words of the file format and the admin, where the column's name says less.
FIELD_LABELS = {
    (CriterionQuestion, "key"): "id",
    (CriterionQuestion, "approve_when"): "approving answers",
    (CriterionEvidence, "days"): "look-back in days",
}


def _label(model, name: str) -> str:
    return FIELD_LABELS.get((model, name)) or str(model._meta.get_field(name).verbose_name)


def _shown_fields(model) -> list[str]:
    return [
        f.name
        for f in model._meta.fields
        if f.name not in HIDDEN_FIELDS and not f.primary_key and not f.is_relation
    ]


def _row_changes(model, records: list, describe) -> list[tuple]:
    """(record, RowChange) for each history row of one model, diffed against its predecessor."""
    by_object = defaultdict(list)
    for record in records:
        by_object[record.id].append(record)
    result = []
    for versions in by_object.values():
        versions.sort(key=lambda r: (r.history_date, r.history_id))
        previous = None
        for record in versions:
            what = describe(record)
            if record.history_type == "+":
                fields = [
                    FieldChange(_label(model, n), "", _text(model, n, getattr(record, n)))
                    for n in _shown_fields(model)
                ]
                result.append((record, RowChange(what, "added", fields)))
            elif record.history_type == "-":
                result.append((record, RowChange(what, "removed")))
            elif previous is not None:
                delta = record.diff_against(previous, excluded_fields=HIDDEN_FIELDS)
                fields = [
                    FieldChange(
                        _label(model, c.field),
                        _text(model, c.field, c.old),
                        _text(model, c.field, c.new),
                    )
                    for c in delta.changes
                    if not model._meta.get_field(c.field).is_relation
                ]
                if fields:  # a save that changed nothing is not a change
                    result.append((record, RowChange(what, "changed", fields)))
            previous = record
    return result


def _rows(history) -> list:
    return list(history.select_related("history_user"))


def policy_history(policy: Policy) -> list[ChangeSet]:
    """Every recorded change to the policy version and its rows, newest first."""
    products = _rows(Product.history.filter(policy_id=policy.pk))
    product_names = {p.id: p.name for p in sorted(products, key=lambda p: p.history_date)}
    criteria = _rows(Criterion.history.filter(policy_id=policy.pk))
    criterion_numbers = {c.id: c.number for c in sorted(criteria, key=lambda c: c.history_date)}
    sources = [
        (Policy, _rows(Policy.history.filter(id=policy.pk)), lambda r: "Policy"),
        (Product, products, lambda r: f"Product {r.name}"),
        (
            ProductNDC,
            _rows(ProductNDC.history.filter(product_id__in=product_names)),
            lambda r: f"NDC {format_ndc(r.ndc)} of {product_names.get(r.product_id, 'a product')}",
        ),
        (
            QuantityLimit,
            _rows(QuantityLimit.history.filter(policy_id=policy.pk)),
            lambda r: f"Limit ({r.get_channel_display()})",
        ),
        (Criterion, criteria, lambda r: f"Criterion {r.number}"),
        (
            CriterionGrant,
            _rows(CriterionGrant.history.filter(criterion_id__in=criterion_numbers)),
            lambda r: (
                f"Criterion {criterion_numbers.get(r.criterion_id, '?')} grant "
                f"({r.get_channel_display()})"
            ),
        ),
        (
            CriterionQuestion,
            _rows(CriterionQuestion.history.filter(criterion_id__in=criterion_numbers)),
            lambda r: f"Criterion {criterion_numbers.get(r.criterion_id, '?')} question {r.key}",
        ),
        (
            CriterionEvidence,
            _rows(CriterionEvidence.history.filter(criterion_id__in=criterion_numbers)),
            lambda r: f"Criterion {criterion_numbers.get(r.criterion_id, '?')} evidence {r.clause}",
        ),
    ]
    changes = []
    for model, records, describe in sources:
        changes.extend(_row_changes(model, records, describe))
    changes.sort(key=lambda pair: (pair[0].history_date, pair[0].history_id))
    return _group(changes)


def _group(changes: list[tuple]) -> list[ChangeSet]:
    sets: list[ChangeSet] = []
    last = None
    for record, row in changes:
        user = record.history_user.get_username() if record.history_user_id else "system"
        reason = record.history_change_reason or ""
        if (
            last is not None
            and sets[-1].user == user
            and sets[-1].reason == reason
            and record.history_date - last <= SAME_CHANGE_WITHIN
        ):
            sets[-1].rows.append(row)
        else:
            sets.append(ChangeSet(at=record.history_date, user=user, reason=reason, rows=[row]))
        last = record.history_date
    sets.reverse()
    return sets
