"""Fixtures for the language tests: recorded emits (socketio.emit stands in)."""
from __future__ import annotations

import pytest

from community.extensions import socketio
from tests.actions.support import EmitRecorder


@pytest.fixture
def emitted(monkeypatch) -> EmitRecorder:
    recorder = EmitRecorder()
    monkeypatch.setattr(socketio, "emit", recorder)
    return recorder
