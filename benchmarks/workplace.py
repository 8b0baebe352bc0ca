"""`make bench`, part 2: the work queue page and the override expiry, on PostgreSQL.

- Queue: the time to render the first page of `/queue/` with 100 open requests and
  with 100,000 (target: at most 2x the time).
- Expiry: `services.overrides_expire` on 100,000 overrides past their end, with a
  history row each (target: at most 30 s).

Run as `.venv/bin/python -m benchmarks.workplace` (after `benchmarks.run`, which
builds the members). It writes its sections of docs/benchmarks.md.
"""

import statistics
import sys
import time
import warnings
from datetime import timedelta
from pathlib import Path

from benchmarks.report import machine, table, write_section
from benchmarks.run import bench_database_url, configure_environment, ensure_database, say

DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
MARK = "bench-workplace"  # clinical_notes of the rows this benchmark adds
SMALL, LARGE = 100, 100_000
OVERRIDES = 100_000
SAMPLES = 40
QUEUE_TARGET_RATIO = 2.0
EXPIRY_TARGET_SECONDS = 30.0


def setup_django() -> None:
    # No collectstatic for a benchmark: WhiteNoise's warning about it is noise here.
    warnings.filterwarnings("ignore", message="No directory at")
    url = bench_database_url(quick=False)
    configure_environment(url)
    ensure_database(url)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # The pages link their CSS through {% static %}; no collectstatic for a benchmark.
    settings.STORAGES["staticfiles"]["BACKEND"] = (
        "django.contrib.staticfiles.storage.StaticFilesStorage"
    )
    call_command("migrate", verbosity=0)
    from policies.files import load_policy_file

    load_policy_file(Path("policies/data/kesimpta.yaml"))


def remove_bench_rows() -> None:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM priorauth_overrideallowance WHERE override_id IN (SELECT o.id FROM "
            "priorauth_override o JOIN priorauth_overriderequest r ON r.id = o.request_id "
            "WHERE r.clinical_notes = %s)",
            [MARK],
        )
        for table_name in ("priorauth_override", "priorauth_historicaloverride"):
            cursor.execute(
                f"DELETE FROM {table_name} WHERE request_id IN "
                "(SELECT id FROM priorauth_overriderequest WHERE clinical_notes = %s)",
                [MARK],
            )
        cursor.execute("DELETE FROM priorauth_overriderequest WHERE clinical_notes = %s", [MARK])
        cursor.execute(
            "DELETE FROM priorauth_prescription p WHERE NOT EXISTS "
            "(SELECT 1 FROM priorauth_overriderequest r WHERE r.prescription_id = p.id)"
        )
        # What autovacuum would do in time: without it the dead rows of the last run
        # would slow this run's small case and flatter the ratio.
        for table_name in (
            "priorauth_overriderequest",
            "priorauth_prescription",
            "priorauth_override",
            "priorauth_historicaloverride",
        ):
            cursor.execute(f"VACUUM ANALYZE {table_name}")
    say(f"  cleared earlier rows in {time.perf_counter() - started:.1f} s")


