"""Where a submission's time goes, measured in process with one client (no profiler, so
nothing is slowed unevenly): the whole API request (middleware, authentication, input,
the service, the answer), the service alone, the answer's re-read
(`selectors.request_for_api`) and its serialization. CPU is this process's (the
Python side); wall adds the waits on PostgreSQL.

Import after django.setup(). The requests are made by the benchmark's user, so they
are removed with the rest.
"""

import statistics
import time
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.test import Client

from benchmarks import load
from benchmarks.determination_data import KESIMPTA_CODE
from benchmarks.determination_load import REQUESTS_PATH
from benchmarks.report import say
from priorauth import selectors, services
from priorauth.api import serializers

SAMPLES = 60
WARMUP = 10
PARTS = ("whole request", "service", "answer re-read", "serialization")
CASES = (
    ("without answers", "established", False),
    ("answers, pended", "established", True),
    ("answers, approved", "initiating", True),
)


@dataclass
class Cost:
    case: str
    cpu_ms: dict[str, float]  # part -> median
    wall_ms: dict[str, float]


@dataclass
class Costs:
    cases: list[Cost]
    cpu: load.LoadResult  # who used the machine meanwhile (other work makes the wall long)


def measure(planner, user, token: str) -> Costs:
    say("  timing the parts of a submission in process ...")
    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {token}")
    pids = {"postgres": load.postgres_pids(connection.settings_dict["NAME"])}
    before, started = load.cpu_snapshot(pids), time.perf_counter()
    cases = [_measure_case(planner, user, client, *case) for case in CASES]
    seconds = time.perf_counter() - started
    cpu = load.cpu_used(before, load.cpu_snapshot(pids), seconds)
    for c in cases:
        parts = ", ".join(f"{p} {c.cpu_ms[p]:.1f}/{c.wall_ms[p]:.1f}" for p in PARTS)
        say(f"    {c.case:<18} CPU/wall ms: {parts}")
    return Costs(cases, load.LoadResult(name="timings", clients=1, seconds=seconds, cpu=cpu))


def _clock(fn, *args, **kwargs):
    """fn's result, then the CPU ms and wall ms it took."""
    cpu, wall = time.process_time(), time.perf_counter()
    result = fn(*args, **kwargs)
    return result, (time.process_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000


def _serialized(request) -> dict:
    return serializers.OverrideRequestSerializer(request).data


def _measure_case(planner, user, client, case: str, kind: str, with_answers: bool) -> Cost:
    samples: dict[str, list[tuple[float, float]]] = {part: [] for part in PARTS}
    for _ in range(WARMUP + SAMPLES):
        body = planner.one(KESIMPTA_CODE, kind).encoded(with_answers=with_answers)
        response, *spent = _clock(client.post, REQUESTS_PATH, body, content_type="application/json")
        if response.status_code != 201:
            raise RuntimeError(
                f"{REQUESTS_PATH} answered {response.status_code}: {response.content}"
            )
        samples["whole request"].append(spent)
        kwargs = dict(planner.one(KESIMPTA_CODE, kind).body)
        kwargs["quantity"] = Decimal(kwargs["quantity"])
        if not with_answers:
            kwargs.pop("answers")
        request, *spent = _clock(services.override_request_submit, submitted_by=user, **kwargs)
        samples["service"].append(spent)
        loaded, *spent = _clock(selectors.request_for_api, request.pk)
        samples["answer re-read"].append(spent)
        _, *spent = _clock(_serialized, loaded)
        samples["serialization"].append(spent)
    measured = {part: values[WARMUP:] for part, values in samples.items()}
    return Cost(
        case,
        cpu_ms={part: statistics.median(s[0] for s in v) for part, v in measured.items()},
        wall_ms={part: statistics.median(s[1] for s in v) for part, v in measured.items()},
    )
