"""Exporting a policy version as a document of the file format."""

from decimal import Decimal

from policies.models import (
    Criterion,
    CriterionQuestion,
    Policy,
)


def _number(value: Decimal) -> int | float:
    """3.000 -> 3; 0.400 -> 0.4 (YAML has no decimal type; the loader reads it back exactly)."""
    normal = value.normalize()
    return int(normal) if normal == normal.to_integral_value() else float(normal)


def _question(question: CriterionQuestion) -> dict:
    document = {
        "id": question.key,
        "text": question.text,
        "type": question.type,
        "required": question.required,
        "choices": question.choices,
        "approve_when": question.approve_when,
    }
    # `required: false` is the default; empty lists are fields the type does not have.
    return {k: v for k, v in document.items() if v not in (False, [])}


def _question_set(criterion: Criterion) -> dict:
    """The criterion's questions, evidence and switch; each left out when empty or off."""
    document = {
        "questions": [_question(q) for q in criterion.questions.all()],
        "evidence": {e.clause: e.days for e in criterion.evidence.all()},
        "auto_approve": criterion.auto_approve,
    }
    return {k: v for k, v in document.items() if v}


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
                **_question_set(c),
            }
            for c in policy.criteria.prefetch_related("grants", "questions", "evidence")
        ],
        "otherwise": policy.otherwise,
    }
    return {"policy": {k: v for k, v in document.items() if v not in (None, "")}}
