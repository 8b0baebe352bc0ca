"""The determination benchmark over HTTP: gunicorn serving POST /api/v1/override-requests/,
the month submitted through it, then the closed-loop loads with answers and without.

Import after django.setup().
"""

import http.client
import json
import threading
import time
from dataclasses import dataclass, field

from benchmarks import load
from benchmarks.claims_load import Endpoint, LoadRunner, round_order
from benchmarks.data import member_id
from benchmarks.determination_month import Planned
from benchmarks.harness import Gunicorn
from benchmarks.report import say
from benchmarks.urls import BASELINE_PREFIX

REQUESTS_PATH = "/api/v1/override-requests/"
LOADS = ("without answers", "with answers")  # in the order of the first round


@dataclass
class Answered:
    """One request of the month and what the API answered."""

    planned: Planned
    status_code: int = 0
    answer: dict = field(default_factory=dict)
    latency_ms: float = 0.0
    error: str = ""


def headers_for(token: str) -> dict[str, str]:
    return {
        "Authorization": f"Token {token}",
        "Accept": "application/json",
        "Content-Type": "application/json",
    }


@dataclass
class Measured:
    answered: list[Answered]  # the month, in plan order
    month_cpu: load.LoadResult  # who used the machine while the month was submitted
    results: dict[str, load.LoadResult]  # each load, its rounds merged
    repeated: int  # disturbed rounds measured again
    used: dict[str, int]  # requests each load made


def measure(args, env, token: str, month: list[Planned], sequence: list[Planned]) -> Measured:
    """Start gunicorn, warm it up, submit the month, run both loads, stop it."""
    say(f"  starting gunicorn ({args.workers} workers) ...")
    with Gunicorn(
        workers=args.workers,
        env=env,
        ready_path=f"/{BASELINE_PREFIX}{member_id(1)}/",
        token=token,
        app=args.app,
    ) as server:
        say(f"  listening on 127.0.0.1:{server.port}")
        runner, sequences = load_runner(args, server, token, sequence)
        if args.warmup:
            # Before the month too, so its latencies are a warm server's, like the loads'.
            runner.warm_up()
        pids = runner.cpu_pids()
        before, started = load.cpu_snapshot(pids), time.perf_counter()
        answered = submit_month(server.port, headers_for(token), month, clients=args.clients)
        seconds = time.perf_counter() - started
        month_cpu = load.LoadResult(
            name="month",
            clients=args.clients,
            seconds=seconds,
            cpu=load.cpu_used(before, load.cpu_snapshot(pids), seconds),
        )
        results, repeated = run_loads(args, runner)
    used = {name: sequence.used for name, sequence in sequences.items()}
    return Measured(answered, month_cpu, results, repeated, used)


# --- The month ---------------------------------------------------------------------------------


def submit_month(port: int, headers: dict, month: list[Planned], *, clients: int) -> list:
    """Each planned request once, by `clients` threads side by side; the answers in plan order."""
    say(f"  submitting the month: {len(month):,} requests, {clients} clients ...", end="")
    answered = [Answered(planned) for planned in month]
    cursor = iter(range(len(month)))
    lock = threading.Lock()
    started = time.perf_counter()

    def client() -> None:
        conn = http.client.HTTPConnection(load.HOST, port, timeout=load.CONNECT_TIMEOUT)
        try:
            while True:
                with lock:
                    index = next(cursor, None)
                if index is None:
                    return
                _submit_one(conn, headers, answered[index])
        finally:
            conn.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    say(f" {time.perf_counter() - started:.0f} s")
    return answered


def _submit_one(conn: http.client.HTTPConnection, headers: dict, entry: Answered) -> None:
    body = entry.planned.encoded(with_answers=True)
    sent = time.perf_counter()
    try:
        conn.request("POST", REQUESTS_PATH, body=body, headers=headers)
        response = conn.getresponse()
        payload = response.read()
    except (OSError, http.client.HTTPException) as exc:
        entry.error = f"{type(exc).__name__}: {exc}"
        conn.close()  # reconnects on the next request
        return
    entry.latency_ms = (time.perf_counter() - sent) * 1000
    entry.status_code = response.status
    try:
        entry.answer = json.loads(payload)
    except ValueError:
        entry.error = f"HTTP {response.status}: {payload[:300]!r}"
        return
    if response.status != 201:
        entry.error = f"HTTP {response.status}: {payload[:300]!r}"


# --- The loads ---------------------------------------------------------------------------------


class Sequence:
    """Hands the planned requests out in order, to every client thread of one load, so no
    two requests of a load share a member and policy (an approval would pend the next one
    on "override in force"). Past the end it starts again and counts how far."""

    def __init__(self, planned: list[Planned], *, with_answers: bool):
        self._bodies = [p.encoded(with_answers=with_answers) for p in planned]
        self._next = 0
        self._lock = threading.Lock()

    @property
    def used(self) -> int:
        return self._next

    def make(self, rng) -> tuple[str, str, bytes]:
        with self._lock:
            body = self._bodies[self._next % len(self._bodies)]
            self._next += 1
        return "POST", REQUESTS_PATH, body


def load_runner(args, server: Gunicorn, token: str, planned: list[Planned]):
    """The two loads, each with its own pass over `planned`, and their sequences."""
    headers = headers_for(token)
    sequences = {
        "without answers": Sequence(planned, with_answers=False),
        "with answers": Sequence(planned, with_answers=True),
    }
    loads = {
        name: Endpoint(f"POST {name}", sequences[name].make, headers, load.json_field("status"))
        for name in LOADS
    }
    return LoadRunner(args, server, loads), sequences


def run_loads(args, runner: LoadRunner) -> tuple[dict, int]:
    """Both loads in alternating rounds (ABBA): each one's merged measurement, and how many
    disturbed rounds were measured again."""
    results: dict[str, load.LoadResult] = {}
    for name in round_order(list(LOADS), args.rounds):
        result = runner.measure_round(name, args.seconds / args.rounds)
        for sample in result.error_samples:
            say(f"    error: {sample}")
        results[name] = results[name].merge(result) if name in results else result
    return results, args.rounds * 2 - runner.repeats_left
