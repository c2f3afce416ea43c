"""Helpers shared by the action and realtime tests.

- `EmitRecorder` replaces `socketio.emit` and records every emit, checking
  that the event's row was already committed when it went out.
- `start` / `answer` build threads and posts through the real actions.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import select

from community.extensions import db
from community.models import RoomEvent


@dataclass
class Emitted:
    name: str
    payload: dict
    room: str | None
    committed: bool  # was the announced row visible to another connection when emitted?

    def json(self) -> str:
        return json.dumps(self.payload, default=str)


@dataclass
class EmitRecorder:
    """Stands in for socketio.emit; `check_commit` looks the event's cursor up on another connection."""

    events: list[Emitted] = field(default_factory=list)

    def __call__(self, name, payload=None, *args, to=None, room=None, **kwargs):
        payload = payload or {}
        cursor = payload.get("cursor")
        committed = True
        if cursor is not None:
            # A fresh connection only sees committed rows: this proves "emitted after commit".
            with db.engine.connect() as other:
                committed = other.execute(
                    select(RoomEvent.id).where(RoomEvent.id == cursor)
                ).scalar() is not None
        self.events.append(Emitted(name, payload, to or room, committed))

    def named(self, name: str, room: str | None = None) -> list[Emitted]:
        return [e for e in self.events if e.name == name and (room is None or e.room == room)]

    def to(self, room: str) -> list[Emitted]:
        return [e for e in self.events if e.room == room]

    def rooms(self) -> set[str]:
        return {e.room for e in self.events}

    def clear(self) -> None:
        self.events.clear()


def start(world, who: str, slug: str = "grievance", **kwargs):
    """start_thread through the real action; returns (thread, opening post)."""
    from community.actions.threads import start_thread

    kwargs.setdefault("title", "How do we check recruitment fees?")
    kwargs.setdefault("body", "Opening post body")
    return start_thread(world.user(who), world.topic(slug), **kwargs)


def answer(world, who: str, thread, body: str = "A reply", **kwargs):
    from community.actions.posts import reply

    return reply(world.user(who), thread, body, **kwargs)


def secrets_of(user) -> list[str]:
    """Strings that would identify `user` if they appeared in a payload."""
    return [user.name, user.handle, user.email, user.organisation.name]


def assert_names_nobody(text: str, user) -> None:
    """`text` (a JSON payload or HTML) must not identify `user` in any way."""
    import re

    for secret in secrets_of(user):
        assert secret not in text, f"{secret!r} leaked in {text[:400]}"
    pattern = re.compile(rf"(author|user)[_-]?id\W{{1,4}}{user.id}\b")
    assert not pattern.search(text), f"author id leaked in {text[:400]}"
