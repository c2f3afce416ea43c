"""Fixtures for the Socket.IO tests: threads made through the actions, token sockets, helpers."""
from __future__ import annotations

import pytest

from community.actions.accounts import issue_token
from community.extensions import socketio
from tests.actions.support import start


@pytest.fixture
def make_thread(app, world):
    """make_thread("member", "grievance", kind=...) -> the new thread's id."""

    def _make(who: str = "member", slug: str = "grievance", **kwargs) -> int:
        with app.app_context():
            thread, _opening = start(world, who, slug, **kwargs)
            return thread.id

    return _make


@pytest.fixture
def token_socket(app, world):
    """token_socket("supplier") -> a Socket.IO test client authenticated with auth={"token": ...}."""
    made = []

    def _socket(name: str | None = None, secret: str | None = None):
        if secret is None:
            with app.app_context():
                secret = issue_token(world.user(name), "socket test")
        sock = socketio.test_client(app, auth={"token": secret})
        made.append(sock)
        return sock

    yield _socket
    for sock in made:
        if sock.is_connected():
            sock.disconnect()

