"""Loading a checked policy document: create or update one version, idempotently."""

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from policies import selectors, validation
from policies.history import change_reason
from policies.models import (
    Criterion,
    CriterionEvidence,
    CriterionGrant,
    CriterionQuestion,
    Policy,
    Product,
    ProductNDC,
    QuantityLimit,
)

from .reading import PolicyFileError, read_policy_file


@dataclass
class LoadResult:
    policy: Policy
    created: bool
    changes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.created or bool(self.changes)


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
        for message in selectors.version_overlaps(
            code=clean["code"],
            effective_from=clean["effective_from"],
            effective_to=clean["effective_to"],
            exclude_pk=existing.pk if existing else None,
        )
    ]
    conflicts = selectors.ndc_conflicts(
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
        values = {
            k: row[k]
            for k in ("label", "text", "note", "one_time", "approval_days", "auto_approve")
        }
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
        _sync_questions(criterion, row["questions"], changes, f"{label}.questions", reason)
        _sync_evidence(criterion, row["evidence"], changes, f"{label}.evidence", reason)
    for number, gone in existing.items():
        gone._change_reason = reason
        gone.delete()
        changes.append(f"criteria[{number}] removed")


def _sync_questions(criterion: Criterion, questions: list[dict], changes, label, reason) -> None:
    """Questions are matched by id; their position is their place in the file (1 first)."""
    existing = {q.key: q for q in criterion.questions.all()}
    for position, row in enumerate(questions, start=1):
        values = {
            "position": position,
            **{k: row[k] for k in ("text", "type", "required", "choices", "approve_when")},
        }
        current = existing.pop(row["id"], None)
        if current is None:
            _save(CriterionQuestion(criterion=criterion, key=row["id"], **values), reason)
            changes.append(f"{label}[{row['id']}] added")
        elif _assign(current, values, changes, f"{label}[{row['id']}]"):
            _save(current, reason)
    _remove(existing, changes, label, reason)


def _sync_evidence(criterion: Criterion, evidence: dict[str, int], changes, label, reason):
    """Evidence clauses are matched by name."""
    existing = {e.clause: e for e in criterion.evidence.all()}
    for clause, days in evidence.items():
        current = existing.pop(clause, None)
        if current is None:
            _save(CriterionEvidence(criterion=criterion, clause=clause, days=days), reason)
            changes.append(f"{label}[{clause}] added")
        elif _assign(current, {"days": days}, changes, f"{label}[{clause}]"):
            _save(current, reason)
    _remove(existing, changes, label, reason)


def _remove(rows: dict, changes: list[str], label: str, reason: str) -> None:
    for name, gone in rows.items():
        gone._change_reason = reason
        gone.delete()
        changes.append(f"{label}[{name}] removed")


def load_policy_file(path: str | Path, *, new_only: bool = False) -> LoadResult:
    clean = read_policy_file(path)
    return load_policy_document(clean, reason=f"loaded from {Path(path).name}", new_only=new_only)
