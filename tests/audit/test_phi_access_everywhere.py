"""Every page, endpoint and admin page that shows a member records it (docs/domain.md §5).

Each URL pattern of the project is in exactly one list below: it shows member data
(and how to visit it), it answers a write, it is the access log itself, or it shows
no member data. A new URL in none of them fails the first test, so showing member
data without recording it cannot slip in unnoticed.
"""

from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from priorauth.models import REPORT_DOWNLOAD, ImpactMember, ImpactReport, PHIAccess
from tests.support.phi import MEMBERS, World, build_world, paths, phi_strings, role_clients
from tests.support.urlconf import routes

pytestmark = pytest.mark.django_db

BOTH = frozenset(MEMBERS)
FIRST = frozenset({"ZQX917"})


@dataclass
class Visit:
    role: str
    path: str
    shows: frozenset  # the member IDs the answer shows, each to be recorded
    method: str = "get"
    data: dict = field(default_factory=dict)
    status: int = 200


def _admin_row(model: str, world: World):
    return {
        "member": world.first,
        "claim": world.claims["ZQX917"],
        "overriderequest": world.decided["ZQX917"],
        "override": world.overrides["ZQX917"],
        "appeal": world.appeals["ZQX917"],
        "appealdecision": world.appeals["ZQX917"].decision,
    }[model]


def _admin_pages(model: str, *, history: bool) -> dict:
    """The admin's list and change pages of `model` (and its history and past versions)."""
    base = f"/admin/priorauth/{model}/"
    # Every row of the list, by member: the world has one appeal decision (ZQX917's).
    listed = FIRST if model == "appealdecision" else BOTH
    pages = {
        f"admin/priorauth/{model}/": lambda w: [Visit("auditor", base, listed)],
        f"admin/priorauth/{model}/<path:object_id>/change/": lambda w: [
            Visit("pharmacist", f"{base}{_admin_row(model, w).pk}/change/", FIRST)
        ],
    }
    if history:
        pages[f"admin/priorauth/{model}/<path:object_id>/history/"] = lambda w: [
            Visit("auditor", f"{base}{_admin_row(model, w).pk}/history/", FIRST)
        ]
        pages[f"admin/priorauth/{model}/^([^/]+)/history/([^/]+)/$"] = lambda w: [
            Visit(
                "auditor",
                f"{base}{_admin_row(model, w).pk}/history/"
                f"{_admin_row(model, w).history.first().history_id}/",
                FIRST,
            )
        ]
    return pages


def _decided(world: World) -> int:
    return world.decided["ZQX917"].pk


def _upheld(world: World) -> int:
    """ZQX917's appeal, upheld by the physician (a notice; filing again is allowed)."""
    return world.appeals["ZQX917"].pk


def _impact_report(world: World) -> int:
    """A finished impact report of Kesimpta in which ZQX917 alone is affected."""
    claim = world.claims["ZQX917"]
    report = ImpactReport.objects.create(
        policy=claim.policy, days=90, first_day=claim.date_of_service,
        last_day=claim.date_of_service, fingerprint="x", status="done",
        summary={"members_affected": 1, "now_rejected": 1, "now_paid": 0, "daily": [],
                 "by_channel": {}},
    )  # fmt: skip
    ImpactMember.objects.create(
        report=report, member=claim.member, now_rejected=1, now_paid=0,
        first_day=claim.date_of_service,
        claims=[[claim.pk, claim.date_of_service.isoformat(), "retail", "now_rejected"]],
    )  # fmt: skip
    return report.pk


def _not_a_document():
    return SimpleUploadedFile("chart.pdf", b"<html>not a PDF</html>", "application/pdf")


