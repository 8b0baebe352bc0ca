"""Override requests and overrides the queue and expiry benchmarks add in bulk (this is
data, not behaviour: the services are not used), and their removal.

Every row hangs off a request whose clinical notes are MARK, so a run can find and
remove what an earlier one left. Import after django.setup().
"""

import time
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from benchmarks.data import KESIMPTA_NDC, PRESCRIBER_NPI
from benchmarks.report import say
from policies.models import Policy
from priorauth.models import Member, Override, OverrideRequest, Prescriber, Prescription

MARK = "bench-workplace"  # clinical_notes of the rows these benchmarks add
POLICY_CODE = "cigna-ms-kesimpta-dqm"
OPEN_STATUSES = ("pending", "in_review", "needs_info")
BATCH = 5_000


def remove_bench_rows() -> None:
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
    analyze(
        "priorauth_overriderequest",
        "priorauth_prescription",
        "priorauth_override",
        "priorauth_historicaloverride",
        vacuum=True,
    )
    say(f"  cleared earlier rows in {time.perf_counter() - started:.1f} s")


def analyze(*tables: str, vacuum: bool = False) -> None:
    with connection.cursor() as cursor:
        for table_name in tables:
            cursor.execute(f"{'VACUUM ANALYZE' if vacuum else 'ANALYZE'} {table_name}")


def fresh_plans(*tables: str) -> None:
    """Analyze the growing tables and start a new connection.

    PostgreSQL caches the plans of its foreign-key checks per connection. Planned while
    a table was nearly empty (just vacuumed), they scan the whole table, and each bulk
    insert then slows as the table grows. Production connections live a minute.
    """
    analyze(*tables)
    connection.close()


def add_open_requests(count: int, offset: int) -> list:
    """Open requests for existing bench members, spread over the open statuses, one in
    four expedited, due over the next day."""
    policy = Policy.objects.get(code=POLICY_CODE)
    criterion = policy.criteria.get(number=1)
    prescriber, _ = Prescriber.objects.get_or_create(npi=PRESCRIBER_NPI)
    members = list(
        Member.objects.order_by("id").values_list("id", flat=True)[offset : offset + count]
    )
    if len(members) < count:
        raise SystemExit(
            "run `python -m benchmarks claims` first (with the same --quick): it builds the members"
        )
    now = timezone.now()
    created = []
    for start in range(0, count, BATCH):
        chunk = members[start : start + BATCH]
        prescriptions = Prescription.objects.bulk_create(
            Prescription(
                member_id=m,
                prescriber=prescriber,
                ndc=KESIMPTA_NDC,
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
                status=OPEN_STATUSES[(offset + start + i) % 3],
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


def add_overrides_past_end(count: int) -> None:
    """Active one-time overrides that ended yesterday, each with its approved request."""
    remove_bench_rows()
    add_open_requests(count, 0)
    policy = Policy.objects.get(code=POLICY_CODE)
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
        if len(batch) == BATCH:
            Override.objects.bulk_create(batch)
            batch = []
            say(f"\r  overrides {n + 1:,}", end="")
            fresh_plans("priorauth_override")
    Override.objects.bulk_create(batch)
    say()
