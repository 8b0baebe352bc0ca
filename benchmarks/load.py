"""A closed-loop HTTP load: N client threads, each with its own keep-alive connection.

Standard library only. Each thread sends a request, waits for the whole answer,
and sends the next, until the deadline; latency is measured per request from
just before sending to the last byte read. Loopback only.
"""

import http.client
import json
import os
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

# (method, path, body or None) for one request, from the thread's own RNG.
RequestMaker = Callable[[random.Random], tuple[str, str, bytes | None]]

HOST = "127.0.0.1"
CONNECT_TIMEOUT = 10.0


@dataclass
class LoadResult:
    name: str
    clients: int
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    outcomes: dict[str, int] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def requests(self) -> int:
        return len(self.latencies_ms) + self.errors

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def other_cores(self, cpus: int) -> float:
        """Cores used by everything but the server, the database and this client."""
        ours = sum(self.cpu.get(group, 0.0) for group in ("gunicorn", "postgres", "client"))
        return max(0.0, self.cpu.get("machine busy %", 0.0) / 100 * cpus - ours)

    def cpu_ms_per_request(self, *groups: str) -> float:
        """CPU time the given process groups spent per request, in ms."""
        if not self.requests:
            return float("nan")
        cores = sum(self.cpu.get(group, 0.0) for group in groups)
        return cores * self.seconds / self.requests * 1000

    def merge(self, other: "LoadResult") -> "LoadResult":
        """Both measurements as one (CPU averaged over the time of each)."""
        seconds = self.seconds + other.seconds
        cpu = {
            key: (self.cpu.get(key, 0.0) * self.seconds + other.cpu.get(key, 0.0) * other.seconds)
            / seconds
            for key in {*self.cpu, *other.cpu}
        }
        outcomes = dict(self.outcomes)
        for key, value in other.outcomes.items():
            outcomes[key] = outcomes.get(key, 0) + value
        return LoadResult(
            name=self.name,
            clients=self.clients,
            seconds=seconds,
            latencies_ms=self.latencies_ms + other.latencies_ms,
            errors=self.errors + other.errors,
            error_samples=(self.error_samples + other.error_samples)[:5],
            outcomes=outcomes,
            cpu=cpu,
        )

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile of the successful requests' latencies."""
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
        return ordered[rank - 1]


def _client(
    port: int,
    headers: dict[str, str],
    make: RequestMaker,
    seed: int,
    start: threading.Barrier,
    deadline_box: list[float],
    stop: threading.Event,
    result: LoadResult,
    lock: threading.Lock,
    outcome_of: Callable[[bytes], str | None] | None,
) -> None:
    rng = random.Random(seed)
    conn = http.client.HTTPConnection(HOST, port, timeout=CONNECT_TIMEOUT)
    latencies: list[float] = []
    errors = 0
    samples: list[str] = []
    outcomes: dict[str, int] = {}
    try:
        start.wait(timeout=30)
        deadline = deadline_box[0]
        while not stop.is_set():
            method, path, body = make(rng)
            sent = time.perf_counter()
            if sent >= deadline:
                break
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException) as exc:
                errors += 1
                if len(samples) < 3:
                    samples.append(f"{method} {path}: {type(exc).__name__}: {exc}")
                conn.close()  # reconnects on the next request
                continue
            elapsed = (time.perf_counter() - sent) * 1000
            if 200 <= response.status < 300:
                latencies.append(elapsed)
                if outcome_of is not None:
                    outcome = outcome_of(payload)
                    outcomes[outcome] = outcomes.get(outcome, 0) + 1
            else:
                errors += 1
                if len(samples) < 3:
                    samples.append(f"{method} {path}: HTTP {response.status} {payload[:300]!r}")
    finally:
        conn.close()
        with lock:
            result.latencies_ms.extend(latencies)
            result.errors += errors
            result.error_samples.extend(samples[: max(0, 5 - len(result.error_samples))])
            for key, value in outcomes.items():
                result.outcomes[key] = result.outcomes.get(key, 0) + value


