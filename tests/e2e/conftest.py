"""Browser tests: Playwright (sync API) driving Debian's chromium against the real eventlet server.

Fixtures:
- `live_server`: one `python wsgi.py` for the whole session (tests/server.py), on a fresh
  SQLite database migrated and seeded with `flask seed-demo`; tests add their own data
  with unique names.
- `server_factory`: more servers for one test (restart / kill journeys, two processes
  sharing a database and a Redis queue); all stopped after the test.
- `browser`: chromium at /usr/bin/chromium (never `playwright install`).
- `new_context()`: a fresh browser context (one person) whose base_url is the live server;
  call it several times for several people at once. `page`: one page in a new context.
- `sign_in(page, email)`: through the real form; `DEMO_PASSWORD` is every demo user's password.

Outside CI a missing chromium or Playwright skips these tests with a clear message; under
CI=true it fails. On failure, screenshots, a Playwright trace (open with
`.venv/bin/playwright show-trace <zip>`) and the pages' console go to test-artifacts/<test>/,
and the end of the server's log is added to the report.
"""
from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import mark_tests_below, require_service
from tests.server import ROOT, LiveServer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
ARTIFACTS = ROOT / "test-artifacts"
DEMO_PASSWORD = "roundtable-demo"
TIMEOUT_MS = 10_000
HERE = Path(__file__).resolve().parent
# The shared server's demo people write in dozens of tests within a minute, in whatever order
# the run takes: its write limits are loose, so that one test's posts never hold up the next
# one's. The limits themselves have their own server (test_limits_browser.py).
SHARED_SERVER_LIMITS = {name: "1000/minute" for name in (
    "post", "post:newcomer", "post:admin", "thread", "thread:newcomer", "thread:admin", "edit",
    "flag", "flag:newcomer", "live_question", "vote", "chat", "reaction", "upload", "read",
    "socket_connect", "users_lookup", "preview")}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Every test in this folder is an e2e test (so `-m "not e2e"` leaves them out)."""
    mark_tests_below(items, HERE, pytest.mark.e2e)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
    if report.failed:
        for server in _servers_of(item):
            report.sections.append((f"{server.name} log: {server.log_path}", server.log_tail()))


def _servers_of(item) -> list[LiveServer]:
    servers = []
    for value in getattr(item, "funcargs", {}).values():
        if isinstance(value, LiveServer):
            servers.append(value)
        elif isinstance(value, ServerFactory):
            servers.extend(value.servers)
    return servers


# --- the browser --------------------------------------------------------------------------
@pytest.fixture(scope="session")
def _playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as err:
        require_service("Playwright", False, f"cannot import playwright ({err}); "
                        "run `make test` or `.venv/bin/pip install -r requirements-dev.txt`")
    require_service("Chromium", os.access(CHROMIUM, os.X_OK),
                    f"{CHROMIUM} is missing; `make test` installs it as root (apt-get install -y chromium)")
    manager = sync_playwright().start()
    yield manager
    manager.stop()


@pytest.fixture(scope="session")
def browser(_playwright):
    browser = _playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


# --- servers ------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    server = LiveServer(tmp_path_factory.mktemp("live"), seed=True, name="live-server",
                        database_url=os.environ.get("E2E_DATABASE_URL") or None,
                        env={"RATE_LIMITS": json.dumps(SHARED_SERVER_LIMITS)})
    server.start()
    yield server
    server.stop()


class ServerFactory:
    """server_factory(name="a", seed=True, database_url=..., message_queue=...) -> a started LiveServer."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.servers: list[LiveServer] = []

    def __call__(self, name: str = "server", *, start: bool = True, **kwargs) -> LiveServer:
        server = LiveServer(self.folder / name, name=name, **kwargs)
        self.servers.append(server)
        return server.start() if start else server

    def stop_all(self) -> None:
        for server in self.servers:
            server.stop()


@pytest.fixture
def server_factory(tmp_path):
    factory = ServerFactory(tmp_path)
    yield factory
    factory.stop_all()


# --- people in browsers -------------------------------------------------------------------------
def _artifact_dir(item) -> Path:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid.split("::", 1)[-1])[:120]
    module = Path(str(item.fspath)).stem
    return ARTIFACTS / f"{module}__{name}"


@pytest.fixture
def new_context(browser, live_server, request):
    """new_context(**playwright_context_options) -> a BrowserContext (one person), base_url = live server."""
    contexts = []
    console: list[str] = []

    def watch(page):
        label = f"context {len(contexts)}"
        page.on("console", lambda msg: console.append(f"[{label}] {msg.type}: {msg.text}"))
        page.on("pageerror", lambda err: console.append(f"[{label}] pageerror: {err}"))

    def make(**options):
        options.setdefault("base_url", live_server.url)
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        context.on("page", watch)
        context.tracing.start(screenshots=True, snapshots=True)
        contexts.append(context)
        return context

    make.console = console  # tests may assert on the pages' console messages
    yield make

    report = getattr(request.node, "rep_call", None)
    failed = report is not None and report.failed
    folder = _artifact_dir(request.node)
    if failed:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "console.txt").write_text("\n".join(console) + "\n")
    for i, context in enumerate(contexts):
        try:
            if failed:
                for j, page in enumerate(context.pages):
                    try:
                        page.screenshot(path=str(folder / f"context{i}-page{j}.png"), full_page=True)
                    except Exception:  # noqa: BLE001 - a closed page must not hide the real failure
                        pass
                context.tracing.stop(path=str(folder / f"context{i}-trace.zip"))
            else:
                context.tracing.stop()
        finally:
            context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture
def sign_in():
    """sign_in(page, email, password=DEMO_PASSWORD): through the login form; waits to leave /login."""

    def _sign_in(page, email: str, password: str = DEMO_PASSWORD):
        page.goto("/login")
        page.get_by_label("Email", exact=True).fill(email)
        page.get_by_label("Password", exact=True).fill(password)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
        if "/login" in page.url:
            alerts = page.locator(".alert").all_inner_texts()
            raise AssertionError(f"Signing in as {email} failed: {' '.join(alerts) or page.url}")
        return page

    return _sign_in
