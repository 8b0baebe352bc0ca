"""Every page of the app and of the policy admin, with real content, for the browser
tests that walk them all (tests/browser/test_accessibility.py).

The content is seed_demo's (priorauth.demo) over the three shipped policies, plus a few
rows those pages need that the demo leaves out: a future version of a policy, a member
with no request (for intake's second step). Each page is (name, username, path); the
names become the screenshots' file names.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from policies import services as policy_services
from policies.files import load_policy_file
from policies.models import Policy
from priorauth.models import (
    Appeal,
    AppealStatus,
    Override,
    OverrideRequest,
    Prescriber,
    RequestStatus,
)
from priorauth.roles import ALL_ROLES
from tests.support import factories
from tests.support.cast import role_group
from tests.support.paths import EMGALITY_FILE, HUMIRA_FILE, KESIMPTA_FILE

DEMO_PASSWORD = "axe-demo-password"
INTAKE_MEMBER = "AXE0001"
KESIMPTA_CODE = "cigna-ms-kesimpta-dqm"


@dataclass(frozen=True)
class Page:
    name: str
    user: str | None  # None: signed out
    path: str


def seed_everything() -> None:
    """The shipped policies, the demo data (seed_demo) and a future version of Kesimpta."""
    import io
    import os

    for role in ALL_ROLES:
        role_group(role)  # an earlier transactional test may have flushed them
    for path in (KESIMPTA_FILE, EMGALITY_FILE, HUMIRA_FILE):
        load_policy_file(path)
    os.environ["DEMO_PASSWORD"] = DEMO_PASSWORD
    try:
        call_command("seed_demo", "--members", "40", "--force", stdout=io.StringIO())
    finally:
        del os.environ["DEMO_PASSWORD"]
    kesimpta = Policy.objects.in_force(timezone.localdate()).get(code=KESIMPTA_CODE)
    policy_services.policy_version_prepare(
        policy_id=kesimpta.pk,
        effective_from=timezone.localdate() + timedelta(days=60),
        reason="Annual review (demo)",
    )
    factories.member(INTAKE_MEMBER, first_name="Ada", last_name="Access")


def app_pages() -> list[Page]:
    """The reviewer's, intake's and auditor's pages (demo users), and the error pages."""
    today = timezone.localdate()
    approved = OverrideRequest.objects.filter(status=RequestStatus.APPROVED).first()
    # A denial intake may still appeal: none filed yet.
    denied = OverrideRequest.objects.filter(
        status=RequestStatus.DENIED, appeals__isnull=True
    ).first()
    open_request = OverrideRequest.objects.filter(status=RequestStatus.PENDING).first()
    pending_appeal = Appeal.objects.filter(status=AppealStatus.PENDING).first()
    decided_appeal = Appeal.objects.filter(decision__isnull=False).first()
    member = Override.objects.in_force(today).first().member
    kesimpta = Policy.objects.in_force(today).get(code=KESIMPTA_CODE)
    filed = OverrideRequest.objects.filter(submitted_by__username="intake").order_by("pk")
    intake_open = filed.filter(status__in=(RequestStatus.PENDING, RequestStatus.NEEDS_INFO))
    intake_request = intake_open.first() or filed.first()
    return [
        Page("login", None, "/accounts/login/"),
        Page("queue", "pharmacist", "/queue/"),
        Page("case", "pharmacist", f"/requests/{open_request.pk}/"),
        Page("case-approved", "pharmacist", f"/requests/{approved.pk}/"),
        Page("notice-approved", "pharmacist", f"/requests/{approved.pk}/notice/"),
        Page("notice-denied", "pharmacist", f"/requests/{denied.pk}/notice/"),
        Page("member", "pharmacist", f"/members/{member.member_id}/"),
        Page("overrides", "pharmacist", "/overrides/"),
        Page("search", "pharmacist", "/search/?q=00078-1007-68"),
        Page("search-errors", "pharmacist", "/search/?received_from=nonsense"),
        Page("appeal", "pharmacist2", f"/appeals/{pending_appeal.pk}/"),
        Page("appeal-notice", "pharmacist2", f"/appeals/{decided_appeal.pk}/notice/"),
        Page("reports", "pharmacist", "/reports/"),
        Page("policies", "pharmacist", "/policies/"),
        Page("policy-page", "pharmacist", f"/policies/{kesimpta.pk}/"),
        Page("my-requests", "intake", "/requests/mine/"),
        Page("my-request", "intake", f"/requests/mine/{intake_request.pk}/"),
        Page("my-request-documents", "intake", f"/requests/{intake_request.pk}/documents/"),
        Page("request-new", "intake", "/requests/new/"),
        Page("appeal-new", "intake", f"/requests/{denied.pk}/appeals/new/"),
        Page("access-log", "auditor", "/audit/access/"),
        Page("forbidden", "intake", "/queue/"),
        Page("not-found", "pharmacist", "/no-such-page/"),
        Page("home", "claims", "/"),
    ]


def policy_admin_pages() -> list[Page]:
    """The admin pages a policy admin works in (and an auditor's read-only policy page)."""
    today = timezone.localdate()
    current = Policy.objects.in_force(today).get(code=KESIMPTA_CODE)
    future = Policy.objects.future(today).get(code=KESIMPTA_CODE)
    criterion = current.criteria.order_by("number").first()
    base = "/admin/policies/policy"
    report = _impact_report(future)
    return [
        Page("admin-login", None, "/admin/login/"),
        Page("admin-index", "policyadmin", "/admin/"),
        Page("admin-policy-list", "policyadmin", f"{base}/"),
        Page("admin-policy-change", "policyadmin", f"{base}/{current.pk}/change/"),
        Page("admin-future-version", "policyadmin", f"{base}/{future.pk}/change/"),
        Page("admin-policy-add", "policyadmin", f"{base}/add/"),
        Page("admin-policy-history", "policyadmin", f"{base}/{current.pk}/history/"),
        Page("admin-new-version", "policyadmin", f"{base}/{current.pk}/new-version/"),
        Page("admin-upload", "policyadmin", f"{base}/upload/"),
        Page(
            "admin-question-set",
            "policyadmin",
            f"/admin/policies/criterion/{criterion.pk}/change/",
        ),
        Page("admin-policy-read-only", "auditor", f"{base}/{current.pk}/change/"),
        Page("admin-prescribers", "policyadmin", "/admin/priorauth/prescriber/"),
        Page(
            "admin-prescriber",
            "policyadmin",
            f"/admin/priorauth/prescriber/{Prescriber.objects.order_by('pk').first().pk}/change/",
        ),
        Page("admin-delete-future", "policyadmin", f"{base}/{future.pk}/delete/"),
        # The impact of the future version: counts for its admin, members for a pharmacist.
        Page("impact-report", "policyadmin", f"/impact/{report.pk}/"),
        Page("impact-report-members", "pharmacist", f"/impact/{report.pk}/"),
    ]


def _impact_report(version: Policy):
    """A finished impact replay of the future version over the demo's claims (ADR 0021)."""
    from priorauth.services.impact import impact_report_request, impact_report_run

    report = impact_report_request(policy_id=version.pk)
    return impact_report_run(report_id=report.pk)
