"""Fixtures for the action tests: one app context per test, and recorded emits."""
from __future__ import annotations

import pytest

from community.extensions import socketio
from tests.actions.support import EmitRecorder


@pytest.fixture(autouse=True)
def ctx(app, world):
    """Actions run inside an app context, as they do in a request."""
    with app.app_context():
        yield


@pytest.fixture
def emitted(monkeypatch) -> EmitRecorder:
    recorder = EmitRecorder()
    monkeypatch.setattr(socketio, "emit", recorder)
    return recorder
