from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class PriorauthConfig(AppConfig):
    name = "priorauth"
    verbose_name = "Prior authorization review"

    def ready(self) -> None:
        from policies.models import Policy, Product, ProductNDC, QuantityLimit

        from . import selectors

        # A policy edit in this process is seen by its next claim check at once.
        for model in (Policy, Product, ProductNDC, QuantityLimit):
            for signal in (post_save, post_delete):
                signal.connect(
                    selectors.forget_policies, sender=model, dispatch_uid=f"forget-{model.__name__}"
                )
