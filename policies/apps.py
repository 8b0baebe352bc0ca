from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = "Drug Quantity Management policies"

    def ready(self):
        # Connects the receiver that writes the reason for a change onto every history row.
        from . import history  # noqa: F401