# Route → the visits (by a role that may see it) and the members each answer shows.
SHOWS_PHI = {
    "queue/": lambda w: [
        Visit("pharmacist", "/queue/", BOTH),
        Visit("auditor", "/queue/?q=Quillfeather", FIRST),
    ],
    "search/": lambda w: [
        Visit("pharmacist", "/search/?q=00078-1007-68", BOTH),
        Visit("auditor", "/search/?q=Quillfeather", FIRST),
    ],
    "requests/mine/": lambda w: [Visit("intake", "/requests/mine/", BOTH)],
    "requests/mine/<id:request_id>/": lambda w: [
        Visit("intake", f"/requests/mine/{w.open['ZQX917'].pk}/", FIRST)
    ],
    # Asking to confirm shows the request; a blank answer shows it again with the error.
    "requests/mine/<id:request_id>/withdraw/": lambda w: [
        Visit("intake", f"/requests/mine/{w.open['ZQX917'].pk}/withdraw/", FIRST)
    ],
    "requests/mine/<id:request_id>/answer/": lambda w: [
        Visit(
            "intake",
            f"/requests/mine/{w.open['ZQX917'].pk}/answer/",
            FIRST,
            method="post",
            data={"notes": ""},
            status=400,
        )
    ],
    "requests/<id:request_id>/": lambda w: [Visit("auditor", f"/requests/{_decided(w)}/", FIRST)],
    "requests/<id:request_id>/notice/": lambda w: [
        Visit("intake", f"/requests/{_decided(w)}/notice/", FIRST)
    ],
    # A refused action (approving a decided request) shows the whole case page again.
    "requests/<id:request_id>/<slug:action>/": lambda w: [
        Visit(
            "pharmacist",
            f"/requests/{_decided(w)}/approve/",
            FIRST,
            method="post",
            data={"criterion_number": "1"},
            status=409,
        )
    ],
    "requests/<id:request_id>/appeals/new/": lambda w: [
        Visit("intake", f"/requests/{w.appeals['ZQX917'].request_id}/appeals/new/", FIRST)
    ],
    "appeals/<id:appeal_id>/": lambda w: [
        Visit("physician", f"/appeals/{w.appeals['ZQX918'].pk}/", frozenset({"ZQX918"})),
        Visit("auditor", f"/appeals/{_upheld(w)}/", FIRST),
    ],
    # The affected members of a policy impact report (ADR 0021): reviewers and auditors.
    "impact/<id:report_id>/": lambda w: [
        Visit("auditor", f"/impact/{_impact_report(w)}/", FIRST),
        Visit("pharmacist", f"/impact/{_impact_report(w)}/?page=1", FIRST),
    ],
    "appeals/<id:appeal_id>/notice/": lambda w: [
        Visit("intake", f"/appeals/{_upheld(w)}/notice/", FIRST)
    ],
    # The same notices as PDF downloads (their text is compressed: the log is what counts).
    "requests/<id:request_id>/notice.pdf": lambda w: [
        Visit("auditor", f"/requests/{_decided(w)}/notice.pdf", FIRST)
    ],
    "appeals/<id:appeal_id>/notice.pdf": lambda w: [
        Visit("intake", f"/appeals/{_upheld(w)}/notice.pdf", FIRST)
    ],
    # A refused action (the denier overturning) shows the whole appeal page again.
    "appeals/<id:appeal_id>/<slug:action>/": lambda w: [
        Visit(
            "pharmacist",
            f"/appeals/{w.appeals['ZQX918'].pk}/overturn/",
            frozenset({"ZQX918"}),
            method="post",
            data={"criterion_number": "1"},
            status=403,
        )
    ],
    # Documents and notes (ADR 0016): a refused upload or note shows the case page again;
    # intake's documents page; a document opened (its bytes name no one, but are the
    # member's record); the notes through the API.
    "requests/<id:request_id>/attachments/": lambda w: [
        Visit(
            "pharmacist",
            f"/requests/{w.open['ZQX917'].pk}/attachments/",
            FIRST,
            method="post",
            data={"file": _not_a_document()},
            status=400,
        )
    ],
    "requests/<id:request_id>/notes/": lambda w: [
        Visit(
            "pharmacist",
            f"/requests/{_decided(w)}/notes/",
            FIRST,
            method="post",
            data={"text": " "},
            status=400,
        )
    ],
    "requests/<id:request_id>/documents/": lambda w: [
        Visit("intake", f"/requests/{_decided(w)}/documents/", FIRST)
    ],
    "appeals/<id:appeal_id>/attachments/": lambda w: [
        Visit(
            "physician",
            f"/appeals/{w.appeals['ZQX918'].pk}/attachments/",
            frozenset({"ZQX918"}),
            method="post",
            data={"file": _not_a_document()},
            status=400,
        )
    ],
    "appeals/<id:appeal_id>/notes/": lambda w: [
        Visit(
            "physician",
            f"/appeals/{w.appeals['ZQX918'].pk}/notes/",
            frozenset({"ZQX918"}),
            method="post",
            data={"text": ""},
            status=400,
        )
    ],
    "attachments/<id:attachment_id>/": lambda w: [
        Visit("auditor", f"/attachments/{w.document.pk}/", FIRST),
        Visit("intake", f"/attachments/{w.document.pk}/", FIRST),
    ],
    "api/v1/override-requests/<id:request_id>/notes/": lambda w: [
        Visit("auditor", f"/api/v1/override-requests/{_decided(w)}/notes/", FIRST)
    ],
    "api/v1/appeals/<id:appeal_id>/notes/": lambda w: [
        Visit(
            "pharmacist", f"/api/v1/appeals/{w.appeals['ZQX918'].pk}/notes/", frozenset({"ZQX918"})
        )
    ],
    "members/<str:member_id>/": lambda w: [Visit("pharmacist", "/members/ZQX917/", FIRST)],
    "overrides/": lambda w: [Visit("auditor", "/overrides/", BOTH)],
    "api/v1/members/<str:member_id>/": lambda w: [
        Visit("auditor", "/api/v1/members/ZQX917/", FIRST)
    ],
    "api/v1/appeals/<id:appeal_id>/": lambda w: [
        Visit("auditor", f"/api/v1/appeals/{w.appeals['ZQX917'].pk}/", FIRST)
    ],
    "api/v1/override-requests/<id:request_id>/": lambda w: [
        Visit("intake", f"/api/v1/override-requests/{_decided(w)}/", FIRST)
    ],
    # The answer names no one, but it is about one member's drug and claims history.
    "api/v1/pa-initiations/": lambda w: [
        Visit(
            "intake",
            "/api/v1/pa-initiations/",
            FIRST,
            method="post",
            data={
                "member_id": "ZQX917",
                "ndc": "00078100768",
                "quantity": "4",
                "days_supply": 28,
                "channel": "retail",
            },
        )
    ],
    "api/v1/overrides/": lambda w: [
        Visit("pharmacist", "/api/v1/overrides/", BOTH),
        Visit("auditor", "/api/v1/overrides/?member_id=ZQX918", frozenset({"ZQX918"})),
    ],
    **_admin_pages("member", history=True),
    **_admin_pages("claim", history=False),  # a claim has no history rows
    **_admin_pages("overriderequest", history=True),
    **_admin_pages("override", history=True),
    **_admin_pages("appeal", history=True),
    **_admin_pages("appealdecision", history=False),  # a decision has no history rows
}


