"""Settings for the benchmark server: the project's, plus the bare read and durable write.

The harness (benchmarks.harness) sets DATABASE_URL, DEBUG, SECRET_KEY and the HTTPS
switches in the environment before Django reads them.
"""

from priorauth.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
