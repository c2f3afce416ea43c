"""The event bus: actions queue plain-dict events; they are emitted after commit.

`queue_event(room, name, payload)` stores the event in the same transaction as
the change it announces (table room_event). Its id becomes the event's
`cursor`, monotonically increasing within every room, so a reconnecting
client can ask for what it missed (`replay`). Events are emitted only after
the transaction commits (`commit()` or the app-context teardown), never after
a rollback. Ephemeral events (typing, presence) skip storage: `emit_now`.

A change that takes access away (a topic made private, a thread moved) calls
`cut_before_emit(rooms)` in its transaction: after the commit, the sockets in those
rooms that lost access are made to leave BEFORE anything the transaction queued is
emitted, in every worker (realtime registers how, with `set_gatekeeper`), so nobody
hears about the change that shuts them out.

Missed events are kept EVENT_RETENTION_HOURS (default 48 h); a client asking
for older history gets `reset: true` and reloads the page instead.
"""
from __future__ import annotations

import threading
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, event, select, text
from sqlalchemy.orm import Session

from .extensions import db, socketio
from .models import RoomEvent, utcnow

_PENDING, _STAGED, _READY = "rt_pending_events", "rt_staged_events", "rt_ready_events"
_CONTROL_PENDING, _CONTROL_READY = "rt_pending_control", "rt_ready_control"
# Where control messages go after commit: realtime registers its broadcaster (every worker
# applies them to its own sockets). Unset (no socket layer loaded), they are dropped.
_control_sink = None


def set_control_sink(sink) -> None:
    global _control_sink
    _control_sink = sink


def queue_control(message: dict) -> None:
    """Queue a control message for the socket layer (cut sessions, tokens, users), sent after commit.

    Like room events, it follows the transaction: a rollback sends nothing.
    """
    db.session.info.setdefault(_CONTROL_PENDING, []).append(message)
_CUT, _CUT_READY = "rt_cut_rooms", "rt_cut_rooms_ready"
ALL_ROOMS = "*"
# realtime's "cut these rooms, then emit these events" (None: no sockets in this process kind)
_gatekeeper = None


def set_gatekeeper(function) -> None:
    """Register function(rooms, events) that re-checks the sockets in `rooms` and only then
    emits `events` [(room, name, payload)], in every worker (community/realtime does)."""
    global _gatekeeper
    _gatekeeper = function


def cut_before_emit(*rooms: str) -> None:
    """This transaction may take access away from sockets in `rooms` (ALL_ROOMS: any room):
    they are re-checked, and cut, before any event of the transaction goes out."""
    db.session.info.setdefault(_CUT, set()).update(rooms)


def queue_event(room: str, name: str, payload: dict) -> None:
    """Store an event for `room`, to be emitted once the current transaction commits."""
    row = RoomEvent(room=room, name=name, payload=payload)
    db.session.add(row)
    db.session.info.setdefault(_PENDING, []).append(row)


@event.listens_for(Session, "before_commit")
def _stage(session: Session) -> None:
    cut = session.info.pop(_CUT, None)
    if cut:
        session.info.setdefault(_CUT_READY, set()).update(cut)
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
    control = session.info.pop(_CONTROL_PENDING, None)
    if control:
        session.info.setdefault(_CONTROL_READY, []).extend(control)


@event.listens_for(Session, "after_soft_rollback")
def _drop(session: Session, previous_transaction) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_STAGED, None)
    session.info.pop(_CONTROL_PENDING, None)
    session.info.pop(_CUT, None)
    session.info.pop(_CUT_READY, None)


def commit() -> None:
    """Commit the unit of work, then emit what it queued.

    A row changed by someone else meanwhile (optimistic locking) becomes a Conflict.
    """
    from sqlalchemy.orm.exc import StaleDataError

    from .errors import Conflict

    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise Conflict(_("Someone else changed this at the same moment. Reload to see what they did.")) from None
    emit_ready()