# Writes: the answer shows the object written, and the row written already names who,
# which member and when (Claim.submitted_by, OverrideRequest.submitted_by, Decision,
# the history rows of Member and OverrideRequest; docs/domain.md §5).
WRITES = {
    "api/v1/members/": "creates a member from the caller's own data (history row)",
    "api/v1/claims/": "adjudicates a claim (the claim row names the claims system)",
    "api/v1/claims/<id:claim_id>/reversal/": "reverses a claim (the claim row)",
    "api/v1/override-requests/": "submits a request (submitted_by, received_at)",
    "api/v1/override-requests/<id:request_id>/appeals/": "files an appeal (the Appeal row)",
    "api/v1/appeals/<id:appeal_id>/decision/": "decides an appeal (the AppealDecision row)",
    "api/v1/override-requests/<id:request_id>/decision/": "decides (the Decision row)",
    "api/v1/override-requests/<id:request_id>/attachments/": "adds documents (Attachment rows)",
    "api/v1/appeals/<id:appeal_id>/attachments/": "adds documents (Attachment rows)",
    # Its PA initiation reads the member's claims: recorded (tests/web/test_intake_questions).
    "requests/new/": "the intake form: empty, the caller's own input again, or a redirect",
    "overrides/<id:override_id>/revoke/": "revokes (history row), then redirects",
}

