"""HTTP probes an attacker or a bad claims system would send, for the hardening benchmark.

Plain urllib against the running server: each probe has its own cookie jar and its own
client address (X-Forwarded-For, read behind one trusted proxy), so the address lockout
of one probe does not decide the next.
"""

import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Answer:
    status: int
    body: bytes

    def json(self):
        return json.loads(self.body)


class Client:
    """One client: a cookie jar, an address, and the server's base URL."""

    def __init__(self, base: str, address: str, token: str | None = None):
        self.base = base
        self.headers = {"X-Forwarded-For": address}
        if token:
            self.headers["Authorization"] = f"Token {token}"
        jar = http.cookiejar.CookieJar()
        # No redirect following: a sign-in that works answers 302, and that is the fact.
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(jar), _NoRedirect()
        )

    def request(self, method: str, path: str, *, form=None, body=None) -> Answer:
        data, headers = None, dict(self.headers)
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = self.base + path
        elif body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(
            self.base + path, data=data, method=method, headers=headers
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return Answer(response.status, response.read())
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.read())

    def csrf_token(self, path: str) -> str:
        page = self.request("GET", path)
        match = CSRF_INPUT.search(page.body.decode(errors="replace"))
        if match is None:
            raise RuntimeError(f"no CSRF token on {path} (HTTP {page.status})")
        return match.group(1)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass(frozen=True)
class LockoutResult:
    path: str
    # Wrong passwords sent until the lockout, the one that locked included (it was
    # checked too); `attempts` + 1 if no lockout ever came.
    wrong_accepted: int
    right_refused: bool  # the right password, straight after: refused (429)?


def sign_in_lockout(
    base: str, path: str, *, username: str, password: str, address: str, attempts: int
) -> LockoutResult:
    """Wrong passwords until the server stops checking them, then the right one."""
    client = Client(base, address)
    wrong_accepted = attempts + 1
    for number in range(1, attempts + 1):
        form = {
            "csrfmiddlewaretoken": client.csrf_token(path),
            "username": username,
            "password": f"wrong-{number}",
        }
        answer = client.request("POST", path, form=form)
        if answer.status == 429:
            wrong_accepted = number
            break
        if answer.status != 200:  # 200: the form again, "wrong password"
            raise RuntimeError(f"{path}: a wrong password answered HTTP {answer.status}")
    # The lockout page has no form: the right password goes with a fresh client's token.
    fresh = Client(base, address)
    token = fresh.csrf_token(path) if fresh.request("GET", path).status == 200 else ""
    form = {"csrfmiddlewaretoken": token, "username": username, "password": password}
    right = fresh.request("POST", path, form=form)
    return LockoutResult(path, wrong_accepted, right_refused=right.status == 429)


def bad_tokens_before_throttle(base: str, *, address: str, attempts: int) -> int:
    """Wrong API tokens from one address until the API answers 429; how many were checked."""
    checked = 0
    for number in range(attempts):
        answer = Client(base, address, token=f"{number:040x}").request("GET", "/api/v1/overrides/")
        if answer.status == 429:
            return checked
        checked += 1
    return checked
