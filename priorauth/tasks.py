"""Celery tasks. They only call services; the services own the transactions."""

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import services

logger = logging.getLogger(__name__)


@shared_task(
    # The database may be briefly away (failover, restart): try again, backing off,
    # rather than lose the run. Nothing is half-done: each batch is one transaction.
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=10,
)
def expire_overrides() -> int:
    changed = services.overrides_expire()
    logger.info("expire_overrides: %d override(s) expired", changed)
    return changed


@shared_task(
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
    # A replay of a large plan outlasts the default limits (benchmark: docs/benchmarks.md).
    soft_time_limit=3600,
    time_limit=3700,
)
def run_impact_report(report_id: int) -> str:
    """Run a queued policy impact report (idempotent: a finished one is left alone)."""
    report = services.impact_report_run(report_id=report_id)
    logger.info("run_impact_report: report %s %s", report.pk, report.status)
    return report.status