def emit_ready() -> None:
    # Sockets lose what they lost (ended sessions, revoked tokens) before anything is announced.
    control = db.session.info.pop(_CONTROL_READY, None)
    if control and _control_sink is not None:
        for message in control:
            _control_sink(message)
    ready = db.session.info.pop(_READY, None) or []
    cut = db.session.info.pop(_CUT_READY, None)
    if cut and _gatekeeper is not None:
        _gatekeeper(sorted(cut), ready)
        return
    for room, name, payload in ready:
        socketio.emit(name, payload, to=room)


def emit_now(room: str, name: str, payload: dict, skip_sid: str | None = None) -> None:
    """Emit an ephemeral event (typing, presence) that is not kept for replay."""
    socketio.emit(name, {**payload, "cursor": None}, to=room, skip_sid=skip_sid)


# Fast-changing state (vote counts, presence in big rooms) goes out coalesced: the
# latest value per key, once per tick, instead of one emit per change per member.
COALESCE_SECONDS = 0.1
_coalesce_lock = threading.Lock()
_coalesce: dict[str, dict[str, tuple[str, dict]]] = {}


def emit_coalesced(room: str, key: str, name: str, payload: dict) -> None:
    """Emit `payload` to `room` within COALESCE_SECONDS, replaced by any newer one with the same key."""
    with _coalesce_lock:
        pending = _coalesce.get(room)
        first = pending is None
        if first:
            pending = _coalesce[room] = {}
        pending[key] = (name, payload)
    if first:
        socketio.start_background_task(_flush_coalesced, room)


def _flush_coalesced(room: str) -> None:
    socketio.sleep(COALESCE_SECONDS)
    with _coalesce_lock:
        pending = _coalesce.pop(room, {})
    for name, payload in pending.values():
        socketio.emit(name, {**payload, "cursor": None}, to=room)


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
    missed = [{"name": r.name, "data": {**r.payload, "cursor": r.id}} for r in rows]
    if room.startswith("thread:"):
        _as_posts_are_now(room, missed)
    return missed, False


def _as_posts_are_now(room: str, missed: list[dict]) -> None:
    """Replayed post events carry each post as it is now, not as it was when announced.

    The stored payload of a post hidden, deleted or edited since still holds the old
    words: replaying it would hand them to anyone joining with an old cursor. A post
    that is no longer visible here becomes post.hidden/post.deleted (same cursor, so
    the client resumes where it stopped); a visible one gets its current payload.
    """
    from .models import Post
    from .payloads import room_post_event

    ids = {e["data"]["post"].get("id") for e in missed if isinstance(e["data"].get("post"), dict)} - {None}
    if not ids:
        return
    posts = {p.id: p for p in db.session.scalars(select(Post).where(Post.id.in_(ids)))}
    thread_id = room.partition(":")[2]
    now: dict[int, dict] = {}
    for item in missed:
        data = item["data"]
        post_id = data["post"].get("id") if isinstance(data.get("post"), dict) else None
        if post_id is None:
            continue
        post = posts.get(post_id)
        if post is None or str(post.thread_id) != thread_id or post.state != "visible":
            item["name"] = "post.hidden" if post is not None and post.state in ("hidden", "held") else "post.deleted"
            item["data"] = {"room": room, "post_id": post_id, "thread_id": int(thread_id) if thread_id.isdigit()
                            else thread_id, "cursor": data["cursor"]}
            continue
        if post_id not in now:
            now[post_id] = room_post_event(post)
        item["data"] = {**data, "post": now[post_id]["post"]}
        item["data"].pop("fragment", None)  # stored before room events carried data only


def prune(now=None) -> int:
    """Delete events older than the retention period; returns how many."""
    retention = timedelta(hours=current_app.config["EVENT_RETENTION_HOURS"])
    result = db.session.execute(delete(RoomEvent).where(RoomEvent.created_at < (now or utcnow()) - retention))
    db.session.commit()
    return result.rowcount or 0
