"""manage.py seed_demo: synthetic demo data for every policy in force today.

No real patient data: names come from short fixed lists of common names, member
IDs are DEMO000001, DEMO000002, ..., and the generator is seeded, so two runs on
the same day make the same data. Every domain write (members, claims, requests,
decisions) goes through priorauth.services, so the demo claims are adjudicated and
the requests decided by the real rules; the only exception is the back-dating of
request receipt times, explained where it happens.

Idempotent: if demo members exist already, only the demo users and their tokens
are (re)ensured. Everything happens in one transaction, so a failure leaves nothing
half-seeded.
"""

import os
import random
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from rest_framework.authtoken.models import Token

from policies.models import Channel, Criterion, CriterionGrant, Policy, QuantityLimit
from policies.rules import describe_quantity
from priorauth import roles, services
from priorauth.errors import ServiceError
from priorauth.models import (
    OPEN_REQUEST_STATUSES,
    Claim,
    ClaimStatus,
    DecisionOutcome,
    Member,
    Override,
    OverrideRequest,
    OverrideStatus,
    RequestStatus,
    Urgency,
)
from priorauth.validators import npi_check_digit_ok

# The one policy the demo needs; everything else is read from whatever is loaded.
REQUIRED_POLICY_CODE = "cigna-ms-kesimpta-dqm"
DEMO_PREFIX = "DEMO"
DEFAULT_PASSWORD = "priorauth-demo"
SEED = 2026
DEFAULT_MEMBERS = 60
MIN_MEMBERS = 12

# username, role (group), is_staff (the admin site needs it)
DEMO_USERS = (
    ("pharmacist", roles.CLINICAL_PHARMACIST, False),
    ("pharmacist2", roles.CLINICAL_PHARMACIST, False),
    ("policyadmin", roles.POLICY_ADMIN, True),
    ("intake", roles.INTAKE, False),
    ("claims", roles.CLAIMS_SYSTEM, False),
    ("auditor", roles.AUDITOR, True),
)

FIRST_NAMES = (
    "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda",
    "David", "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica",
    "Thomas", "Sarah", "Daniel", "Karen", "Maria", "Carlos", "Aisha", "Wei",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
    "Rodriguez", "Martinez", "Hernandez", "Lopez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Nguyen", "Patel", "Kim", "Clark",
)  # fmt: skip
PLAN_NAMES = {
    "commercial": ("Demo PPO", "Demo HMO", "Demo HDHP"),
    "medicare": ("Demo Medicare Advantage",),
    "medicaid": ("Demo Medicaid Managed Care",),
    "exchange": ("Demo Exchange Silver",),
}
DOB_FIRST = date(1950, 1, 1)
DOB_LAST = date(2000, 12, 31)


def _synthetic_npi(base: str) -> str:
    """A 10-digit NPI whose check digit holds (synthetic: not a real prescriber)."""
    return next(base + d for d in "0123456789" if npi_check_digit_ok(base + d))


PRESCRIBER_NPIS = tuple(
    _synthetic_npi(base)
    for base in ("123456789", "198765432", "154321098", "176543210", "143219876", "165432109")
)

# Members: what their claim history looks like.
NEW_START = "new start"  # no fills yet
RETAIL = "retail"  # monthly retail maintenance fills
HOME_DELIVERY = "home delivery"  # retail first, then switched to home delivery
EARLY_REFILL = "early refill"  # retail maintenance with one rejected early refill

# Requests: what the requester is asking for.
INITIATION = "initiation"  # criterion attested: starting therapy
REINDUCTION = "reinduction"  # criterion attested: additional induction dosing
OTHER = "other"  # no criterion: lost/damaged supply, travel

# How many requests end in each status, per 36 requests.
STATUS_WEIGHTS = {
    RequestStatus.APPROVED: 8,
    RequestStatus.DENIED: 5,
    RequestStatus.WITHDRAWN: 3,
    RequestStatus.NEEDS_INFO: 5,
    RequestStatus.IN_REVIEW: 6,
    RequestStatus.PENDING: 9,
}

