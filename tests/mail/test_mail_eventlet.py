"""The real server (`python wsgi.py`, eventlet) sends the outbox from a background greenlet,
and a slow mail server does not block the hub: pages keep answering while it waits."""
from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.request

import pytest

from tests.mail.conftest import Inbox, SMTPServer
from tests.server import LiveServer


class SlowInbox(Inbox):
    """Takes `delay` seconds to accept the first message (a mail server under load)."""

    def __init__(self, delay: float):
        super().__init__()
        self.delay = delay
        self.first_data = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        if not self.first_data.is_set():
            self.first_data.set()
            await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    pytest.fail(f"Timed out after {timeout} s waiting for {what}")


def _api(server: LiveServer, token: str, method: str, path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        server.url + "/api/v1" + path, method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


# The server runs on its own SQLite file: the PostgreSQL pass (-m "not e2e and not server") leaves it out.
@pytest.mark.server
def test_eventlet_server_sends_in_the_background_without_blocking_the_hub(tmp_path):
    smtp = SMTPServer()
    smtp.inbox = SlowInbox(delay=2.0)
    smtp.controller.handler = smtp.inbox
    smtp.start()
    server = LiveServer(tmp_path, name="mail", seed=True, env={
        "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp.port), "MAIL_BACKEND": "smtp",
        "MAIL_SEND_INTERVAL_SECONDS": "0.2", "SITE_URL": "http://roundtable.example"})
    try:
        server.start()
        token = server.cli("users", "token", "--email", "sofia@northwind.example").stdout.strip().splitlines()[-1]
        created = _api(server, token, "POST", "/topics/grievance-mechanisms/threads",
                       {"title": "Mail from the live server", "body": "@ravi.kumar please share your hotline set-up."})
        thread_id = created["thread"]["id"]
        assert smtp.inbox.first_data.wait(20), server.log_tail()
        # The sender is now waiting on the slow mail server; the hub must keep serving.
        started = time.monotonic()
        urllib.request.urlopen(server.url + "/login", timeout=5).close()
        assert time.monotonic() - started < 1.0, "a page waited for the mail server"
        assert not smtp.inbox.messages  # ... and the first email is indeed still in flight

        for i in range(4):  # more mail while the first is in flight: queued, none lost, none sent twice
            _api(server, token, "POST", f"/threads/{thread_id}/posts", {"body": f"@ravi.kumar reminder {i}."})
        _wait_for(lambda: len(smtp.inbox.to("ravi@shakti.example")) >= 5, 30, "the five mention emails")
        mail = smtp.inbox.to("ravi@shakti.example")[0]  # the thread's own mention went first
        assert "Mail from the live server" in mail.subject
        assert f"http://roundtable.example/threads/{thread_id}" in mail.text
        assert str(mail.message["List-Unsubscribe"]).startswith("<http://roundtable.example/unsubscribe/")
        ids = [str(m.message["Message-ID"]) for m in smtp.inbox.messages]
        assert len(ids) == len(set(ids)) == 5  # nothing sent twice
    finally:
        server.stop()
        smtp.stop()
