"""Kesimpta's question set as the shipped file has it (policies/data/kesimpta.yaml), and
a way back to a policy without one.

Criterion 1 asks one required choice question ("reason") and is approved automatically
only for "initiating treatment" with no paid fill in the 180 days before receipt; a
test of the shipped file (tests/policies) holds the file to these words.
"""

from policies.models import CriterionEvidence, CriterionQuestion

REASON_TEXT = "Why does the patient need more than the plan limit?"
INITIATING = "initiating treatment"
ADDITIONAL_INDUCTION = "additional induction dosing"
OTHER_REASON = "other"
LOOK_BACK_DAYS = 180


def without_questions(policy) -> None:
    """Every criterion as before question sets: no questions, no evidence, never automatic.

    For tests of the request as it was submitted before (straight to the queue)."""
    CriterionQuestion.objects.filter(criterion__policy=policy).delete()
    CriterionEvidence.objects.filter(criterion__policy=policy).delete()
    for criterion in policy.criteria.all():
        criterion.auto_approve = False
        criterion.save(update_fields=["auto_approve"])
