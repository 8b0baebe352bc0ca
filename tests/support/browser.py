"""Playwright with Debian's Chromium (CHROMIUM_PATH): launch arguments, viewport, signing in.

The fixtures (browser, page, screenshot) are in tests/browser/conftest.py.
"""

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def log_in(page, username: str, password: str | None = None) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password or f"pass-{username}")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
