"""manage.py seed_demo: synthetic demo data for every policy in force today.

The data and how it is made live in priorauth.demo; this command checks it may run,
calls priorauth.demo.seed() and prints what is there and how to log in.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.utils import timezone

from priorauth import demo
from priorauth.errors import ServiceError
from priorauth.models import (
    OPEN_REQUEST_STATUSES,
    Appeal,
    AppealOutcome,
    AppealStatus,
    Claim,
    ClaimStatus,
    Member,
    Override,
    OverrideRequest,
    OverrideStatus,
    RequestStatus,
)


class Command(BaseCommand):
    help = (
        "Create synthetic demo data (users with tokens, members, claims, override requests and "
        "appeals in every status) for the policies in force today. Running it again changes "
        "nothing but the demo users' passwords (reset to DEMO_PASSWORD) and prints the logins."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--members",
            type=int,
            default=demo.DEFAULT_MEMBERS,
            help=f"How many synthetic members to create (default {demo.DEFAULT_MEMBERS}, "
            f"at least {demo.MIN_MEMBERS}).",
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
        if not demo.required_policy_loaded():
            raise CommandError(
                f"The policy {demo.REQUIRED_POLICY_CODE} is not loaded. Run "
                "`manage.py load_policy policies/data/*.yaml` first, then seed_demo again."
            )
        if members < demo.MIN_MEMBERS:
            raise CommandError(f"--members must be at least {demo.MIN_MEMBERS} (got {members}).")
        password = demo.demo_password()
        try:
            seeded = demo.seed(members, password=password, say=self.stdout.write)
        except demo.NotSeeded as exc:
            raise CommandError(str(exc)) from exc
        except ServiceError as exc:
            raise CommandError(f"Seeding failed and nothing was written: {exc}") from exc
        if not seeded.added:
            self.stdout.write(
                "demo data already present: no members, claims or requests were added "
                "(demo users and tokens ensured)."
            )
        self._print_summary()
        self._print_logins(seeded.logins, password)
        self.stdout.write(f"seed_demo finished in {time.monotonic() - started:.1f} s.")

    def _print_summary(self) -> None:
        demo_members = Member.objects.filter(member_id__startswith=demo.DEMO_PREFIX)
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
        self.stdout.write(f"Demo data (member IDs {demo.DEMO_PREFIX}…):")
        self.stdout.write(f"  members:           {demo_members.count()}")
        self.stdout.write(f"  claims:            {by_status(claims, ClaimStatus.choices)}")
        automatic = requests.filter(decision__automatic=True).count()
        self.stdout.write(
            f"  override requests: {by_status(requests, RequestStatus.choices)}; "
            f"{overdue} open and overdue; {automatic} approved automatically"
        )
        self.stdout.write(f"  overrides:         {by_status(overrides, OverrideStatus.choices)}")
        appeals = Appeal.objects.filter(member__in=demo_members)
        outcomes = dict(
            appeals.filter(decision__isnull=False)
            .values_list("decision__outcome")
            .annotate(n=Count("id"))
            .order_by()
        )
        decided = ", ".join(f"{label} {outcomes.get(v, 0)}" for v, label in AppealOutcome.choices)
        self.stdout.write(
            f"  appeals:           {by_status(appeals, AppealStatus.choices)}; decided: {decided}"
        )

    def _print_logins(self, logins: list[demo.Login], password: str) -> None:
        header = ("username", "role", "password", "token")
        rows = [(login.username, login.role, password, login.token) for login in logins]
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