# The access log shows member IDs (not names) to auditors; reading it is not recorded
# in it, or each look would add a row per member shown to the very log being read.
ACCESS_LOG = {
    "audit/access/": "the access log page",
    "admin/priorauth/phiaccess/": "the access log in the admin",
    "admin/priorauth/phiaccess/<path:object_id>/change/": "one access log entry",
    "admin/priorauth/phiaccess/<path:object_id>/history/": "an entry's admin edits (none)",
    "admin/priorauth/phiaccess/add/": "refused: the log is append-only",
    "admin/priorauth/phiaccess/<path:object_id>/delete/": "refused: the log is append-only",
    "admin/priorauth/phiaccess/<path:object_id>/": "redirects to the change page",
}

NO_PHI = {
    "": "home: a redirect, or the user's roles",
    "accounts/login/": "sign-in form",
    "accounts/logout/": "signs out",
    "api/v1/schema/": "the OpenAPI document",
    "api/v1/docs/": "Swagger UI",
    "api/v1/metrics/": "the reporting figures: counts per urgency, policy and line of business",
    "reports/": "the dashboard: figures, charts, and what breaches next by number, drug, due",
    "reports/figures.csv": "the reporting figures as CSV: counts per group",
    "policies/": "policy list",
    "policies/<id:pk>/": "one policy",
    "policies/<id:pk>/export.yaml": "a policy file",
    "admin/": "the admin index (its recent actions are policy edits: review data is read-only)",
    "admin/login/": "sign-in form",
    "admin/logout/": "signs out",
    "admin/password_change/": "password form",
    "admin/password_change/done/": "password changed",
    "admin/autocomplete/": "no admin field autocompletes members: refused",
    "admin/jsi18n/": "JavaScript catalogue",
    "admin/r/<path:content_type_id>/<path:object_id>/": "no model has a public page: 404",
    "admin/^(?P<app_label>auth|authtoken|axes|policies|priorauth)/$": "model names of an app",
    "session/renew/": "renews the session: 204 or 401, no body",
    "requests/new/criteria/": "an NDC's policies' criteria (JSON): no member is read",
    "impact/versions/<id:policy_id>/start/": "starts a policy impact replay: a redirect",
    "impact/<id:report_id>/status.json": "a replay's progress: counts of members, no member",
    "impact/<id:report_id>/cancel/": "cancels a replay: a redirect",
    "^api/": "any other path under /api/: a JSON 404",
    "admin/(?P<url>.*)$": "unknown admin URL: 404 or a redirect",
    "admin/priorauth/claim/<path:object_id>/history/": "Django's log of admin edits: none",
    "admin/priorauth/appealdecision/<path:object_id>/history/": "Django's log of admin edits",
    # The prescriber directory is public NPPES data: who prescribes, no member in it.
    "api/v1/prescribers/<str:npi>/": "a prescriber's directory entry",
    "admin/priorauth/prescriber/": "the prescriber directory",
    "admin/priorauth/prescriber/add/": "a new prescriber",
    "admin/priorauth/prescriber/<path:object_id>/change/": "one prescriber",
    "admin/priorauth/prescriber/<path:object_id>/history/": "a prescriber's changes",
    "admin/priorauth/prescriber/^([^/]+)/history/([^/]+)/$": "a past version of a prescriber",
    "admin/priorauth/prescriber/<path:object_id>/delete/": "refused: prescribers stay",
    "admin/priorauth/prescriber/<path:object_id>/": "redirects to the change page",
}
for _model in ("member", "claim", "overriderequest", "override", "appeal", "appealdecision"):
    NO_PHI[f"admin/priorauth/{_model}/add/"] = "refused: review data is read-only"
    NO_PHI[f"admin/priorauth/{_model}/<path:object_id>/delete/"] = "refused: read-only"
    NO_PHI[f"admin/priorauth/{_model}/<path:object_id>/"] = "redirects to the change page"

