from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = "Drug Quantity Management policies"

    def ready(self):
        # Connects the receiver that writes the reason for a change onto every history row.
        from . import (
            history,  # noqa: F401
            selectors,
        )
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

        # A policy edit in this process is seen by its next claim check at once
        # (the per-process lookup cache, docs/decisions/0007-policy-cache.md).
        cached = (Policy, Product, ProductNDC, QuantityLimit)
        cached += (Criterion, CriterionGrant, CriterionQuestion, CriterionEvidence)
        for model in cached:
            for signal in (post_save, post_delete):
                signal.connect(
                    selectors.forget_policies, sender=model, dispatch_uid=f"forget-{model.__name__}"
                )