INITIATION_NOTES = (
    "New start. Neurology office called: first dose planned for {soon:%m/%d}, patient was "
    "trained on the {unit} at today's visit. The induction schedule needs {qty} for the "
    "first {days} days, above the plan limit of {limit}. No prior {product} fills in claims "
    "history.",
    "Patient switching from another disease-modifying therapy (washout completed per "
    "prescriber). Initiating {product}; Rx written for the loading doses: {qty} for {days} "
    "days at {channel}. Confirmed with the prescriber's MA that this is induction, not the "
    "ongoing maintenance quantity.",
    "Rx received for {qty} / {days} days at {channel}. Claims show no previous {product} "
    "fills; prescriber attests the patient is initiating treatment. Loading doses first, then "
    "maintenance within the limit of {limit}.",
    "Newly diagnosed, treatment-naive. Prescriber wants induction dosing started before the "
    "patient's next MRI. Requesting {qty} for the first {days} days. Spoke with the office "
    "to confirm the start date ({soon:%m/%d}).",
)
REINDUCTION_NOTES = (
    "On {product} maintenance since {since:%m/%d/%Y}. Therapy was held for about 3 months "
    "for an infection; prescriber is restarting with additional induction dosing. "
    "Requesting {qty} for {days} days at {channel}.",
    "Member has maintenance fills since {since:%m/%d/%Y}. Prescriber documents a treatment "
    "interruption and asks for repeat induction doses before resuming the usual schedule: "
    "{qty} for {days} days.",
)
OTHER_NOTES = (
    "Patient reports the {unit} was dropped and damaged before the dose was given; the "
    "device complaint was filed with the manufacturer. Requesting a replacement ({qty} for "
    "{days} days) ahead of the next fill date. Not an induction request.",
    "Patient left the refrigerated {unit} in the car over the weekend and the product was "
    "discarded. Requesting an early replacement fill of {qty}. Last fill {last:%m/%d/%Y}.",
    "Travelling abroad for several weeks; requesting an early fill to cover the trip "
    "(vacation supply). Currently on maintenance, no change in dose.",
)
HOME_DELIVERY_OTHER_NOTES = (
    "Pharmacy reports the {unit} was lost in the mail (home delivery tracking shows it "
    "delivered to the wrong address). Requesting a replacement of {qty}.",
)
# Short on purpose: the services copy pend and withdrawal reasons into the history
# change reason, a 100-character column (PostgreSQL refuses longer values).
PEND_REASONS = (
    "Please send the chart note with the induction schedule and first dose date.",
    "Need the date the previous therapy was stopped: is this a restart?",
    "Please confirm the quantity: the Rx and the request form differ.",
)
ANSWER_NOTES = (
    "Office faxed the chart note (2 pages): first dose given in clinic, remaining loading "
    "doses at home per the schedule.",
    "Prescriber's MA confirmed by phone: restart after a treatment interruption; Rx quantity "
    "is correct.",
)
WITHDRAW_REASONS = (
    "Prescriber's office: the patient will start a different therapy.",
    "Duplicate of a request already submitted by fax.",
    "The pharmacy re-billed within the limit; no override needed.",
)


@dataclass
class DemoPolicy:
    """A policy in force today and what the demo uses from it."""

    policy: Policy
    ndc: str
    product_name: str
    unit: str
    limits: dict[str, QuantityLimit]
    criterion: Criterion | None
    grants: dict[str, CriterionGrant]

    @property
    def maintenance_limit(self) -> QuantityLimit:
        return self.limits.get(Channel.RETAIL) or next(iter(self.limits.values()))


@dataclass
class DemoMember:
    member: Member
    policy: DemoPolicy
    kind: str
    fills: list[Claim] = field(default_factory=list)


@dataclass
class PlannedRequest:
    who: DemoMember
    kind: str
    status: str = RequestStatus.PENDING
    urgency: str = Urgency.STANDARD
    request: OverrideRequest | None = None
    overdue: bool = False


