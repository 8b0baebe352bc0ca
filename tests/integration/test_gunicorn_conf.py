"""gunicorn.conf.py: the web processes' workers come from WEB_CONCURRENCY and
GUNICORN_THREADS, with the measured defaults (docs/benchmarks.md, "Serving")."""

import os
import runpy

import pytest

from tests.support.paths import ROOT

CONF = ROOT / "gunicorn.conf.py"


def settings_with(monkeypatch, **env) -> dict:
    for name in ("WEB_CONCURRENCY", "GUNICORN_THREADS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONF))


def test_without_settings_sync_workers_one_more_than_the_cpus(monkeypatch):
    conf = settings_with(monkeypatch)
    assert conf["workers"] == len(os.sched_getaffinity(0)) + 1
    assert (conf["worker_class"], conf["threads"]) == ("sync", 1)


def test_web_concurrency_sets_the_workers_and_threads_choose_gthread(monkeypatch):
    conf = settings_with(monkeypatch, WEB_CONCURRENCY="7", GUNICORN_THREADS="4")
    assert (conf["workers"], conf["threads"], conf["worker_class"]) == (7, 4, "gthread")


@pytest.mark.parametrize("value", ["four", "0", "-2", "1000"])
def test_a_bad_value_stops_start_up_naming_the_variable(monkeypatch, value):
    with pytest.raises(ValueError, match="WEB_CONCURRENCY"):
        settings_with(monkeypatch, WEB_CONCURRENCY=value)
