"""Presence: who is in a thread or live room (a count, organisations, and names only where
nobody may post anonymously), kept per process or in Redis, sent coalesced in big rooms."""
from __future__ import annotations

import threading

from flask import current_app

from .. import events
from ..extensions import db, socketio
from ..models import LiveSession, Thread, Topic, User
from .registry import LocalPresence, RedisPresence, app_store, summarise


def presence_store():
    """Who is in each room: in memory for one process, in Redis when workers share a queue."""
    return app_store("rt_presence", RedisPresence, LocalPresence)


def who(user: User) -> dict:
    return {"id": user.id, "name": user.name, "org": user.organisation.name}


def identity_hidden_in(room: str) -> bool:
    """Is `room` one where posts or questions may be anonymous (a thread or a live session of a
    topic that allows anonymous posting)? Its ephemeral events then name nobody: typing says
    "someone", presence gives counts only. Decided by the room, never by what a client says.
    Releases the database connection (callers emit right after)."""
    kind, _sep, key = room.partition(":")
    if not key.isdigit() or kind not in ("thread", "live"):
        return False
    model = Thread if kind == "thread" else LiveSession
    allowed = db.session.scalar(
        db.select(Topic.allow_anonymous).join(model, model.topic_id == Topic.id).where(model.id == int(key)))
    db.session.remove()
    # Unknown (deleted meanwhile): name nobody rather than guess.
    return allowed is None or bool(allowed)


# Presence in a big room goes out coalesced: every join and leave would otherwise send the
# whole room a count (2,000 people joining = 2,000 x 2,000 deliveries, and as many reads of
# the presence store). Small rooms keep their immediate updates.
PRESENCE_BIG_ROOM = 50  # sockets in this process's copy of the room
PRESENCE_INTERVAL = 1.0  # seconds between presence updates of a big room
_presence_pending: set[str] = set()
_presence_lock = threading.Lock()


def _local_size(room: str) -> int:
    return len(socketio.server.manager.rooms.get("/", {}).get(room) or ())


def broadcast_presence(room: str) -> None:
    if _local_size(room) < PRESENCE_BIG_ROOM:
        _emit_presence(room)
        return
    with _presence_lock:
        if room in _presence_pending:
            return  # an update is already due: it will count this change too
        _presence_pending.add(room)
    socketio.start_background_task(_flush_presence, current_app._get_current_object(), room)


def _flush_presence(app, room: str) -> None:
    socketio.sleep(PRESENCE_INTERVAL)
    with _presence_lock:
        _presence_pending.discard(room)  # changes from now on schedule the next update
    with app.app_context():
        try:
            _emit_presence(room)
        except Exception:  # noqa: BLE001 - a lost presence update must not kill the worker
            app.logger.exception("presence update of %s failed", room)


def _emit_presence(room: str) -> None:
    summary = summarise(presence_store().members(room))
    summary["anonymous_room"] = identity_hidden_in(room)
    if summary["anonymous_room"]:
        # Naming who reads a room where people post or ask anonymously would hint at who
        # wrote what: counts of people and organisations, no names.
        summary["users"], summary["organisations"] = [], []
    elif room.startswith("live:"):
        summary["users"] = []  # live sessions count people and name organisations only
    events.emit_now(room, "presence", {"room": room, **summary})
