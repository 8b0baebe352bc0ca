"""POST data for the policy admin's pages: the policy with its three inlines, and a
criterion's question-set page with its two."""

from policies.models import Channel, Policy
from policies.ndc import format_ndc
from policies.rules.determination import describe_answer


def _management(prefix: str, total: int, initial: int) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def _day(value) -> str:
    return value.isoformat() if value else ""


WITHOUT_REPLAY = "the test edits the rule in force"


def change_form_data(
    policy: Policy,
    *,
    reason: str = "test change",
    add: bool = False,
    without_replay: str | None = WITHOUT_REPLAY,
) -> dict:
    """What the change page posts when nothing is edited (or the add page, with `add`).

    `without_replay`: the admin's reason for making a changed rule effective today without
    a replay (ADR 0021), ticked unless None; the tests of the gate post None."""
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
    if without_replay is not None:
        data.update(effective_without_replay="on", without_replay_reason=without_replay)
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


def question_set_form_data(criterion, *, reason: str = "test change") -> dict:
    """What the question-set page of `criterion` posts when nothing is edited."""
    data = {"change_reason": reason}
    if criterion.auto_approve:
        data["auto_approve"] = "on"
    questions = list(criterion.questions.all())
    clauses = list(criterion.evidence.all())
    data.update(_management("questions", len(questions), len(questions)))
    data.update(_management("evidence", len(clauses), len(clauses)))
    for i, question in enumerate(questions):
        row = {
            "id": str(question.pk),
            "criterion": str(criterion.pk),
            "position": str(question.position),
            "key": question.key,
            "text": question.text,
            "type": question.type,
            "choices": "\n".join(question.choices),
            "approve_when": "\n".join(describe_answer(v) for v in question.approve_when),
        }
        if question.required:
            row["required"] = "on"
        data.update({f"questions-{i}-{key}": value for key, value in row.items()})
    for i, clause in enumerate(clauses):
        row = {
            "id": str(clause.pk),
            "criterion": str(criterion.pk),
            "clause": clause.clause,
            "days": str(clause.days),
        }
        data.update({f"evidence-{i}-{key}": value for key, value in row.items()})
    return data


def add_question_rows(data: dict, prefix: str, *rows: dict) -> dict:
    """`data` with new rows appended to the inline `prefix` (questions or evidence)."""
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    for offset, row in enumerate(rows):
        data.update({f"{prefix}-{total + offset}-{key}": value for key, value in row.items()})
    data[f"{prefix}-TOTAL_FORMS"] = str(total + len(rows))
    return data
