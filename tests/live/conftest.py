"""Fixtures for the live-session tests: sessions made through the real actions, an API
client per persona, socket helpers that wait for (coalesced) events, recorded emits."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest

from community.extensions import db, socketio
from community.models import utcnow
from tests.actions.support import EmitRecorder
from tests.api.helpers import Api


def iso_in(minutes: float) -> str:
    return (utcnow() + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")


@pytest.fixture
def api(client, token_for) -> Api:
    return Api(client, token_for)


@pytest.fixture
def in_app(app):
    """in_app(fn) runs fn() in a fresh app context and returns its result (commit is fn's business)."""

    def run(fn):
        with app.app_context():
            try:
                return fn()
            finally:
                db.session.remove()

    return run


@pytest.fixture
def make_session(app, world):
    """make_session(host="member", topic="grievance", start=True, **schedule kwargs) -> session id.

    Goes through the real actions; `hosts` are persona names here.
    """
    from community.actions import live

    def make(host: str = "member", topic: str = "grievance", start: bool = True, hosts=(), **kwargs) -> int:
        kwargs.setdefault("title", "Ask the brands: recruitment fees")
        kwargs.setdefault("starts_at", iso_in(-5))
        kwargs.setdefault("ends_at", iso_in(60))
        with app.app_context():
            session = live.schedule(world.user(host), world.topic(topic),
                                    hosts=[world.ids[h] for h in hosts], **kwargs)
            if start:
                live.start(world.user(host), session)
            session_id = session.id
            db.session.remove()
        return session_id

    return make


@pytest.fixture
def emitted(monkeypatch) -> EmitRecorder:
    recorder = EmitRecorder()
    monkeypatch.setattr(socketio, "emit", recorder)
    return recorder


class Inbox:
    """What one socket received, kept across reads (get_received drains the client's queue)."""

    def __init__(self, sock):
        self.sock = sock
        self.events: list[dict] = []

    def drain(self) -> list[dict]:
        self.events.extend(self.sock.get_received())
        return self.events

    def named(self, name: str) -> list[dict]:
        return [e["args"][0] for e in self.drain() if e["name"] == name]

    def wait_for(self, name: str, timeout: float = 0.5, where=lambda payload: True) -> dict | None:
        """The first `name` event matching `where`, waiting up to `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            found = [p for p in self.named(name) if where(p)]
            if found:
                return found[0]
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.02)

    def clear(self) -> None:
        self.drain()
        self.events.clear()


@pytest.fixture
def live_socket(socket_for):
    """live_socket("supplier", session_id, hosts_room=False, **join) -> (socket, join ack, Inbox)."""

    def make(name: str, session_id: int, hosts_room: bool = False, **join):
        sock = socket_for(name)
        assert sock.is_connected()
        ack = sock.emit("join", {"room": f"live:{session_id}", **join}, callback=True)
        assert ack["ok"], ack
        if hosts_room:
            hosts_ack = sock.emit("join", {"room": f"livehosts:{session_id}"}, callback=True)
            assert hosts_ack["ok"], hosts_ack
        inbox = Inbox(sock)
        inbox.clear()
        return sock, ack, inbox

    return make
