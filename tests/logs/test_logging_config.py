"""Every log handler of the process carries the PHI filter, in tests and in production."""

import logging
import os
import secrets
import subprocess
import sys
import textwrap

from priorauth.logging import RedactPHIFilter
from tests.support.paths import ROOT


def _handlers():
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    return {
        (logger.name, handler)
        for logger in loggers
        for handler in logger.handlers
        # pytest's own capture, and libraries' NullHandlers (they write nothing)
        if not type(handler).__module__.startswith("_pytest")
        and not isinstance(handler, logging.NullHandler)
    }


def test_every_handler_that_writes_carries_the_phi_filter():
    handlers = _handlers()
    assert handlers  # root's console handler at least
    unfiltered = {
        (name, type(handler).__name__)
        for name, handler in handlers
        if not any(isinstance(f, RedactPHIFilter) for f in handler.filters)
    }
    assert unfiltered == set()


def test_django_and_gunicorn_loggers_have_no_handler_of_their_own_and_propagate():
    for name in ("django", "django.request", "django.server", "django.security", "gunicorn"):
        logger = logging.getLogger(name)
        assert (logger.handlers, logger.propagate) == ([], True), name


# Run in a fresh process with production settings: a gunicorn worker's loggers as
# gunicorn leaves them (own handler, not propagating), then Django's and Celery's
# logging set-up, then one record from each logger that could carry a member ID.
PRODUCTION_PROCESS = textwrap.dedent(
    """
    import logging, sys
    for name in ("gunicorn.error", "gunicorn.access"):
        logger = logging.getLogger(name)
        logger.addHandler(logging.StreamHandler(sys.stderr))
        logger.propagate = False

    import django
    django.setup()
    from priorauth import celery_app
    celery_app.log.setup_logging_subsystem(loglevel="INFO")

    from django.core.exceptions import PermissionDenied
    try:
        raise PermissionDenied("This needs the role Auditor.")
    except PermissionDenied as error:
        logging.getLogger("django.request").warning(
            "Forbidden (Permission denied): %s", "/api/v1/members/ZQX917/",
            exc_info=error, extra={"status_code": 403},
        )
    logging.getLogger("django.server").info(
        '"%s" %s %s', "GET /queue/?q=Quillfeather HTTP/1.1", "200", "9", extra={"status_code": 200}
    )
    logging.getLogger("django.security.csrf").warning(
        "Forbidden (%s): %s", "CSRF cookie not set.", "/members/ZQX917/", extra={"status_code": 403}
    )
    logging.getLogger("celery.app.trace").info(
        "Task %s succeeded: %r", "priorauth.tasks.example", {"member_id": "ZQX917"}
    )
    logging.getLogger("gunicorn.access").info(
        '%(h)s "%(r)s" %(s)s', {"h": "10.0.0.7", "r": "GET /members/ZQX917/ HTTP/1.1", "s": "404"}
    )
    logging.getLogger("gunicorn.error").error("Error handling request /api/v1/members/ZQX917/")
    logging.getLogger().warning("No member with ID ZQX917.")
    print("done")
    """
)


def test_a_production_process_writes_each_logger_once_without_member_ids():
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    environment.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="priorauth.example.org",
        DJANGO_SETTINGS_MODULE="priorauth.settings",
    )
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROCESS],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip() == "done", result.stderr
    lines = [line.split(" ", 2)[-1] for line in result.stderr.splitlines()]
    assert lines == [
        "WARNING django.request Forbidden (Permission denied): /api/v1/members/[member]/",
        'INFO django.server "GET /queue/?q=[redacted] HTTP/1.1" 200 9',
        "WARNING django.security.csrf Forbidden (CSRF cookie not set.): /members/[member]/",
        "INFO celery.app.trace Task priorauth.tasks.example succeeded: {'member_id': '[redacted]'}",
        'INFO gunicorn.access 10.0.0.7 "GET /members/[member]/ HTTP/1.1" 404',
        "ERROR gunicorn.error Error handling request /api/v1/members/[member]/",
        "WARNING root No member with ID [member].",
    ]
