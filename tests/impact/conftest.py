import pytest


@pytest.fixture
def tasks_run_here():
    """Celery tasks run in the process that sends them (the test's), then back to normal."""
    from priorauth.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before