class Command(BaseCommand):
    help = (
        "Create synthetic demo data (users with tokens, members, claims, override requests in "
        "every status) for the policies in force today. Running it again changes nothing but "
        "the demo users' passwords (reset to DEMO_PASSWORD) and prints the logins."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--members",
            type=int,
            default=DEFAULT_MEMBERS,
            help=f"How many synthetic members to create (default {DEFAULT_MEMBERS}, "
            f"at least {MIN_MEMBERS}).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off. Demo users get known passwords: never in production.",
        )

    def handle(self, *args, members, force=False, **options):
        started = time.monotonic()
        if not (settings.DEBUG or force):
            # Demo users with a printed password must never appear on a real system.
            raise CommandError(
                "seed_demo makes users with known passwords; it runs only with DEBUG on "
                "(or --force on a machine that is not production)."
            )
        if not Policy.objects.filter(code=REQUIRED_POLICY_CODE).exists():
            raise CommandError(
                f"The policy {REQUIRED_POLICY_CODE} is not loaded. Run "
                "`manage.py load_policy policies/data/*.yaml` first, then seed_demo again."
            )
        if members < MIN_MEMBERS:
            raise CommandError(f"--members must be at least {MIN_MEMBERS} (got {members}).")
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD
        try:
            with transaction.atomic():
                logins = self._ensure_users(password)
                if Member.objects.filter(member_id__startswith=DEMO_PREFIX).exists():
                    self.stdout.write(
                        "demo data already present: no members, claims or requests were added "
                        "(demo users and tokens ensured)."
                    )
                else:
                    users = {username: user for username, _, user, _ in logins}
                    Seeder(users=users, stdout=self.stdout).run(members)
        except ServiceError as exc:
            raise CommandError(f"Seeding failed and nothing was written: {exc}") from exc
        self._print_summary()
        self._print_logins(logins, password)
        self.stdout.write(f"seed_demo finished in {time.monotonic() - started:.1f} s.")

    def _ensure_users(self, password: str):
        groups = {g.name: g for g in Group.objects.filter(name__in=roles.ALL_ROLES)}
        missing = [name for name in roles.ALL_ROLES if name not in groups]
        if missing:
            raise CommandError(
                f"The role groups {', '.join(missing)} are missing: run `manage.py migrate` first."
            )
        user_model = get_user_model()
        logins = []
        for username, role, is_staff in DEMO_USERS:
            user, created = user_model.objects.get_or_create(username=username)
            # Set the password only when it differs: re-hashing an unchanged password
            # would log the demo users out of every session for nothing.
            if created or not user.check_password(password):
                user.set_password(password)
            if is_staff:
                user.is_staff = True
            user.is_active = True
            user.save()
            user.groups.set([groups[role]])
            token, _ = Token.objects.get_or_create(user=user)
            logins.append((username, role, user, token.key))
        return logins

    def _print_summary(self) -> None:
        demo_members = Member.objects.filter(member_id__startswith=DEMO_PREFIX)
        claims = Claim.objects.filter(member__in=demo_members)
        requests = OverrideRequest.objects.filter(member__in=demo_members)
        overrides = Override.objects.filter(member__in=demo_members)

        def by_status(queryset, choices) -> str:
            counts = dict(queryset.values_list("status").annotate(n=Count("id")).order_by())
            total = sum(counts.values())
            parts = ", ".join(f"{label} {counts.get(value, 0)}" for value, label in choices)
            return f"{total} ({parts})"

        overdue = requests.filter(
            status__in=OPEN_REQUEST_STATUSES, due_at__lt=timezone.now()
        ).count()
        self.stdout.write("")
        self.stdout.write(f"Demo data (member IDs {DEMO_PREFIX}…):")
        self.stdout.write(f"  members:           {demo_members.count()}")
        self.stdout.write(f"  claims:            {by_status(claims, ClaimStatus.choices)}")
        self.stdout.write(
            f"  override requests: {by_status(requests, RequestStatus.choices)}; "
            f"{overdue} open and overdue"
        )
        self.stdout.write(f"  overrides:         {by_status(overrides, OverrideStatus.choices)}")

    def _print_logins(self, logins, password: str) -> None:
        header = ("username", "role", "password", "token")
        rows = [(username, role, password, token) for username, role, _, token in logins]
        widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]

        def line(cells) -> str:
            padded = (cell.ljust(width) for cell, width in zip(cells, widths, strict=True))
            return "  ".join(padded).rstrip()

        self.stdout.write("")
        self.stdout.write("Demo logins (synthetic; set DEMO_PASSWORD to choose the password):")
        self.stdout.write("  " + line(header))
        self.stdout.write("  " + line("-" * w for w in widths))
        for row in rows:
            self.stdout.write("  " + line(row))


