"""Small helpers for the browser journeys (tests/e2e/test_journeys.py, test_accessibility.py).

- fixture `people`: `people(email, path)` is one person in their own browser context on the
  shared server, signed in (through the login form once per person and run; later contexts
  reuse that session's cookies), on `path`, with the live socket connected.
- `person(new_context, sign_in, email, path)`: the same through the login form every time
  (any server: pass `base_url=`).
- `PageApi(page)`: the JSON API as the person signed in on `page` (session cookie + CSRF
  header), for setting a scene quickly without another `flask` process.
- `connected(page)`: wait for the #connection-state badge to say "connected".
- `report(line)`: print a measured number (and keep it in test-artifacts/journeys/numbers.txt).
- `shot(page, name)`: a full-page screenshot in test-artifacts/journeys/ (kept on success too,
  so a human can look at what each journey ends on).
- `Api`: the JSON API with a bearer token (`flask users token` on the server's database).
- `run_axe(page)`: axe-core's serious and critical violations on the current page.
- `focus_style(page)`: the focused element and whether it shows a focus indicator.
- `unique(text)`: text made unique for this run (the seeded server is shared by the tests).
"""
from __future__ import annotations

import json
import sqlite3
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.server import ROOT, LiveServer

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixtures report it (a skip, or a failure under CI=true)
    expect = None

SHOTS = ROOT / "test-artifacts" / "journeys"
AXE_URL = "/static/vendor/axe-core/axe.min.js"


def unique(text: str) -> str:
    return f"{text} {uuid.uuid4().hex[:6]}"


def connected(page, timeout: float | None = None) -> None:
    """The page's socket is connected (data-state, whatever language the badge speaks)."""
    kwargs = {"timeout": timeout} if timeout else {}
    expect(page.locator("#connection-state")).to_have_attribute("data-state", "connected", **kwargs)


def person(new_context, sign_in, email: str, path: str | None = None, *, live: bool = True, **context_options):
    """A new browser context (one person), signed in through the form, on `path`."""
    page = new_context(**context_options).new_page()
    sign_in(page, email)
    if path:
        page.goto(path)
    if live:
        connected(page)
    return page


@pytest.fixture(scope="session")
def _signed_in_states(browser, live_server):
    """email -> Playwright storage state (cookies) of a session signed in through the form."""
    states: dict[str, dict] = {}

    def state(email: str, password: str = "roundtable-demo") -> dict:
        if email not in states:
            context = browser.new_context(base_url=live_server.url)
            try:
                page = context.new_page()
                page.goto("/login")
                page.get_by_label("Email", exact=True).fill(email)
                page.get_by_label("Password", exact=True).fill(password)
                with page.expect_navigation():
                    page.get_by_role("button", name="Sign in").click()
                assert "/login" not in page.url, f"signing in as {email} failed"
                states[email] = context.storage_state()
            finally:
                context.close()
        return states[email]

    return state


@pytest.fixture
def people(new_context, _signed_in_states):
    """people(email, path=None, live=True, **context_options) -> a page of that person, signed in."""

    def make(email: str, path: str | None = None, *, live: bool = True, **context_options):
        context_options.setdefault("storage_state", _signed_in_states(email))
        page = new_context(**context_options).new_page()
        page.goto(path or "/")
        if live:
            connected(page)
        return page

    return make


def copy_database(server: LiveServer, folder: Path) -> str | None:
    """A consistent copy of a running server's SQLite database (None for other databases).

    Sessions are rows in the database: only those signed in before the copy is taken are
    valid on a server started on it (sign `people` in first, e.g. `_signed_in_states(email)`).
    """
    prefix = "sqlite:///"
    if not server.database_url.startswith(prefix):
        return None
    target = Path(folder) / "copy.db"
    source = sqlite3.connect(server.database_url[len(prefix):])
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)
    finally:
        destination.close()
        source.close()
    return prefix + str(target)


def shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def report(line: str) -> None:
    """Print a measured number and keep it in test-artifacts/journeys/numbers.txt for the notes."""
    print(f"\n[numbers] {line}")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with open(SHOTS / "numbers.txt", "a", encoding="utf-8") as out:
        out.write(line + "\n")


def page_errors(console: list[str]) -> list[str]:
    """Uncaught script errors and Content-Security-Policy violations."""
    return [line for line in console if "pageerror" in line or "Content Security Policy" in line]


class Api:
    """The JSON API of one person (bearer token), for what happens "elsewhere" during a journey."""

    def __init__(self, server: LiveServer, email: str):
        self.server = server
        self.token = server.cli("users", "token", "--email", email).stdout.strip().splitlines()[-1]

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.server.url + "/api/v1" + path, method=method, data=data,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"{}")

    def get(self, path: str) -> dict:
        status, payload = self.call("GET", path)
        assert status == 200, (path, status, payload)
        return payload

    def post(self, path: str, body: dict) -> dict:
        status, payload = self.call("POST", path, body)
        assert status in (200, 201), (path, status, payload)
        return payload


class PageApi:
    """The JSON API with the browser session of `page` (cookie plus the X-CSRFToken header)."""

    def __init__(self, page):
        self.page = page
        self.csrf = page.locator('meta[name="csrf-token"]').get_attribute("content")

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        response = self.page.request.fetch("/api/v1" + path, method=method, data=body,
                                           headers={"X-CSRFToken": self.csrf, "Accept": "application/json"})
        try:
            payload = response.json()
        except Exception:  # noqa: BLE001 - an empty body
            payload = {}
        return response.status, payload

    def post(self, path: str, body: dict) -> dict:
        status, payload = self.call("POST", path, body)
        assert status in (200, 201), (path, status, payload)
        return payload


def run_axe(page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict]:
    """Inject axe-core (served by the app) and return the violations of the given impacts."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_URL)
    violations = page.evaluate(
        """async () => {
          const result = await axe.run(document, {resultTypes: ['violations']});
          return result.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').slice(0, 200)),
          }));
        }""")
    return [v for v in violations if v["impact"] in impacts]


FOCUS_STYLE_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {tag: null};
  const cs = getComputedStyle(el);
  const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0;
  const shadow = cs.boxShadow && cs.boxShadow !== 'none';
  return {tag: el.tagName, id: el.id, text: (el.innerText || el.value || '').slice(0, 60),
          outline: cs.outlineStyle + ' ' + cs.outlineWidth, boxShadow: cs.boxShadow,
          visible: outline || shadow};
}"""


def focus_style(page) -> dict:
    """The focused element and whether its focus is visible (a computed outline or box-shadow)."""
    return page.evaluate(FOCUS_STYLE_JS)


def tab_to(page, predicate_js: str, limit: int = 80) -> dict:
    """Press Tab until `predicate_js` (a JS function of the focused element) is true; return its focus style."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"({predicate_js})(document.activeElement)"):
            return focus_style(page)
    raise AssertionError(f"Tab never reached the element ({predicate_js}) in {limit} presses")
