"""POST data for the policy admin's one page: the policy form and its three inlines."""

from policies.models import Channel, Policy
from policies.ndc import format_ndc


def _management(prefix: str, total: int, initial: int) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def _day(value) -> str:
    return value.isoformat() if value else ""


def change_form_data(policy: Policy, *, reason: str = "test change", add: bool = False) -> dict:
    """What the change page posts when nothing is edited (or the add page, with `add`)."""
    data = {
        "title": policy.title,
        "category": policy.category,
        "line_of_business": policy.line_of_business,
        "effective_from": _day(policy.effective_from),
        "effective_to": _day(policy.effective_to),
        "review_date": _day(policy.review_date),
        "statement": policy.statement,
        "otherwise": policy.otherwise,
        "source": policy.source,
        "change_reason": reason,
    }
    if add:
        data["code"] = policy.code
    products = list(policy.products.prefetch_related("ndcs"))
    limits = list(policy.limits.all())
    criteria = list(policy.criteria.prefetch_related("grants"))
    for prefix, rows in (("products", products), ("limits", limits), ("criteria", criteria)):
        data.update(_management(prefix, len(rows), 0 if add else len(rows)))
    for i, product in enumerate(products):
        row = {
            "name": product.name,
            "unit": product.unit,
            "ndcs": ", ".join(format_ndc(n.ndc) for n in product.ndcs.all()),
        }
        data.update(_row("products", i, product, policy, row, add))
    for i, limit in enumerate(limits):
        row = {
            "channel": limit.channel,
            "max_quantity": str(limit.max_quantity.normalize()),
            "per_days": str(limit.per_days),
        }
        data.update(_row("limits", i, limit, policy, row, add))
    for i, criterion in enumerate(criteria):
        row = {
            "number": str(criterion.number),
            "label": criterion.label,
            "text": criterion.text,
            "note": criterion.note,
            "approval_days": str(criterion.approval_days),
        }
        if criterion.one_time:
            row["one_time"] = "on"
        grants = {g.channel: g for g in criterion.grants.all()}
        for channel in Channel.values:
            grant = grants.get(channel)
            row[f"grant_{channel}_max_quantity"] = (
                str(grant.max_quantity.normalize()) if grant else ""
            )
            row[f"grant_{channel}_per_days"] = str(grant.per_days) if grant else ""
        data.update(_row("criteria", i, criterion, policy, row, add))
    return data


def _row(prefix: str, index: int, instance, policy, values: dict, add: bool) -> dict:
    row = {f"{prefix}-{index}-{key}": value for key, value in values.items()}
    if not add:
        row[f"{prefix}-{index}-id"] = str(instance.pk)
        row[f"{prefix}-{index}-policy"] = str(policy.pk)
    return row