class Seeder:
    """Creates the members, claims and requests. Runs inside the command's transaction."""

    def __init__(self, *, users, stdout):
        self.users = users
        self.stdout = stdout
        self.rng = random.Random(SEED)
        self.today = timezone.localdate()
        self.now = timezone.now()

    def run(self, member_count: int) -> None:
        policies = self._policies()
        members = self._members(member_count, policies)
        for who in members:
            self._claims(who)
        self._reverse_one(members)
        for demo_policy in policies:
            group = [who for who in members if who.policy is demo_policy]
            self._requests(demo_policy, group)
        self._one_past_its_end()

    def _one_past_its_end(self) -> None:
        """Leave one override stored `active` although its last day has passed.

        This is the state the expiry task exists for: after `make run`, beat flips it
        to `expired` within PRIORAUTH_EXPIRY_INTERVAL_SECONDS, and meanwhile no claim
        may use it (the check reads the dates, not the stored status).
        """
        override = Override.objects.filter(status=OverrideStatus.ACTIVE).order_by("id").first()
        if override is None:
            return
        Override.objects.filter(pk=override.pk).update(
            starts_on=self.today - timedelta(days=33), ends_on=self.today - timedelta(days=4)
        )
        self.stdout.write(
            f"Override {override.authorization_number} ended on "
            f"{self.today - timedelta(days=4)} but is stored active: the expiry task will "
            "mark it expired on its next run."
        )

    # --- Policies ---------------------------------------------------------------

    def _policies(self) -> list[DemoPolicy]:
        found = []
        seen_codes = set()
        in_force = (
            Policy.objects.in_force(self.today)
            .order_by("code", "-effective_from")
            .prefetch_related("products__ndcs", "limits", "criteria__grants")
        )
        for policy in in_force:
            if policy.code in seen_codes:
                continue  # an older version of a policy already chosen
            seen_codes.add(policy.code)
            products = sorted(policy.products.all(), key=lambda p: p.pk)
            ndcs = sorted(products[0].ndcs.all(), key=lambda n: n.pk) if products else []
            limits = {limit.channel: limit for limit in policy.limits.all()}
            if not ndcs or not limits:
                self.stdout.write(f"skipping {policy.code}: it has no product NDC or no limit.")
                continue
            criteria = sorted(policy.criteria.all(), key=lambda c: c.number)
            criterion = criteria[0] if criteria else None
            grants = {g.channel: g for g in criterion.grants.all()} if criterion else {}
            found.append(
                DemoPolicy(
                    policy=policy,
                    ndc=ndcs[0].ndc,
                    product_name=products[0].name,
                    unit=products[0].unit,
                    limits=limits,
                    criterion=criterion,
                    grants=grants,
                )
            )
        if not found:
            raise CommandError(
                f"No policy with a product NDC and a limit is in force on {self.today}; "
                "load one with `manage.py load_policy`."
            )
        return found

    # --- Members ----------------------------------------------------------------

    def _members(self, count: int, policies: list[DemoPolicy]) -> list[DemoMember]:
        rng = self.rng
        span = (DOB_LAST - DOB_FIRST).days
        members = []
        for number in range(1, count + 1):
            demo_policy = policies[(number - 1) % len(policies)]
            line_of_business = demo_policy.policy.line_of_business
            member = services.member_create(
                member_id=f"{DEMO_PREFIX}{number:06d}",
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
                date_of_birth=DOB_FIRST + timedelta(days=rng.randint(0, span)),
                line_of_business=line_of_business,
                plan_name=rng.choice(PLAN_NAMES.get(line_of_business, ("Demo Plan",))),
            )
            members.append(DemoMember(member=member, policy=demo_policy, kind=RETAIL))
        # Per policy: 40% new starts, 20% switched to home delivery, 10% with a rejected
        # early refill, the rest on plain monthly retail fills.
        for demo_policy in policies:
            group = [who for who in members if who.policy is demo_policy]
            rng.shuffle(group)
            n = len(group)
            switchers = round(n * 0.2) if len(demo_policy.limits) > 1 else 0
            kinds = (
                [NEW_START] * round(n * 0.4)
                + [HOME_DELIVERY] * switchers
                + [EARLY_REFILL] * max(1, round(n * 0.1))
            )
            for who, kind in zip(group, kinds, strict=False):
                who.kind = kind
        return members

    # --- Claims -----------------------------------------------------------------

    def _claim(self, who: DemoMember, channel: str, quantity: Decimal, days: int, on: date):
        claim = services.claim_adjudicate(
            member_id=who.member.member_id,
            ndc=who.policy.ndc,
            quantity=quantity,
            days_supply=days,
            channel=channel,
            date_of_service=on,
            submitted_by=self.users["claims"],
        )
        who.fills.append(claim)
        return claim

    def _claims(self, who: DemoMember) -> None:
        """About six months of fills, oldest first (the rule reads the earlier fills)."""
        if who.kind == NEW_START:
            return
        rng = self.rng
        demo_policy = who.policy
        maintenance = demo_policy.maintenance_limit
        home = demo_policy.limits.get(Channel.HOME_DELIVERY)
        switch_after = rng.randint(2, 3) if who.kind == HOME_DELIVERY else None
        early_at = rng.randint(2, 4) if who.kind == EARLY_REFILL else None
        day = self.today - timedelta(days=rng.randint(150, 185))
        fill = 0
        while day <= self.today:
            limit = home if switch_after is not None and fill >= switch_after else maintenance
            if fill == early_at:
                # A refill a third of the days supply too early: the supply is still on hand.
                early = day - timedelta(days=max(1, limit.per_days // 3))
                self._claim(who, limit.channel, limit.max_quantity, limit.per_days, early)
            self._claim(who, limit.channel, limit.max_quantity, limit.per_days, day)
            fill += 1
            # The next fill when this supply runs out, or a few days late.
            day += timedelta(days=limit.per_days + rng.randint(0, 3))

    def _reverse_one(self, members: list[DemoMember]) -> None:
        """The pharmacy reverses one member's latest fill (e.g. never picked up)."""
        for who in members:
            if who.kind == RETAIL and who.fills and who.fills[-1].status == ClaimStatus.PAID:
                services.claim_reverse(claim_id=who.fills[-1].pk)
                return

    # --- Override requests ------------------------------------------------------

    def _requests(self, demo_policy: DemoPolicy, group: list[DemoMember]) -> None:
        rng = self.rng
        planned = self._plan(demo_policy, group)
        # Submit in a shuffled order so request IDs do not follow the statuses.
        rng.shuffle(planned)
        for plan in planned:
            if rng.random() < 0.25:
                plan.urgency = Urgency.EXPEDITED
        # The queue always shows an expedited request waiting for a pharmacist.
        first_pending = next((p for p in planned if p.status == RequestStatus.PENDING), None)
        if first_pending is not None:
            first_pending.urgency = Urgency.EXPEDITED
        for plan in planned:
            plan.request = self._submit(demo_policy, plan)
        for index, plan in enumerate(planned):
            self._move(demo_policy, plan, index)
        self._induction_claims(demo_policy, planned)
        self._backdate(planned)

    def _plan(self, demo_policy: DemoPolicy, group: list[DemoMember]) -> list[PlannedRequest]:
        """Who asks for what, and which status each request ends in."""
        rng = self.rng
        n = min(len(group), max(len(STATUS_WEIGHTS), round(len(group) * 0.6)))
        by_kind = {kind: [w for w in group if w.kind == kind] for kind in (NEW_START, EARLY_REFILL)}
        established = [w for w in group if w.kind in (RETAIL, HOME_DELIVERY)]
        planned = [PlannedRequest(who, INITIATION) for who in by_kind[NEW_START]]
        planned += [PlannedRequest(who, OTHER) for who in by_kind[EARLY_REFILL]]
        planned += [
            PlannedRequest(who, REINDUCTION if i % 2 == 0 else OTHER)
            for i, who in enumerate(established)
        ]
        planned = planned[:n]
        if demo_policy.criterion is None:
            for plan in planned:
                plan.kind = OTHER  # nothing to attest, nothing to approve under

        counts = self._status_counts(n, can_approve=demo_policy.criterion is not None)
        attested = [p for p in planned if p.kind != OTHER]
        other = [p for p in planned if p.kind == OTHER]
        rng.shuffle(attested)
        rng.shuffle(other)
        # Approvals only where a criterion is attested; denials mostly where none is.
        approved = attested[: counts[RequestStatus.APPROVED]]
        attested = attested[len(approved) :]
        counts[RequestStatus.DENIED] += counts[RequestStatus.APPROVED] - len(approved)
        denied_other = other[: max(0, counts[RequestStatus.DENIED] - 1)]
        other = other[len(denied_other) :]
        rest = attested + other
        rng.shuffle(rest)
        denied = denied_other + rest[: counts[RequestStatus.DENIED] - len(denied_other)]
        rest = rest[len(denied) - len(denied_other) :]
        for plan in approved:
            plan.status = RequestStatus.APPROVED
        for plan in denied:
            plan.status = RequestStatus.DENIED
        for status in (
            RequestStatus.WITHDRAWN,
            RequestStatus.NEEDS_INFO,
            RequestStatus.IN_REVIEW,
            RequestStatus.PENDING,
        ):
            for plan in rest[: counts[status]]:
                plan.status = status
            rest = rest[counts[status] :]
        return planned

    @staticmethod
    def _status_counts(n: int, *, can_approve: bool) -> dict[str, int]:
        if n < len(STATUS_WEIGHTS):
            # A policy with only a handful of demo members: one request per status, the
            # commonest first.
            order = [RequestStatus.PENDING, RequestStatus.APPROVED, RequestStatus.IN_REVIEW]
            order += [RequestStatus.NEEDS_INFO, RequestStatus.DENIED, RequestStatus.WITHDRAWN]
            if not can_approve:
                order.remove(RequestStatus.APPROVED)
            return {s: int(s in order[:n]) for s in STATUS_WEIGHTS}
        weights = dict(STATUS_WEIGHTS)
        if not can_approve:
            weights[RequestStatus.DENIED] += weights[RequestStatus.APPROVED]
            weights[RequestStatus.APPROVED] = 0
        total = sum(weights.values())
        counts = {s: max(1, n * w // total) if w else 0 for s, w in weights.items()}
        counts[RequestStatus.PENDING] += n - sum(counts.values())
        return counts

    def _submit(self, demo_policy: DemoPolicy, plan: PlannedRequest) -> OverrideRequest:
        rng = self.rng
        who = plan.who
        paid = [claim for claim in who.fills if claim.status == ClaimStatus.PAID]
        last_fill = paid[-1] if paid else None
        if plan.kind == OTHER:
            # A replacement of the usual fill, in the channel the member fills in.
            channel = last_fill.channel if last_fill else demo_policy.maintenance_limit.channel
            limit = demo_policy.limits.get(channel) or demo_policy.maintenance_limit
            quantity, days = limit.max_quantity, limit.per_days
            notes = OTHER_NOTES
            if channel == Channel.HOME_DELIVERY:
                notes += HOME_DELIVERY_OTHER_NOTES
            template = rng.choice(notes)
            criterion_number = None
        else:
            channels = list(demo_policy.grants)
            channel = Channel.RETAIL if Channel.RETAIL in channels else channels[0]
            if len(channels) > 1 and rng.random() < 0.2:
                channel = next(c for c in channels if c != channel)
            grant = demo_policy.grants[channel]
            quantity, days = grant.max_quantity, grant.per_days
            notes = INITIATION_NOTES if plan.kind == INITIATION else REINDUCTION_NOTES
            template = rng.choice(notes)
            criterion_number = demo_policy.criterion.number
        limit = demo_policy.limits.get(channel) or demo_policy.maintenance_limit
        clinical_notes = template.format(
            product=demo_policy.product_name,
            unit=demo_policy.unit,
            qty=describe_quantity(quantity, demo_policy.unit),
            days=days,
            channel=Channel(channel).label,
            limit=(
                f"{describe_quantity(limit.max_quantity, demo_policy.unit)} per "
                f"{limit.per_days} days at {limit.get_channel_display()}"
            ),
            soon=self.today + timedelta(days=rng.randint(2, 10)),
            since=who.fills[0].date_of_service if who.fills else self.today,
            last=last_fill.date_of_service if last_fill else self.today,
        )
        return services.override_request_submit(
            member_id=who.member.member_id,
            ndc=demo_policy.ndc,
            quantity=quantity,
            days_supply=days,
            channel=channel,
            prescriber_npi=rng.choice(PRESCRIBER_NPIS),
            urgency=plan.urgency,
            criterion_number=criterion_number,
            clinical_notes=clinical_notes,
            submitted_by=self.users["intake"],
        )

    def _move(self, demo_policy: DemoPolicy, plan: PlannedRequest, index: int) -> None:
        """Walk the request to its planned status the way people would, through the services."""
        rng = self.rng
        pk = plan.request.pk
        pharmacist, pharmacist2 = self.users["pharmacist"], self.users["pharmacist2"]
        intake = self.users["intake"]
        status = plan.status
        if status == RequestStatus.APPROVED:
            if index % 3:
                services.override_request_take(request_id=pk, by=pharmacist)
            services.override_request_decide(
                request_id=pk,
                outcome=DecisionOutcome.APPROVE,
                by=pharmacist,
                criterion_number=demo_policy.criterion.number,
            )
        elif status == RequestStatus.DENIED:
            services.override_request_take(request_id=pk, by=pharmacist)
            reason = demo_policy.policy.otherwise
            if plan.kind != OTHER:
                criterion = demo_policy.criterion
                reason = (
                    f"The documentation sent does not support criterion {criterion.number} "
                    f"({criterion.label}). {reason}"
                )
            services.override_request_decide(
                request_id=pk, outcome=DecisionOutcome.DENY, by=pharmacist, reason=reason
            )
        elif status == RequestStatus.WITHDRAWN:
            if index % 2:
                services.override_request_pend(
                    request_id=pk, reason=rng.choice(PEND_REASONS), by=pharmacist2
                )
            services.override_request_withdraw(
                request_id=pk, reason=rng.choice(WITHDRAW_REASONS), by=intake
            )
        elif status == RequestStatus.NEEDS_INFO:
            services.override_request_take(request_id=pk, by=pharmacist)
            services.override_request_pend(
                request_id=pk, reason=rng.choice(PEND_REASONS), by=pharmacist
            )
        elif status == RequestStatus.IN_REVIEW:
            reviewer = pharmacist if index % 2 else pharmacist2
            services.override_request_take(request_id=pk, by=reviewer)
        elif index % 4 == 1:
            # Pending again after the requester answered a question.
            services.override_request_take(request_id=pk, by=pharmacist2)
            services.override_request_pend(
                request_id=pk, reason=rng.choice(PEND_REASONS), by=pharmacist2
            )
            services.override_request_answer(
                request_id=pk, notes=rng.choice(ANSWER_NOTES), by=intake
            )
        plan.request.refresh_from_db()

    def _induction_claims(self, demo_policy: DemoPolicy, planned: list[PlannedRequest]) -> None:
        """Half the approved new starts have filled the induction quantity today."""
        approved = [
            p for p in planned if p.status == RequestStatus.APPROVED and p.kind == INITIATION
        ]
        for plan in approved[::2]:
            rx = plan.request.prescription
            self._claim(plan.who, rx.channel, rx.quantity, rx.days_supply, self.today)

    def _backdate(self, planned: list[PlannedRequest]) -> None:
        """Spread the receipt times over the last days, some of them past due.

        The services stamp received_at with the current time and have no way to
        receive a request in the past (rightly so). For demo data only, the receipt
        and due times are moved back with a queryset update, keeping due_at =
        received_at + the urgency's clock, so the queue shows realistic ages and some
        overdue requests. The request's history rows keep the real creation time.
        """
        rng = self.rng
        open_seen: dict[str, int] = {}
        for plan in planned:
            request = plan.request
            clock_hours = services.due_in(request.urgency).total_seconds() / 3600
            if request.status in OPEN_REQUEST_STATUSES:
                # The first of each open status, then every third, is overdue.
                seen = open_seen.get(request.status, 0)
                open_seen[request.status] = seen + 1
                plan.overdue = seen % 3 == 0
            if plan.overdue:
                age_hours = clock_hours + rng.uniform(1, 36)
            elif request.status in OPEN_REQUEST_STATUSES:
                age_hours = rng.uniform(0.05, 0.75) * clock_hours
            else:
                age_hours = rng.uniform(0.1, 0.9) * clock_hours
            received_at: datetime = self.now - timedelta(hours=age_hours)
            OverrideRequest.objects.filter(pk=request.pk).update(
                received_at=received_at, due_at=received_at + services.due_in(request.urgency)
            )
