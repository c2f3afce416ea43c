"""Helpers shared by the live-session tests."""
from __future__ import annotations

from tests.actions.support import assert_names_nobody as _assert_names_nobody

LABELS = ("Anonymous supplier", "Anonymous member")


def assert_names_nobody(text: str, user) -> None:
    """Nothing in `text` identifies `user`; the anonymous labels themselves are fine
    (the persona's handle "supplier" is part of "Anonymous supplier")."""
    for label in LABELS:
        text = text.replace(label, "")
    _assert_names_nobody(text, user)
