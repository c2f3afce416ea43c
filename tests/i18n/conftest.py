"""Fixtures for the language tests: recorded emits (socketio.emit stands in)."""
from __future__ import annotations

import pytest

from community.extensions import socketio
from tests.actions.support import EmitRecorder
from tests.i18n.test_messages import tagged  # noqa: F401  (shared: catalogues that tag each text with its language)


@pytest.fixture
def emitted(monkeypatch) -> EmitRecorder:
    recorder = EmitRecorder()
    monkeypatch.setattr(socketio, "emit", recorder)
    return recorder
