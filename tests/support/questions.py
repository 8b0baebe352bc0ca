"""Kesimpta's criterion 1 with its question set, made with the ORM.

Until the shipped policy file carries questions (policies/data/kesimpta.yaml), the
tests give them here, the way DESIGN.md §9 writes them: one required choice question
("reason"), approved automatically only for "initiating treatment" with no paid fill
in the 180 days before receipt. Both helpers leave the criterion in the state they
name whatever the file already holds, so they keep working when the file has them;
then `kesimpta_questions` can go.
"""

from policies.models import Criterion, CriterionEvidence, CriterionQuestion

REASON_TEXT = "Why does the patient need more than the plan limit?"
INITIATING = "initiating treatment"
ADDITIONAL_INDUCTION = "additional induction dosing"
OTHER_REASON = "other"
LOOK_BACK_DAYS = 180


def kesimpta_questions(policy) -> Criterion:
    """Criterion 1 asks "reason", checks for no paid fill in 180 days, and may auto-approve."""
    criterion = policy.criteria.get(number=1)
    CriterionQuestion.objects.update_or_create(
        criterion=criterion,
        key="reason",
        defaults={
            "position": 1,
            "text": REASON_TEXT,
            "type": "choice",
            "required": True,
            "choices": [INITIATING, ADDITIONAL_INDUCTION, OTHER_REASON],
            "approve_when": [INITIATING],
        },
    )
    CriterionEvidence.objects.update_or_create(
        criterion=criterion, clause="no_paid_fill_within_days", defaults={"days": LOOK_BACK_DAYS}
    )
    criterion.auto_approve = True
    criterion.save(update_fields=["auto_approve"])
    return criterion


def without_questions(policy) -> None:
    """Every criterion as before question sets: no questions, no evidence, never automatic.

    For tests of the request as it was submitted before (straight to the queue)."""
    CriterionQuestion.objects.filter(criterion__policy=policy).delete()
    CriterionEvidence.objects.filter(criterion__policy=policy).delete()
    for criterion in policy.criteria.all():
        criterion.auto_approve = False
        criterion.save(update_fields=["auto_approve"])
