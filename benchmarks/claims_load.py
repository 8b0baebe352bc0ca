"""The claims benchmark's load: gunicorn serving POST /api/v1/claims/, the durable write
and the bare read, measured in alternating rounds by the closed-loop client
(benchmarks/load.py).

Import after django.setup().
"""

import json
import os
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection

from benchmarks import load
from benchmarks.claims import CLAIMS_PATH, DISTURBED_CORES
from benchmarks.data import KESIMPTA_NDC, member_id
from benchmarks.harness import Gunicorn
from benchmarks.report import say
from benchmarks.urls import BASELINE_PREFIX, DURABLE_WRITE_PREFIX


@dataclass(frozen=True)
class Endpoint:
    label: str  # as printed
    make: load.RequestMaker
    headers: dict[str, str]
    outcome_of: Callable[[bytes], str | None] | None  # what to tally from each answer


def measure(args, env: dict[str, str], token: str, today) -> tuple[dict, int]:
    """Start gunicorn, load the endpoints, stop it; what run_loads returns."""
    say(f"  starting gunicorn ({args.workers} workers) ...")
    ready_path = f"/{BASELINE_PREFIX}{member_id(1)}/"
    with Gunicorn(
        workers=args.workers, env=env, ready_path=ready_path, token=token, app=args.app
    ) as server:
        say(f"  listening on 127.0.0.1:{server.port}")
        return run_loads(args, server, token, today)


def endpoints(n_members: int, token: str, today) -> dict[str, Endpoint]:
    """The three loads, the bare read first: a random seeded member each request."""
    headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
    post_headers = {**headers, "Content-Type": "application/json"}
    today_text = today.isoformat()

    def claim(rng):
        body = {
            "member_id": member_id(rng.randint(1, n_members)),
            "ndc": KESIMPTA_NDC,
            "quantity": "1",
            "days_supply": 28,
            "channel": "retail",
            "date_of_service": today_text,
        }
        return "POST", CLAIMS_PATH, json.dumps(body).encode()

    def baseline(rng):
        return "GET", f"/{BASELINE_PREFIX}{member_id(rng.randint(1, n_members))}/", None

    def durable(rng):
        return "POST", f"/{DURABLE_WRITE_PREFIX}{member_id(rng.randint(1, n_members))}/", b""

    return {
        "baseline": Endpoint("GET bare read", baseline, headers, None),
        "durable": Endpoint("POST durable write", durable, headers, None),
        "claims": Endpoint(f"POST {CLAIMS_PATH}", claim, post_headers, load.json_field("status")),
    }


def round_order(names: list[str], rounds: int) -> list[str]:
    """Alternate the loads in rounds (ABC CBA), so other work on the machine, or the
    claims table growing, weighs on each alike."""
    return [name for r in range(rounds) for name in (names[:: 1 if r % 2 == 0 else -1])]


class LoadRunner:
    """Runs the loads against one server; keeps the seeds and the repeats left."""

    def __init__(self, args, server: Gunicorn, loads: dict[str, Endpoint]):
        self.args = args
        self.server = server
        self.loads = loads
        self.database = connection.settings_dict["NAME"]
        self.cpus = len(os.sched_getaffinity(0))
        self.seed = 2  # the warm-up uses 1
        # Bounded: at most as many rounds again as were planned.
        self.planned = args.rounds * len(loads)
        self.repeats_left = self.planned

    def cpu_pids(self) -> dict[str, list[int]]:
        return {"gunicorn": self.server.pids(), "postgres": load.postgres_pids(self.database)}

    def run(self, name: str, seconds: float, *, seed: int, measure: bool) -> load.LoadResult:
        endpoint = self.loads[name]
        return load.run_load(
            name=name,
            port=self.server.port,
            headers=endpoint.headers,
            make=endpoint.make,
            clients=self.args.clients,
            seconds=seconds,
            seed=seed,
            outcome_of=endpoint.outcome_of if measure else None,
            cpu_pids=self.cpu_pids if measure else None,
        )

    def warm_up(self) -> None:
        say(f"  warm-up: {self.args.warmup:g} s each ...")
        for name in self.loads:
            self.run(name, self.args.warmup, seed=1, measure=False)

    def measure_round(self, name: str, seconds: float) -> load.LoadResult:
        """One round; measured again while other work on the machine took CPU from it."""
        while True:
            say(f"  {self.loads[name].label}: {seconds:g} s ...", end="")
            result = self.run(name, seconds, seed=self.seed, measure=True)
            self.seed += 1
            other = result.other_cores(self.cpus)
            say(f" {result.requests:,} requests, {result.rps:,.0f}/s", end="")
            if other > DISTURBED_CORES and self.repeats_left:
                self.repeats_left -= 1
                say(f"; other work used {other:.2f} cores, measuring again")
                continue
            say(f"; other work used {other:.2f} cores" if other > DISTURBED_CORES else "")
            return result


def run_loads(args, server: Gunicorn, token: str, today) -> tuple[dict, int]:
    """Each endpoint's merged measurement, and how many disturbed rounds were repeated."""
    runner = LoadRunner(args, server, endpoints(args.size.members, token, today))
    if args.warmup:
        runner.warm_up()
    results: dict[str, load.LoadResult] = {}
    for name in round_order(list(runner.loads), args.rounds):
        result = runner.measure_round(name, args.seconds / args.rounds)
        for sample in result.error_samples:
            say(f"    error: {sample}")
        results[name] = results[name].merge(result) if name in results else result
    return results, runner.planned - runner.repeats_left
