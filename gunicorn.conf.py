"""gunicorn's settings for priorauth's web processes.

`gunicorn priorauth.wsgi` reads this file from the working directory (the repository's
root); anything given on the command line wins over it.

- WEB_CONCURRENCY: worker processes. Default: the CPUs this process may use, plus one.
- GUNICORN_THREADS: threads per worker; more than 1 uses gthread workers. Default 1
  (sync workers).

Why these defaults: `make bench` (`python -m benchmarks serving`) measured sync and
gthread workers, 2-4 of them, on the claims endpoint on a 2-CPU machine that also runs
PostgreSQL: three workers did best, of either class, and sync workers hold one database
connection each rather than one per thread. A claim is Python CPU plus short waits on
PostgreSQL, so one worker per core keeps the cores busy and one more covers the waits;
more only queue for the same cores. On a web host without the database set
WEB_CONCURRENCY to about 1.75 x cores (docs/benchmarks.md, "Serving: the default and
larger machines", has the formula and the numbers).
"""

import os


def _whole_number(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None
    if not 1 <= number <= 256:
        raise ValueError(f"{name} must be between 1 and 256, not {number}")
    return number


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) + 1


workers = _whole_number("WEB_CONCURRENCY", default_workers())
threads = _whole_number("GUNICORN_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"
