"""The real server (`python wsgi.py` under eventlet, seeded SQLite) for the resilience tests:
body limits as eventlet.wsgi sees them, a page while a pathological post is submitted, the
schema-driven fuzzer, and a session that survives a restart (test_restart.py: it restarts
the server, which comes back on the same port and database). One server for the folder;
they run once, in the SQLite pass."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import mark_tests_below
from tests.server import LiveServer

HERE = Path(__file__).resolve().parent
POSTER = "sofia@northwind.example"
READER = "ravi@shakti.example"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    mark_tests_below(items, HERE, pytest.mark.server)


@pytest.fixture(scope="package")
def live_server(tmp_path_factory):
    # Rate limits off for the fuzzer's hundreds of writes; the render deadline long enough that
    # a slow post takes a while (the page test compares the two); mail stays in the outbox.
    server = LiveServer(tmp_path_factory.mktemp("resilience"), name="resilience", seed=True, start_timeout=60,
                        env={"RATELIMIT_ENABLED": "0", "MAIL_SENDER_ENABLED": "0", "RENDER_TIMEOUT_SECONDS": "3"})
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="package")
def tokens(live_server) -> dict[str, str]:
    def token(email: str) -> str:
        return live_server.cli("users", "token", "--email", email).stdout.strip().splitlines()[-1]

    return {"poster": token(POSTER), "reader": token(READER), "admin": token("admin@roundtable.example")}