def fresh_plans(*tables: str) -> None:
    """Analyze the growing tables and start a new connection.

    PostgreSQL caches the plans of its foreign-key checks per connection. Planned while
    a table was nearly empty (just vacuumed), they scan the whole table, and each bulk
    insert then slows as the table grows. Production connections live a minute.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        for table_name in tables:
            cursor.execute(f"ANALYZE {table_name}")
    connection.close()


def add_open_requests(count: int, offset: int) -> list:
    """Open requests for existing bench members (bulk: this is data, not behaviour)."""
    from django.utils import timezone

    from policies.models import Policy
    from priorauth.models import Member, OverrideRequest, Prescriber, Prescription

    policy = Policy.objects.get(code="cigna-ms-kesimpta-dqm")
    criterion = policy.criteria.get(number=1)
    prescriber, _ = Prescriber.objects.get_or_create(npi="1234567893")
    members = list(
        Member.objects.order_by("id").values_list("id", flat=True)[offset : offset + count]
    )
    if len(members) < count:
        raise SystemExit("run `python -m benchmarks.run` first: it builds the 100,000 members")
    now = timezone.now()
    created = []
    for start in range(0, count, 5_000):
        chunk = members[start : start + 5_000]
        prescriptions = Prescription.objects.bulk_create(
            Prescription(
                member_id=m,
                prescriber=prescriber,
                ndc="00078100768",
                quantity=4,
                days_supply=28,
                channel="retail",
            )
            for m in chunk
        )
        created += OverrideRequest.objects.bulk_create(
            OverrideRequest(
                member_id=m,
                prescription=p,
                policy=policy,
                attested_criterion=criterion,
                urgency="expedited" if (offset + start + i) % 4 == 0 else "standard",
                status=("pending", "in_review", "needs_info")[(offset + start + i) % 3],
                clinical_notes=MARK,
                received_at=now - timedelta(minutes=(offset + start + i) % 4000),
                due_at=now + timedelta(hours=24) - timedelta(minutes=(offset + start + i) % 4000),
            )
            for i, (m, p) in enumerate(zip(chunk, prescriptions, strict=True))
        )
        say(f"\r  open requests {offset + start + len(chunk):,}", end="")
        fresh_plans("priorauth_prescription", "priorauth_overriderequest")
    say()
    return created


def time_queue(client, samples: int = SAMPLES) -> dict:
    for _ in range(5):
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


def queue_benchmark() -> str:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client

    from priorauth.models import OverrideRequest

    user, _ = get_user_model().objects.get_or_create(username="bench-pharmacist")
    user.groups.set([Group.objects.get(name="Clinical pharmacist")])
    client = Client()
    client.force_login(user)
    say("queue page: 100 open requests vs 100,000")
    remove_bench_rows()
    other_open = OverrideRequest.objects.filter(
        status__in=["pending", "in_review", "needs_info"]
    ).count()
    add_open_requests(SMALL, 0)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE priorauth_overriderequest")
    small = time_queue(client)
    say(f"  {SMALL:,} open: median {small['median']:.1f} ms, p95 {small['p95']:.1f} ms")
    add_open_requests(LARGE - SMALL, SMALL)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE priorauth_overriderequest")
    large = time_queue(client)
    say(f"  {LARGE:,} open: median {large['median']:.1f} ms, p95 {large['p95']:.1f} ms")
    ratio = large["median"] / small["median"]
    verdict = "PASS" if ratio <= QUEUE_TARGET_RATIO else "MISS"
    say(f"  ratio {ratio:.2f} (target <= {QUEUE_TARGET_RATIO}) {verdict}")
    return (
        "## Work queue page\n\n"
        f"The first page of `/queue/` (25 rows, a pharmacist signed in) rendered in process "
        f"by Django's test client on the bench database, `DEBUG=0`, {SAMPLES} timed requests "
        f"after 5 warm-up ones; open requests spread over pending, in review and needs "
        f"information, one in four expedited ({other_open} other open requests were already "
        "there).\n\n"
        + table(
            ["open requests", "median ms", "p95 ms"],
            [
                [f"{SMALL:,}", f"{small['median']:.1f}", f"{small['p95']:.1f}"],
                [f"{LARGE:,}", f"{large['median']:.1f}", f"{large['p95']:.1f}"],
            ],
        )
        + f"\n\nRatio {LARGE:,} / {SMALL:,}: **{ratio:.2f}** (target at most "
        f"{QUEUE_TARGET_RATIO:g}): **{verdict}**. The page reads in the order of a partial "
        "index on the open requests' due time, so the first page costs the same however "
        "many are open; what still grows is the `COUNT(*)` for the pager.\n"
    )


def add_overrides_past_end(count: int) -> None:
    """Active overrides that ended yesterday, with their requests (bulk data)."""
    from django.utils import timezone

    from policies.models import Policy
    from priorauth.models import Override, OverrideRequest

    remove_bench_rows()
    add_open_requests(count, 0)
    policy = Policy.objects.get(code="cigna-ms-kesimpta-dqm")
    criterion = policy.criteria.get(number=1)
    today = timezone.localdate()
    requests = list(
        OverrideRequest.objects.filter(clinical_notes=MARK).values_list("id", "member_id")
    )
    OverrideRequest.objects.filter(clinical_notes=MARK).update(status="approved")
    batch = []
    for n, (request_id, member_id) in enumerate(requests):
        batch.append(
            Override(
                request_id=request_id,
                member_id=member_id,
                policy=policy,
                policy_code=policy.code,
                criterion=criterion,
                authorization_number=f"BENCH{n:09d}",
                one_time=True,
                starts_on=today - timedelta(days=30),
                ends_on=today - timedelta(days=1),
            )
        )
        if len(batch) == 5_000:
            Override.objects.bulk_create(batch)
            batch = []
            say(f"\r  overrides {n + 1:,}", end="")
            fresh_plans("priorauth_override")
    Override.objects.bulk_create(batch)
    say()


def expiry_benchmark() -> str:
    from django.db import connection

    from priorauth import services
    from priorauth.models import Override

    say(f"expiry: {OVERRIDES:,} active overrides past their end")
    add_overrides_past_end(OVERRIDES)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE priorauth_override")
    history_before = Override.history.count()
    started = time.perf_counter()
    changed = services.overrides_expire()
    seconds = time.perf_counter() - started
    history_rows = Override.history.count() - history_before
    again_started = time.perf_counter()
    again = services.overrides_expire()
    again_seconds = time.perf_counter() - again_started
    verdict = "PASS" if seconds <= EXPIRY_TARGET_SECONDS and changed == OVERRIDES else "MISS"
    say(
        f"  expired {changed:,} in {seconds:.1f} s ({history_rows:,} history rows); "
        f"second run {again} in {again_seconds:.2f} s: {verdict}"
    )
    remove_bench_rows()
    return (
        "## Override expiry\n\n"
        f"`services.overrides_expire()` (what the beat task and `manage.py expire_overrides` "
        f"run) on {OVERRIDES:,} active overrides whose last day was yesterday, in batches of "
        "1,000, each batch locked with `SKIP LOCKED`, updated and given history rows in bulk.\n\n"
        + table(
            ["run", "overrides expired", "history rows", "seconds"],
            [
                ["first", f"{changed:,}", f"{history_rows:,}", f"{seconds:.1f}"],
                ["second (nothing left)", f"{again:,}", "0", f"{again_seconds:.2f}"],
            ],
        )
        + f"\n\nTarget: at most {EXPIRY_TARGET_SECONDS:g} s on PostgreSQL: **{verdict}**.\n"
    )


def main() -> int:
    setup_django()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    box = machine()
    about = (
        f"Last run {started} on {box['CPUs (nproc)']} CPUs ({box['CPU']}), {box['memory']}, "
        f"Python {box['Python']}, PostgreSQL {version} on the same machine.\n\n"
    )
    queue_text = queue_benchmark()
    write_section(DOCS, "queue", queue_text.replace("\n\n", "\n\n" + about, 1))
    expiry_text = expiry_benchmark()
    write_section(DOCS, "expiry", expiry_text.replace("\n\n", "\n\n" + about, 1))
    say(f"wrote {DOCS.relative_to(Path.cwd()) if DOCS.is_relative_to(Path.cwd()) else DOCS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
