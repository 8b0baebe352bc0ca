"""The work queue page: the time to render the first page of `/queue/` with 100 open
requests and with 100,000 (quick: 10,000); target: at most 2x the time.

    .venv/bin/python -m benchmarks queue [--quick]

Needs the members the claims benchmark builds. Named queue_page, not queue, so that it
never stands in for the standard library's `queue`.
"""

import statistics
import time
from dataclasses import dataclass

from benchmarks import harness
from benchmarks.report import last_run_note, publish, say, table, verdict

SECTION = "queue"
TARGET_RATIO = 2.0  # median time with LARGE open requests over SMALL, at most
SAMPLES = 40
WARMUP_REQUESTS = 5


@dataclass(frozen=True)
class Size:
    small: int
    large: int


FULL = Size(small=100, large=100_000)
QUICK = Size(small=100, large=10_000)  # the quick data set has 10,000 members


def run(args, bench: harness.Bench) -> None:
    from django.test import Client

    from benchmarks import data, override_data
    from priorauth.models import OverrideRequest

    size = QUICK if args.quick else FULL
    about = last_run_note(harness.postgres_info()["server_version"])
    client = Client()
    client.force_login(data.pharmacist_user())
    say(f"queue page: {size.small:,} open requests vs {size.large:,}")
    override_data.remove_bench_rows()
    other_open = OverrideRequest.objects.filter(status__in=override_data.OPEN_STATUSES).count()
    small = time_with_open_requests(client, size.small, already=0)
    large = time_with_open_requests(client, size.large, already=size.small)
    ratio = large["median"] / small["median"]
    mark = verdict(ratio <= TARGET_RATIO)
    say(f"  ratio {ratio:.2f} (target <= {TARGET_RATIO}) {mark}")
    markdown = section(about, size, small, large, ratio, mark, other_open)
    publish(SECTION, markdown, skipped_because=args.docs_skipped_because)


def time_with_open_requests(client, total: int, *, already: int) -> dict:
    """Add open requests up to `total`, then time the page."""
    from benchmarks import override_data

    override_data.add_open_requests(total - already, already)
    override_data.analyze("priorauth_overriderequest", vacuum=True)
    timing = time_queue(client)
    say(f"  {total:,} open: median {timing['median']:.1f} ms, p95 {timing['p95']:.1f} ms")
    return timing


def time_queue(client, samples: int = SAMPLES) -> dict:
    for _ in range(WARMUP_REQUESTS):
        assert client.get("/queue/", HTTP_HOST="127.0.0.1").status_code == 200
    timings = []
    for _ in range(samples):
        started = time.perf_counter()
        response = client.get("/queue/", HTTP_HOST="127.0.0.1")
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    timings.sort()
    return {
        "median": statistics.median(timings),
        "p95": timings[int(len(timings) * 0.95) - 1],
        "rows": len(response.context["rows"]) if response.context else 25,
    }


def section(about: str, size: Size, small: dict, large: dict, ratio, mark, other_open) -> str:
    return (
        "## Work queue page\n\n"
        + about
        + f"The first page of `/queue/` (25 rows, a pharmacist signed in) rendered in process "
        f"by Django's test client on the bench database, `DEBUG=0`, {SAMPLES} timed requests "
        f"after {WARMUP_REQUESTS} warm-up ones; open requests spread over pending, in review "
        f"and needs information, one in four expedited ({other_open} other open requests were "
        "already there).\n\n"
        + table(
            ["open requests", "median ms", "p95 ms"],
            [
                [f"{size.small:,}", f"{small['median']:.1f}", f"{small['p95']:.1f}"],
                [f"{size.large:,}", f"{large['median']:.1f}", f"{large['p95']:.1f}"],
            ],
        )
        + f"\n\nRatio {size.large:,} / {size.small:,}: **{ratio:.2f}** (target at most "
        f"{TARGET_RATIO:g}): **{mark}**. The page reads in the order of a partial "
        "index on the open requests' due time, so the first page costs the same however "
        "many are open; what still grows is the `COUNT(*)` for the pager.\n"
    )
