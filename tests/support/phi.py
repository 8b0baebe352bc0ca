"""A small world whose members' IDs and names the PHI tests look for everywhere.

The IDs and names are distinctive ("ZQX917", "Quillfeather") so that finding one as a
substring of a log line or a page means it is really there. `build_world` makes two
members, each with a decided request (and its override), an open request submitted
by the intake user, and a paid claim; every one of them appears on the list pages.
"""

from dataclasses import dataclass
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from priorauth import services
from priorauth.models import (
    Appeal,
    Attachment,
    Claim,
    Member,
    Override,
    OverrideRequest,
    PHIAccess,
)
from tests.support import factories
from tests.support.steps import KESIMPTA_NDC
from tests.support.urlconf import Route

# member ID → (first name, last name)
MEMBERS = {"ZQX917": ("Xanthippe", "Quillfeather"), "ZQX918": ("Ottoline", "Vexworth")}
# Made by the tests' own POSTs, and a member ID nobody has.
NEW_MEMBER = ("ZQX919", "Perpetua", "Zandervelt")
UNKNOWN_MEMBER_ID = "ZQX990"


def phi_strings() -> list[str]:
    """Every member ID and name a log or an unrecorded page must not show."""
    strings = [UNKNOWN_MEMBER_ID, *NEW_MEMBER]
    for member_id, names in MEMBERS.items():
        strings += [member_id, *names]
    return strings


@dataclass
class World:
    members: dict[str, Member]
    decided: dict[str, OverrideRequest]
    open: dict[str, OverrideRequest]
    overrides: dict[str, Override]
    claims: dict[str, Claim]
    access: PHIAccess
    appeals: dict[str, Appeal]
    document: Attachment | None = None  # a PDF on ZQX917's open request (ADR 0016)

    @property
    def first(self) -> Member:
        return self.members["ZQX917"]


def build_world(*, intake, pharmacist, physician) -> World:
    """Two members with everything a page can show; needs the Kesimpta policy loaded.
    Each has a request the pharmacist denied and its appeal: ZQX917's upheld by the
    physician (a notice, a decision), ZQX918's open."""
    members, decided, open_, overrides, claims, appeals = {}, {}, {}, {}, {}, {}
    request = dict(clinical_notes="Loading doses at weeks 0, 1, 2 and 4.", submitted_by=intake)
    for member_id, (first_name, last_name) in MEMBERS.items():
        members[member_id] = services.member_create(
            member_id=member_id,
            first_name=first_name,
            last_name=last_name,
            date_of_birth=date(1981, 6, 2),
            line_of_business="commercial",
            plan_name="Synthetic Plan",
        )
        decided[member_id] = factories.kesimpta_request(member_id, **request)
        overrides[member_id] = services.override_request_decide(
            request_id=decided[member_id].pk, outcome="approve", criterion_number=1, by=pharmacist
        ).override
        open_[member_id] = factories.kesimpta_request(member_id, **request)
        claims[member_id] = services.claim_adjudicate(
            member_id=member_id, ndc=KESIMPTA_NDC, quantity=1, days_supply=28, channel="retail"
        )
        denied = factories.kesimpta_request(member_id, **request)
        services.override_request_decide(
            request_id=denied.pk, outcome="deny", reason="Not initiating.", by=pharmacist
        )
        appeals[member_id] = services.appeal_file(
            request_id=denied.pk, reason="New chart note.", urgency="standard", by=intake
        )
    services.appeal_decide(
        appeal_id=appeals["ZQX917"].pk, outcome="uphold", reason="Still not met.", by=physician
    )
    appeals["ZQX917"].refresh_from_db()
    access = services.phi_access_record(
        user=pharmacist,
        member=members["ZQX917"],
        action="member page view",
        path="/members/ZQX917/",
        remote_addr=None,
    )
    document = services.request_attachments_add(
        request_id=open_["ZQX917"].pk,
        files=[SimpleUploadedFile("chart.pdf", b"%PDF-1.4 synthetic", "application/pdf")],
        by=intake,
    )[0]
    return World(members, decided, open_, overrides, claims, access, appeals, document)


# The roles the PHI tests act as; "anonymous" is no one signed in.
ROLES = (
    "anonymous",
    "stranger",
    "intake",
    "claims_system",
    "pharmacist",
    "auditor",
    "policy_admin",
    "physician",
)
# The roles that use the admin site (it needs is_staff).
STAFF_ROLES = ("pharmacist", "auditor", "policy_admin", "physician")


def role_clients(users: dict) -> dict[str, Client]:
    """A signed-in client per role (users by role name), plus an anonymous one.

    Reviewers and policy admins are made staff, so the admin's pages open for them.
    A server error is answered (and logged) as in production instead of raised.
    """
    clients = {"anonymous": Client(raise_request_exception=False)}
    for role, user in users.items():
        if role in STAFF_ROLES and not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients[role] = client
    return clients


def _admin_row(route: str, world: World, users: dict):
    """A real row of the admin model the route is about, if it is about one."""
    parts = route.split("/")
    model = parts[2] if route.startswith("admin/") and len(parts) > 3 else ""
    return {
        "member": world.first,
        "claim": world.claims["ZQX917"],
        "overriderequest": world.decided["ZQX917"],
        "override": world.overrides["ZQX917"],
        "appeal": world.appeals["ZQX917"],
        "appealdecision": world.appeals["ZQX917"].decision,
        "phiaccess": world.access,
        "policy": world.decided["ZQX917"].policy,
        "user": users["pharmacist"],
        "group": users["pharmacist"].groups.first(),
        "tokenproxy": users["claims_system"],  # a token's admin page is keyed by its user
        "prescriber": world.decided["ZQX917"].prescription.prescriber,
    }.get(model)


def _impact_report_id(world: World, users: dict) -> int:
    """A queued impact report of the world's policy (its status and cancel show counts)."""
    from priorauth import services

    policy = world.decided["ZQX917"].policy
    return services.impact_report_request(policy_id=policy.pk, by=users["pharmacist"]).pk


def paths(route: Route, world: World, users: dict) -> list[str]:
    """The route's paths, filled with the world's IDs (rows of the admin model it is about);
    a member URL also with the other member and with a member ID nobody has.
    `users` are the cast by role."""
    if "member_id" in route.parameters:
        return [route.path(member_id=m) for m in ("ZQX917", "ZQX918", UNKNOWN_MEMBER_ID)]
    row = _admin_row(route.route, world, users)
    history = getattr(row, "history", None)
    positional = (row.pk, history.first().history_id) if history is not None else (1, 1)
    named = {
        "request_id": world.open["ZQX917"].pk,
        "override_id": world.overrides["ZQX918"].pk,
        "claim_id": world.claims["ZQX918"].pk,
        "appeal_id": world.appeals["ZQX918"].pk,
        "attachment_id": world.document.pk,
        "pk": world.decided["ZQX917"].policy.pk,
        "action": "take",
        "object_id": row.pk if row is not None else 1,
        "content_type_id": ContentType.objects.get_for_model(Member).pk,
        "id": users["pharmacist"].pk,
        "app_label": "priorauth",
        "url": "priorauth/member/ZQX917/",
        "npi": world.decided["ZQX917"].prescription.prescriber.npi,
        "policy_id": world.decided["ZQX917"].policy.pk,
        "report_id": _impact_report_id(world, users),
    }
    return [route.path(*positional, **named)]
