"""Hardening probes: what guessing, a fuzzer and an out-of-window claim get, on gunicorn
with production settings (DEBUG off) on PostgreSQL.

    .venv/bin/python -m benchmarks hardening [--quick]

1. Sign-in: wrong passwords the server checks before it locks the account and address,
   at /accounts/login/ and /admin/login/ (target: at most 10); the right password
   straight after must be refused. API: wrong tokens checked before 429.
2. Fuzz: schemathesis, a bounded number of examples per operation, for every role's
   token; server errors (5xx) counted (target: 0).
3. Claims dated outside the member's coverage or past the filing window, and one dated
   year 1 for 9,999,999 pens: how many paid (target: 0). A covered, in-window claim per
   member is sent too, and must pay, so the probe can see a payment when there is one.
"""

import subprocess
import sys
import tempfile
import uuid
from datetime import timedelta

from benchmarks import harness, probes
from benchmarks.report import BASE_DIR, last_run_note, publish, say, table, verdict

SECTION = "hardening"
TARGET_WRONG_PASSWORDS = 10  # accepted before lockout, at most
TARGET_SERVER_ERRORS = 0
TARGET_PAID_OUTSIDE = 0
ATTEMPTS = 50  # wrong passwords or tokens tried at most per probe
FULL_MEMBERS, QUICK_MEMBERS = 100, 10
PASSWORD = "bench-" + uuid.uuid4().hex  # this run's only; the users are bench users


def run(args, bench: harness.Bench) -> None:
    from benchmarks import fuzz

    members = QUICK_MEMBERS if args.quick else FULL_MEMBERS
    about = last_run_note(harness.postgres_info()["server_version"])
    say("hardening: sign-in lockout, API fuzz, claims outside coverage and filing window")
    users = _prepare_users()
    env = _server_environment(bench.env)
    with harness.Gunicorn(
        workers=2,
        env=env,
        ready_path="/api/v1/overrides/?limit=1",
        token=users["pharmacist"],
        app=args.app,
    ) as server:
        base = f"http://127.0.0.1:{server.port}"
        # A person per door: the first lockout locks its account for the other door too.
        lockouts = [
            probes.sign_in_lockout(
                base, path, username=person, password=PASSWORD, address=address, attempts=ATTEMPTS
            )
            for path, person, address in (
                ("/accounts/login/", users["people"][0], "198.51.100.1"),
                ("/admin/login/", users["people"][1], "198.51.100.2"),
            )
        ]
        tokens_checked = probes.bad_tokens_before_throttle(
            base, address="198.51.100.3", attempts=ATTEMPTS
        )
        claims = _claims_outside_the_window(base, users, members)
        errors = fuzz.server_errors(base, users["tokens"], quick=args.quick)
    publish(
        SECTION,
        _report(about, lockouts, tokens_checked, claims, errors),
        skipped_because=args.docs_skipped_because,
    )


def _prepare_users() -> dict:
    """A person to guess the password of, and a token for every role (bench users)."""
    from axes.models import AccessAttempt, AccessFailureLog

    from benchmarks import data
    from priorauth import roles

    # A run starts with no lockouts left from the last one (they last 15 minutes).
    AccessAttempt.objects.all().delete()
    AccessFailureLog.objects.all().delete()
    people = []
    for number in (1, 2):
        person = data.bench_user(f"bench-person-{number}", roles.CLINICAL_PHARMACIST)
        person.is_staff = True
        person.set_password(PASSWORD)
        person.save()
        people.append(person.username)
    tokens = {
        role: data.token_for(data.bench_user(f"bench-{role.lower().replace(' ', '-')}", role))
        for role in roles.ALL_ROLES
    }
    tokens["no role"] = data.token_for(_user_without_role())
    return {
        "people": people,
        "pharmacist": tokens[roles.CLINICAL_PHARMACIST],
        "intake": tokens[roles.INTAKE],
        "claims": tokens[roles.CLAIMS_SYSTEM],
        "tokens": tokens,
    }


def _user_without_role():
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(username="bench-no-role")
    user.groups.clear()
    return user


def _server_environment(env: dict[str, str]) -> dict[str, str]:
    """Production settings behind one proxy, a shared cache, collected static files."""
    import redis

    static_root = tempfile.mkdtemp(prefix="bench-static-")
    env = {**env, "PRIORAUTH_PROXY_COUNT": "1", "STATIC_ROOT": static_root}
    # With DEBUG off the pages name hashed static files: collect them as production does.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        env=env,
        cwd=BASE_DIR,
        check=True,
    )
    cache_url = "redis://127.0.0.1:6379/14"
    try:
        redis.Redis.from_url(cache_url).flushdb()  # no throttle counts from the last run
        env["CACHE_URL"] = cache_url
    except redis.exceptions.ConnectionError:
        say("  no Redis: each worker counts failed tokens on its own (CACHE_URL unset)")
    return env


