"""Fixtures for the moderation tests: recorded emits, a context runner and shared scenes.

Actions run inside `app.app_context()` blocks opened by each test (`act`), like a
request would; pages are driven with `login_as`, the API with `token_for`, sockets
with `socket_for` (tests/conftest.py).
"""
from __future__ import annotations

import pytest

from community.extensions import socketio
from tests.actions.support import EmitRecorder


@pytest.fixture
def emitted(monkeypatch) -> EmitRecorder:
    """Every socketio.emit, recorded (and checked to come after the commit)."""
    recorder = EmitRecorder()
    monkeypatch.setattr(socketio, "emit", recorder)
    return recorder


@pytest.fixture
def set_topic(app, world):
    """set_topic("grievance", moderation="all", ...) changes a topic's columns directly."""
    from community.extensions import db

    def _set(slug: str, **values):
        with app.app_context():
            topic = world.topic(slug)
            for key, value in values.items():
                setattr(topic, key, value)
            db.session.commit()

    return _set