def run_load(
    *,
    name: str,
    port: int,
    headers: dict[str, str],
    make: RequestMaker,
    clients: int,
    seconds: float,
    seed: int,
    outcome_of: Callable[[bytes], str | None] | None = None,
    cpu_pids: Callable[[], dict[str, list[int]]] | None = None,
) -> LoadResult:
    """Run `clients` closed-loop threads for `seconds`; return what they saw."""
    result = LoadResult(name=name, clients=clients)
    lock = threading.Lock()
    stop = threading.Event()
    deadline_box = [0.0]

    def arm() -> None:  # runs once, when every thread has reached the barrier
        deadline_box[0] = time.perf_counter() + seconds

    start = threading.Barrier(clients, action=arm)
    threads = [
        threading.Thread(
            target=_client,
            args=(port, headers, make, seed * 1000 + i, start, deadline_box, stop, result, lock),
            kwargs={"outcome_of": outcome_of},
            name=f"bench-client-{i}",
            daemon=True,
        )
        for i in range(clients)
    ]
    pids = cpu_pids() if cpu_pids else {}
    before = cpu_snapshot(pids)
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            # Bounded: a request never takes longer than the socket timeout.
            thread.join(seconds + CONNECT_TIMEOUT * 3)
    finally:
        stop.set()
    result.seconds = time.perf_counter() - max(began, deadline_box[0] - seconds)
    result.cpu = cpu_used(before, cpu_snapshot(pids), result.seconds)
    if any(thread.is_alive() for thread in threads):
        raise RuntimeError(f"{name}: a client thread did not finish")
    return result


def json_field(name: str) -> Callable[[bytes], str | None]:
    def outcome(payload: bytes) -> str | None:
        try:
            return str(json.loads(payload).get(name))
        except (ValueError, AttributeError):
            return "unparsable"

    return outcome


# --- CPU: who used the machine during a load ---------------------------------------

_TICK = os.sysconf("SC_CLK_TCK")


def _process_ids() -> list[int]:
    return [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]


def _stat_fields(pid: int) -> list[str]:
    """/proc/PID/stat after the command name, which may itself hold spaces and ')'."""
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()


def _proc_ticks(pid: int) -> int:
    try:
        fields = _stat_fields(pid)
    except (OSError, IndexError):
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime


def _machine_ticks() -> tuple[int, int]:
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def cpu_snapshot(pids: dict[str, list[int]]) -> dict:
    """CPU ticks so far of each process in each group, of this process and of the machine."""
    snapshot = {
        group: {pid: _proc_ticks(pid) for pid in members} for group, members in pids.items()
    }
    snapshot["client"] = {os.getpid(): _proc_ticks(os.getpid())}
    snapshot["_machine"] = _machine_ticks()
    return snapshot


def cpu_used(before: dict, after: dict, seconds: float) -> dict[str, float]:
    """Cores used on average by each group, and how busy the whole machine was (%).

    A process that exited in between (its ticks read as 0) counts for nothing.
    """
    used = {}
    for group, ticks in before.items():
        if group.startswith("_"):
            continue
        spent = sum(max(0, after[group].get(pid, 0) - start) for pid, start in ticks.items())
        used[group] = spent / _TICK / seconds
    busy = after["_machine"][0] - before["_machine"][0]
    total = after["_machine"][1] - before["_machine"][1]
    used["machine busy %"] = 100 * busy / total if total else 0.0
    return used


def postgres_pids(database: str) -> list[int]:
    """PostgreSQL's own processes and the backends serving `database`, not other databases'.

    Read from /proc (process titles); nothing is signalled.
    """
    found = []
    for pid in _process_ids():
        try:
            with open(f"/proc/{pid}/comm") as f:
                if f.read().strip() != "postgres":
                    continue
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                title = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        # A backend's title is "postgres: 15/main: USER DATABASE HOST(PORT) STATE";
        # the postmaster, checkpointer, WAL writer, ... have no client address.
        if f" {database} " in title or "(" not in title:
            found.append(pid)
    return found


def children_of(pid: int) -> list[int]:
    found = []
    for child in _process_ids():
        try:
            if int(_stat_fields(child)[1]) == pid:  # field 4 of stat: the parent's id
                found.append(child)
        except (OSError, IndexError, ValueError):
            continue
    return found