def _claims_outside_the_window(base: str, users: dict, members: int) -> dict[str, int]:
    """Members covered from 60 to 10 days ago; claims before, after, too old, and year 1."""
    from django.utils import timezone

    today = timezone.localdate()
    intake = probes.Client(base, "198.51.100.4", token=users["intake"])
    claims = probes.Client(base, "198.51.100.4", token=users["claims"])
    run_id = uuid.uuid4().hex[:6].upper()
    outside = {
        "before coverage": (today - timedelta(days=61), "1"),
        "after coverage": (today - timedelta(days=5), "1"),
        "past the filing window": (today - timedelta(days=91), "1"),
        "year 1, 9,999,999 pens": (today.replace(year=1, month=1, day=1), "9999999"),
    }
    paid = dict.fromkeys([*outside, "covered, in the window (must pay)"], 0)
    for number in range(members):
        member_id = f"HP{run_id}{number:04d}"
        _create_member(intake, member_id, today)
        for label, (on, quantity) in outside.items():
            paid[label] += _paid(claims, member_id, on, quantity)
        paid["covered, in the window (must pay)"] += _paid(
            claims, member_id, today - timedelta(days=30), "1"
        )
    return paid


def _create_member(client: probes.Client, member_id: str, today) -> None:
    answer = client.request(
        "POST",
        "/api/v1/members/",
        body={
            "member_id": member_id,
            "first_name": "Probe",
            "last_name": "Member",
            "date_of_birth": "1980-01-01",
            "line_of_business": "commercial",
            "coverage_start": (today - timedelta(days=60)).isoformat(),
            "coverage_end": (today - timedelta(days=10)).isoformat(),
        },
    )
    if answer.status != 201:
        raise RuntimeError(f"member {member_id}: HTTP {answer.status} {answer.body[:200]!r}")


def _paid(client: probes.Client, member_id: str, on, quantity: str) -> int:
    from benchmarks.data import KESIMPTA_NDC

    answer = client.request(
        "POST",
        "/api/v1/claims/",
        body={
            "member_id": member_id,
            "ndc": KESIMPTA_NDC,
            "quantity": quantity,
            "days_supply": 28,
            "channel": "retail",
            "date_of_service": on.isoformat(),
        },
    )
    if answer.status != 201:
        raise RuntimeError(f"claim for {member_id}: HTTP {answer.status} {answer.body[:200]!r}")
    return int(answer.json()["status"] == "paid")


def _report(about, lockouts, tokens_checked, claims, errors) -> str:
    from django.conf import settings

    rows = [
        [
            f"wrong passwords until lockout, {result.path}",
            str(result.wrong_accepted),
            f"≤ {TARGET_WRONG_PASSWORDS}",
            verdict(result.wrong_accepted <= TARGET_WRONG_PASSWORDS and result.right_refused),
        ]
        for result in lockouts
    ]
    rows += [
        [
            "the right password straight after",
            ", ".join("refused" if r.right_refused else "ACCEPTED" for r in lockouts),
            "refused",
            verdict(all(r.right_refused for r in lockouts)),
        ],
        [
            "wrong API tokens checked before 429, one address",
            str(tokens_checked),
            f"≤ {settings.PRIORAUTH_TOKEN_FAILURE_LIMIT}",
            verdict(tokens_checked <= settings.PRIORAUTH_TOKEN_FAILURE_LIMIT),
        ],
        [
            f"server errors in the fuzz ({errors.requests:,} requests, {errors.roles} roles)",
            str(errors.server_errors),
            str(TARGET_SERVER_ERRORS),
            verdict(errors.server_errors <= TARGET_SERVER_ERRORS),
        ],
    ]
    control = "covered, in the window (must pay)"
    for label, count in claims.items():
        if label == control:
            rows.append([f"claims {label}", str(count), "all", verdict(count > 0)])
        else:
            rows.append(
                [f"claims paid {label}", str(count), str(TARGET_PAID_OUTSIDE), verdict(count == 0)]
            )
    for row in rows:
        say(f"  {row[0]}: {row[1]} (target {row[2]}) {row[3]}")
    return (
        "## Hardening probes\n\n"
        f"{about}"
        "`python -m benchmarks hardening`: gunicorn with DEBUG off behind one trusted "
        "proxy (each probe its own X-Forwarded-For address), Redis as the shared cache.\n\n"
        + table(["probe", "measured", "target", ""], rows)
        + "\n"
    )
