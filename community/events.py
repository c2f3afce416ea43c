"""The event bus: actions queue plain-dict events; they are emitted after commit.

`queue_event(room, name, payload)` stores the event in the same transaction as
the change it announces (table room_event). Its id becomes the event's
`cursor`, monotonically increasing within every room, so a reconnecting
client can ask for what it missed (`replay`). Events are emitted only after
the transaction commits (`commit()` or the app-context teardown), never after
a rollback. Ephemeral events (typing, presence) skip storage: `emit_now`.

Missed events are kept EVENT_RETENTION_HOURS (default 48 h); a client asking
for older history gets `reset: true` and reloads the page instead.
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, event, select, text
from sqlalchemy.orm import Session

from .extensions import db, socketio
from .models import RoomEvent, utcnow

_PENDING, _STAGED, _READY = "rt_pending_events", "rt_staged_events", "rt_ready_events"


def queue_event(room: str, name: str, payload: dict) -> None:
    """Store an event for `room`, to be emitted once the current transaction commits."""
    row = RoomEvent(room=room, name=name, payload=payload)
    db.session.add(row)
    db.session.info.setdefault(_PENDING, []).append(row)


@event.listens_for(Session, "before_commit")
def _stage(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        # Serialise writers per room so cursors commit in id order: a client
        # resuming from cursor N can then never miss an event with id < N.
        for room in sorted({row.room for row in pending}):
            session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:room))"), {"room": room})
    session.flush()
    session.info.setdefault(_STAGED, []).extend(
        (row.room, row.name, {**row.payload, "cursor": row.id}) for row in pending
    )


@event.listens_for(Session, "after_commit")
def _ready(session: Session) -> None:
    staged = session.info.pop(_STAGED, None)
    if staged:
        session.info.setdefault(_READY, []).extend(staged)


@event.listens_for(Session, "after_soft_rollback")
def _drop(session: Session, previous_transaction) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_STAGED, None)


def commit() -> None:
    """Commit the unit of work, then emit what it queued."""
    db.session.commit()
    emit_ready()


def emit_ready() -> None:
    ready = db.session.info.pop(_READY, None)
    for room, name, payload in ready or ():
        socketio.emit(name, payload, to=room)


def emit_now(room: str, name: str, payload: dict, skip_sid: str | None = None) -> None:
    """Emit an ephemeral event (typing, presence) that is not kept for replay."""
    socketio.emit(name, {**payload, "cursor": None}, to=room, skip_sid=skip_sid)


def latest_cursor(room: str) -> int:
    value = db.session.scalar(select(db.func.max(RoomEvent.id)).where(RoomEvent.room == room))
    return int(value or 0)


def replay(room: str, since: int, limit: int = 500) -> tuple[list[dict], bool]:
    """Events of `room` after cursor `since`, oldest first, and whether the client must reload.

    A cursor is the id of an event of that room (or 0 for "nothing yet"), so
    if that event is gone it was pruned and the gap cannot be filled.
    """
    if since > 0 and db.session.get(RoomEvent, since) is None:
        return [], True
    rows = db.session.scalars(
        select(RoomEvent).where(RoomEvent.room == room, RoomEvent.id > since)
        .order_by(RoomEvent.id).limit(limit + 1)
    ).all()
    if len(rows) > limit:
        return [], True
    return [{"name": r.name, "data": {**r.payload, "cursor": r.id}} for r in rows], False


def prune(now=None) -> int:
    """Delete events older than the retention period; returns how many."""
    retention = timedelta(hours=current_app.config["EVENT_RETENTION_HOURS"])
    result = db.session.execute(delete(RoomEvent).where(RoomEvent.created_at < (now or utcnow()) - retention))
    db.session.commit()
    return result.rowcount or 0
