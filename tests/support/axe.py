"""axe-core in the browser tests: inject the vendored copy into a page, run it, report.

axe-core (tests/browser/vendor/axe.min.js, MPL-2.0, see axe-core.LICENSE there) is a test
tool: the app never serves it. `page.add_script_tag(path=...)` injects it as an inline
script, which the app's strict Content-Security-Policy (django-csp, ADR 0009) refuses; the
pages under test therefore run in a browser context made with `bypass_csp=True`
(`axe_context`). That switch exists in the tests only: what the app sends is unchanged, and
tests/browser/test_content_security_policy.py checks the pages under the real policy.
"""

from dataclasses import dataclass

from tests.support.paths import ROOT

AXE_SCRIPT = ROOT / "tests" / "browser" / "vendor" / "axe.min.js"
# WCAG 2.0 and 2.1, levels A and AA. "best-practice" rules are left out: they are advice
# (landmarks, heading order) rather than conformance, and Django's admin fails several.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

_RUN = """async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return results.violations.map((v) => ({
    rule: v.id,
    impact: v.impact || "",
    help: v.help,
    targets: v.nodes.map((node) => node.target.join(" ")),
  }));
}"""


@dataclass(frozen=True)
class Violation:
    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]

    def __str__(self) -> str:
        shown = ", ".join(self.targets[:8]) + (" …" if len(self.targets) > 8 else "")
        return f"{self.rule} ({self.impact}): {self.help} [{len(self.targets)}: {shown}]"


def axe_context(browser, *, viewport: dict, base_url: str):
    """A browser context axe can be injected into (bypass_csp: see the module's docstring)."""
    context = browser.new_context(viewport=viewport, base_url=base_url, bypass_csp=True)
    context.set_default_timeout(15_000)
    return context


def axe_violations(page) -> list[Violation]:
    """The WCAG 2.1 A/AA violations axe-core finds on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    found = page.evaluate(_RUN, WCAG_TAGS)
    return [Violation(v["rule"], v["impact"], v["help"], tuple(v["targets"])) for v in found]


def describe_violations(where: str, violations: list[Violation]) -> str:
    """A failure message a person can act on: rule id, impact and the elements, per rule."""
    lines = [f"{where}: {len(violations)} axe-core violation(s)"]
    lines += [f"  - {violation}" for violation in violations]
    return "\n".join(lines)