# Downloads of rows about requests (no member in them, but each request leads to one): one
# entry naming no member, its path holding the range (PHIAccess.member is empty only here).
REPORT_DOWNLOADS = {
    "reports/decisions.csv": "the decision rows of a range, one per request",
}

# Admin sections whose models cannot name a member (policies, staff accounts, tokens,
# sign-in attempts: a username typed at the login page and an address).
NO_PHI_SECTIONS = ("admin/policies/", "admin/auth/", "admin/authtoken/", "admin/axes/")


LISTS = (set(SHOWS_PHI), set(WRITES), set(ACCESS_LOG), set(NO_PHI), set(REPORT_DOWNLOADS))
LISTED = set().union(*LISTS)


def _unlisted(project_routes: set[str]) -> set[str]:
    return {r for r in project_routes - LISTED if not r.startswith(NO_PHI_SECTIONS)}


def test_every_url_pattern_is_either_recorded_or_listed_as_showing_no_member():
    assert sum(len(listed) for listed in LISTS) == len(LISTED), "a route is in two lists"
    project = {route.route for route in routes()}
    assert _unlisted(project) == set(), "say whether these show member data (record it if so)"
    assert LISTED - project == set(), "these routes are gone: take them off the lists"


def test_the_check_fails_for_a_new_url_that_is_on_no_list(settings):
    settings.ROOT_URLCONF = "tests.audit.urls_with_a_new_member_page"
    project = {route.route for route in routes()}
    assert _unlisted(project) == {"members/<str:member_id>/claims/"}


@pytest.fixture
def world(kesimpta, intake, pharmacist, physician):
    return build_world(intake=intake, pharmacist=pharmacist, physician=physician)


@pytest.fixture
def users(intake, pharmacist, auditor, physician):
    return {"intake": intake, "pharmacist": pharmacist, "auditor": auditor, "physician": physician}


@pytest.mark.parametrize("route", sorted(SHOWS_PHI))
def test_a_page_showing_members_records_each_member_it_shows_and_no_other(world, users, route):
    clients = role_clients(users)
    for visit in SHOWS_PHI[route](world):
        before = PHIAccess.objects.order_by("-pk").values_list("pk", flat=True).first()
        response = getattr(clients[visit.role], visit.method)(visit.path, visit.data)
        assert response.status_code == visit.status, (visit, response.content[:300])
        content = response.content.decode(errors="replace")  # a PDF is bytes
        shown = {member_id for member_id in MEMBERS if member_id in content}
        assert shown <= visit.shows, f"{visit.path} shows {shown}, expected {visit.shows}"
        entries = PHIAccess.objects.filter(pk__gt=before).select_related("member")
        assert sorted(entry.member.member_id for entry in entries) == sorted(visit.shows)
        assert {(entry.user, entry.path) for entry in entries} == {(users[visit.role], visit.path)}
        assert all(entry.action for entry in entries)


def test_no_url_listed_as_showing_no_member_shows_one_to_anyone(world, everyone):
    clients = role_clients(everyone)
    quiet = [
        route
        for route in routes()
        if route.route in NO_PHI or route.route in WRITES or route.route.startswith(NO_PHI_SECTIONS)
    ]
    assert len(quiet) > 40
    before = PHIAccess.objects.count()
    shown = {}
    for route in quiet:
        for path in paths(route, world, everyone):
            for role, client in clients.items():
                content = client.get(path).content.decode()
                if found := [phi for phi in phi_strings() if phi in content]:
                    shown[(role, path)] = found
    assert shown == {}
    assert PHIAccess.objects.count() == before


@pytest.mark.parametrize("route", sorted(REPORT_DOWNLOADS))
def test_a_report_download_names_no_member_and_records_one_member_less_entry(world, auditor, route):
    client = role_clients({"auditor": auditor})["auditor"]
    path = f"/{route}?from=2000-01-01&to=2000-12-31"
    before = PHIAccess.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    content = b"".join(client.get(path).streaming_content).decode()
    assert [phi for phi in phi_strings() if phi in content] == []
    entry = PHIAccess.objects.get(pk__gt=before)
    assert (entry.user, entry.member, entry.path) == (auditor, None, path)
    assert entry.action == REPORT_DOWNLOAD
