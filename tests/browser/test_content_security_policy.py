"""Under the strict Content-Security-Policy, the pages, the admin and Swagger UI work and
the browser reports no violation (ADR 0009)."""

import re

import pytest
from playwright.sync_api import expect

from priorauth import roles
from tests.support import factories
from tests.support.browser import log_in
from tests.support.cast import make_user

pytestmark = pytest.mark.django_db(transaction=True)

# Runs in every document before the page's own scripts (and is not subject to its CSP).
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


@pytest.fixture
def watched(page):
    """The page, with every CSP violation the browser reports collected in `reports`."""
    reports = []
    page.context.add_init_script(LISTEN)
    page.on(
        "console",
        lambda message: (
            reports.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.reports = reports
    return page


def violations(page) -> list[str]:
    return page.reports + page.evaluate("window.__cspViolations")


@pytest.fixture
def case(kesimpta, intake):
    factories.member("E1", first_name="Robin", last_name="Case E1")
    return factories.kesimpta_request("E1", urgency="expedited", submitted_by=intake)


def test_the_queue_and_a_case_page_run_with_no_csp_violation(watched, pharmacist, case):
    log_in(watched, "pharmacist")
    expect(watched.locator("table.queue tbody tr").first).to_contain_text("E1")
    assert violations(watched) == []

    watched.goto(f"/requests/{case.pk}/")
    expect(watched.get_by_role("heading", name=re.compile("Criterion 1"))).to_be_visible()
    # The page's own scripts ran: the draft keeper writes to sessionStorage as we type.
    watched.get_by_label("Reason (quoted in the notice)").fill("Criterion 1 is not met.")
    stored = watched.evaluate("Object.keys(sessionStorage)")
    assert stored == [f"priorauth-draft:pharmacist:case-{case.pk}-deny"]
    assert violations(watched) == []


def test_the_admin_change_page_of_a_policy_runs_with_no_csp_violation(
    watched, django_user_model, kesimpta
):
    admin = make_user(django_user_model, "policyadmin", roles.POLICY_ADMIN)
    admin.is_staff = True  # the admin site needs it
    admin.save(update_fields=["is_staff"])
    log_in(watched, "policyadmin")
    watched.goto(f"/admin/policies/policy/{kesimpta.pk}/change/")
    expect(watched.locator("#content h1")).to_be_visible()
    expect(watched.locator("input[name=title]")).to_have_value(kesimpta.title)
    # The admin's own scripts ran (the sidebar toggle is built by nav_sidebar.js).
    expect(watched.locator("#toggle-nav-sidebar")).to_be_attached()
    assert violations(watched) == []


def test_swagger_ui_renders_the_api_with_no_csp_violation(watched, pharmacist, screenshot):
    log_in(watched, "pharmacist")
    watched.goto("/api/v1/docs/")
    expect(watched.locator(".swagger-ui .info .title")).to_contain_text("priorauth API")
    claims = watched.get_by_text("/api/v1/claims/", exact=True).first
    expect(claims).to_be_visible()
    claims.click()  # open the operation: its request body and examples render
    expect(watched.get_by_role("button", name="Try it out")).to_be_visible()
    screenshot(watched, "swagger-under-csp")
    assert violations(watched) == []


def test_a_violation_would_be_seen(watched, pharmacist):
    log_in(watched, "pharmacist")
    watched.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.ran = 1'; document.body.append(s); }"
    )
    expect(watched.locator("body")).to_be_attached()
    watched.wait_for_function("window.__cspViolations.length > 0")
    assert watched.evaluate("window.ran") is None
    assert any("script-src" in v for v in violations(watched))
