"""The Celery app, configured from Django settings (the CELERY_ namespace)."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "priorauth.settings")

app = Celery("priorauth")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.setup_logging.connect
def use_django_logging(**kwargs):
    """Workers and beat log through settings.LOGGING, whose handler redacts PHI.

    Without a receiver for this signal Celery would replace the root logger's handlers
    with its own, which carry no filter. `LOG_LEVEL` sets the level (not --loglevel).
    """
    from django.conf import settings
    from django.utils.log import configure_logging

    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
