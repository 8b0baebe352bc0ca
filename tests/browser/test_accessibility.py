"""axe-core finds no WCAG 2.1 A/AA violation on any page of the app or of the policy
admin, at 1366x768 and at 390x844, with seed_demo's content on every page.

axe-core is vendored (tests/browser/vendor/) and injected by tests/support/axe.py, in a
browser context that bypasses the Content-Security-Policy so the injection runs (tests
only; see that module). Each page is kept as a screenshot in tests/artifacts/.
"""

import pytest

from tests.support.axe import axe_context, axe_violations, describe_violations
from tests.support.browser import LAPTOP, PHONE, log_in
from tests.support.pages import (
    DEMO_PASSWORD,
    INTAKE_MEMBER,
    Page,
    app_pages,
    policy_admin_pages,
    seed_everything,
)
from tests.support.paths import ARTIFACTS

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = {"1366": LAPTOP, "390": PHONE}


@pytest.fixture
def demo(db):
    seed_everything()


def _visit_all(browser, live_server, pages: list[Page], size: str) -> dict[str, list]:
    """Visit each page signed in as its user; {page name: axe violations}."""
    found = {}
    by_user: dict[str | None, list[Page]] = {}
    for page_spec in pages:
        by_user.setdefault(page_spec.user, []).append(page_spec)
    ARTIFACTS.mkdir(exist_ok=True)
    for user, specs in by_user.items():
        context = axe_context(browser, viewport=SIZES[size], base_url=live_server.url)
        page = context.new_page()
        if user is not None:
            log_in(page, user, DEMO_PASSWORD)
        for spec in specs:
            page.goto(spec.path)
            page.wait_for_load_state()
            found[spec.name] = axe_violations(page)
            page.screenshot(path=str(ARTIFACTS / f"axe-{size}-{spec.name}.png"), full_page=True)
        context.close()
    return found


def _intake_second_step(browser, live_server, size: str) -> dict[str, list]:
    """Intake's questions step, reached as intake reaches it: the request form, sent."""
    context = axe_context(browser, viewport=SIZES[size], base_url=live_server.url)
    page = context.new_page()
    log_in(page, "intake", DEMO_PASSWORD)
    page.goto("/requests/new/")
    page.get_by_label("Member ID").fill(INTAKE_MEMBER)
    page.get_by_label("Drug NDC").fill("00078-1007-68")
    page.get_by_label("Quantity").fill("4")
    page.get_by_label("Days supply").fill("28")
    page.get_by_label("Channel").select_option("retail")
    page.get_by_label("Prescriber NPI").fill("1234567893")
    page.get_by_label("Urgency").select_option("standard")
    # The option's value names the policy too ("<pk>:1"): chosen by its words.
    page.get_by_label("Criterion the prescriber attests").select_option(
        label="1. Initiating treatment or additional induction dosing"
    )
    page.get_by_role("button", name="Submit request").click()
    page.wait_for_load_state()
    found = {"request-questions": axe_violations(page)}
    page.screenshot(path=str(ARTIFACTS / f"axe-{size}-request-questions.png"), full_page=True)
    # The same form sent with a mistake: the errors are part of the page too.
    page.goto("/requests/new/")
    page.get_by_role("button", name="Submit request").click()
    page.wait_for_load_state()
    found["request-new-errors"] = axe_violations(page)
    page.screenshot(path=str(ARTIFACTS / f"axe-{size}-request-new-errors.png"), full_page=True)
    context.close()
    return found


def _report(found: dict[str, list]) -> str:
    return "\n".join(
        describe_violations(name, violations) for name, violations in found.items() if violations
    )


@pytest.mark.parametrize("size", SIZES)
def test_no_page_of_the_app_has_an_axe_violation(browser, live_server, demo, size):
    found = _visit_all(browser, live_server, app_pages(), size)
    found.update(_intake_second_step(browser, live_server, size))
    assert not any(found.values()), _report(found)


@pytest.mark.parametrize("size", SIZES)
def test_no_page_of_the_policy_admin_has_an_axe_violation(browser, live_server, demo, size):
    found = _visit_all(browser, live_server, policy_admin_pages(), size)
    assert not any(found.values()), _report(found)
