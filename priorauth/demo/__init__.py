"""Synthetic demo data for every policy in force today: `seed()` is the entry point.

Demo users with tokens (users.py); members with months of claim history
(narratives.py, histories.py); override requests in every status, planned
(planner.py) and walked there (walkthrough.py), three answered through the
question set that the system itself approves or leaves to a pharmacist, and denied
requests appealed to each end an appeal can have (appeals.py). The
generator is seeded, so two runs on the same day make the same data. Every domain
write (members, claims, requests, decisions) goes through priorauth.services, so the
demo claims are adjudicated and the requests decided by the real rules; the only
exceptions, moving times into the past, are in backdating.py.

Idempotent: if demo members exist already, only the demo users and their tokens
are (re)ensured. Everything happens in one transaction, so a failure leaves nothing
half-seeded.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from policies.models import Policy
from priorauth.models import Member

from .appeals import plan_appealed_requests, walk_appeals
from .backdating import leave_one_override_past_its_end, spread_receipt_times
from .coverage import policies_in_force
from .histories import create_members, fill_history, reverse_one_latest_fill
from .narratives import DEMO_PREFIX
from .planner import plan_answered_requests, plan_requests
from .prescribers import ensure_prescribers
from .users import Login, demo_password, ensure_users, missing_role_groups
from .walkthrough import walk_requests

__all__ = [
    "DEFAULT_MEMBERS",
    "DEMO_PREFIX",
    "MIN_MEMBERS",
    "REQUIRED_POLICY_CODE",
    "Login",
    "NotSeeded",
    "Seeded",
    "demo_password",
    "required_policy_loaded",
    "seed",
]

# The one policy the demo needs; everything else is read from whatever is loaded.
REQUIRED_POLICY_CODE = "cigna-ms-kesimpta-dqm"
SEED = 2026
DEFAULT_MEMBERS = 60
MIN_MEMBERS = 12


class NotSeeded(Exception):
    """The database lacks what the demo needs; nothing was written."""


@dataclass(frozen=True)
class Seeded:
    logins: list[Login]
    added: bool  # False: demo data was present already, only the users were ensured


def required_policy_loaded() -> bool:
    return Policy.objects.filter(code=REQUIRED_POLICY_CODE).exists()


def seed(member_count: int, *, password: str, say: Callable[[str], None]) -> Seeded:
    """Ensure the demo users; add the demo members and their stories unless present.

    `say` receives the remarks worth telling (a policy skipped, the stale override).
    Raises NotSeeded, or a ServiceError from the services; either way nothing is written.
    """
    with transaction.atomic():
        missing = missing_role_groups()
        if missing:
            raise NotSeeded(
                f"The role groups {', '.join(missing)} are missing: run `manage.py migrate` first."
            )
        logins = ensure_users(password)
        ensure_prescribers()
        if Member.objects.filter(member_id__startswith=DEMO_PREFIX).exists():
            return Seeded(logins=logins, added=False)
        staff = {login.username: login.user for login in logins}
        _seed_members(member_count, staff, say)
    return Seeded(logins=logins, added=True)


def _seed_members(member_count: int, staff: dict, say: Callable[[str], None]) -> None:
    # One generator for the whole run, drawn in a fixed order: the same data every run.
    rng = random.Random(SEED)
    today = timezone.localdate()
    now = timezone.now()
    policies = policies_in_force(today, say)
    if not policies:
        raise NotSeeded(
            f"No policy with a product NDC and a limit is in force on {today}; "
            "load one with `manage.py load_policy`."
        )
    members = create_members(member_count, policies, rng)
    for who in members:
        fill_history(who, rng=rng, today=today, by=staff["claims"])
    reverse_one_latest_fill(members)
    for demo_policy in policies:
        group = [who for who in members if who.policy is demo_policy]
        answered, group = plan_answered_requests(demo_policy, group)
        appealed, group = plan_appealed_requests(demo_policy, group)
        planned = plan_requests(demo_policy, group, rng) + appealed
        walk_requests(demo_policy, planned, rng=rng, today=today, staff=staff)
        spread_receipt_times(planned, rng=rng, now=now)
        # Filed now, after the denial (the services stamp both with the present).
        walk_appeals(demo_policy, appealed, staff=staff)
        # Received just now through the question set, and determined at receipt: not
        # back-dated, so an automatic decision is as old as its request.
        walk_requests(demo_policy, answered, rng=rng, today=today, staff=staff)
    leave_one_override_past_its_end(today, say)
