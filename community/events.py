"""The unit of work and the event bus: actions queue plain-dict events; they go out after commit.

Every action wears `@action` (or runs in `with unit_of_work():`): the outermost one owns the
transaction, commits it and then emits; an error anywhere in it rolls it back once, here.

`queue_event(room, name, payload)` stores the event in the same transaction as
the change it announces (table room_event). Its id becomes the event's
`cursor`, monotonically increasing within every room, so a reconnecting
client can ask for what it missed (`replay`). Events are emitted only after
the transaction commits, never after a rollback. Ephemeral events (typing,
presence) skip storage: `emit_now`.

`queue_control(op, ...)` queues a control event for open sockets (cut a person's sockets,
re-check who may stay in a room) in the same transaction. The realtime layer subscribes
(`subscribe`): after the commit it applies the control events in every worker, and only
then emits the transaction's room events, so nobody hears about the change that shuts
them out.

Missed events are kept EVENT_RETENTION_HOURS (default 48 h); a client asking
for older history gets `reset: true` and reloads the page instead.
"""
from __future__ import annotations

import functools
import threading
import time
from contextlib import contextmanager
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, event, select, text
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from .errors import StaleWrite
from .extensions import db, socketio
from .models import Post, RoomEvent, utcnow
from .payloads import room_post_event

_PENDING, _STAGED, _READY = "rt_pending_events", "rt_staged_events", "rt_ready_events"
_CONTROL_PENDING, _CONTROL_READY = "rt_pending_control", "rt_ready_control"
_COALESCED_PENDING, _COALESCED_READY = "rt_pending_coalesced", "rt_ready_coalesced"
_DEPTH = "rt_unit_depth"


# --- the unit of work ---------------------------------------------------------------------------
@contextmanager
def unit_of_work():
    """The transaction of one action: the outermost unit commits (then emits what was queued),
    or rolls back once if anything in it raised. Units opened inside it (an action calling
    another) only join it: they neither commit nor roll back.

    A row changed by someone else meanwhile (optimistic locking) becomes a StaleWrite conflict.
    """
    session = db.session()
    depth = session.info.get(_DEPTH, 0)
    session.info[_DEPTH] = depth + 1
    try:
        yield
        if depth == 0:
            session.commit()
    except StaleDataError:
        if depth:
            raise
        _roll_back(session)
        raise StaleWrite() from None
    except BaseException:
        if depth == 0:
            _roll_back(session)
        raise
    finally:
        session.info[_DEPTH] = depth
    if depth == 0:
        emit_ready()


def _roll_back(session: Session) -> None:
    session.rollback()
    _drop(session, None)  # also what was queued while no transaction had begun (no rollback event then)


def action(func):
    """Run `func` as a unit of work (see unit_of_work): every action that changes state wears it."""

    @functools.wraps(func)
    def run(*args, **kwargs):
        with unit_of_work():
            return func(*args, **kwargs)

    return run


def in_unit_of_work() -> bool:
    """Is an action's transaction open (then a caller must leave committing to it)?"""
    return bool(db.session.info.get(_DEPTH))


# --- control events: what the transaction changes for open sockets ------------------------------
# Each op is applied by community/realtime (control.py) in every worker:
CONTROL_OPS = {
    "disconnect_user": ("user_id", "reason"),  # every socket of a person (suspension)
    "disconnect_sessions": ("session_ids", "reason"),  # sockets opened by these sign-in sessions
    "disconnect_tokens": ("token_ids", "reason"),  # sockets opened with these API tokens
    "recheck_room": ("room",),  # who is in `room` and may no longer read it leaves it
    "recheck_topic": ("topic_id",),  # the same for every room of a topic (its readers changed)
}


def queue_control(op: str, **fields) -> None:
    """Queue a control event in the current transaction (a rollback drops it).

    After the commit, the realtime layer applies it to the sockets of every worker BEFORE any
    room event of the same transaction is emitted, so nobody hears about a change that shuts
    them out (a topic made private, a thread moved, a session ended).
    """
    if op not in CONTROL_OPS or set(fields) != set(CONTROL_OPS[op]):
        raise ValueError(f"control event {op}{sorted(fields)}: expected one of {CONTROL_OPS}")
    db.session.info.setdefault(_CONTROL_PENDING, []).append({"op": op, **fields})


# Set by the realtime layer: deliver(control, room_events) applies the control events in every
# worker, then emits the room events. Unset (no socket layer), room events are emitted as they are.
_delivery = None


def subscribe(deliver) -> None:
    """Register the realtime layer's deliver(control: list[dict], events: list[(room, name, payload)])."""
    global _delivery
    _delivery = deliver


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
    control = session.info.pop(_CONTROL_PENDING, None)
    if control:
        session.info.setdefault(_CONTROL_READY, []).extend(control)
    coalesced = session.info.pop(_COALESCED_PENDING, None)
    if coalesced:
        session.info.setdefault(_COALESCED_READY, []).extend(coalesced)


@event.listens_for(Session, "after_soft_rollback")
def _drop(session: Session, previous_transaction) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_STAGED, None)
    session.info.pop(_CONTROL_PENDING, None)
    session.info.pop(_COALESCED_PENDING, None)


def commit() -> None:
    """Commit and emit what was queued, for code that is no action (scripts, tests). Inside an
    action's unit of work it does nothing: the outermost action commits."""
    with unit_of_work():
        pass


def emit_ready() -> None:
    """Emit what committed transactions queued: control events first, in every worker, then
    the room events (the app context's teardown calls it too)."""
    control = db.session.info.pop(_CONTROL_READY, None)
    ready = db.session.info.pop(_READY, None) or []
    if control and _delivery is not None:
        for room in {room for room, _name, _payload in ready}:
            _flush_batch(room)  # what this worker holds for those rooms goes first
        _delivery(control, ready)
    elif ready:
        tick = current_app.config.get("EVENT_BATCH_SECONDS", 0)
        for room, name, payload in ready:
            if tick > 0:
                _emit_batched(room, name, payload, tick)
            else:
                socketio.emit(name, payload, to=room)
    for args in db.session.info.pop(_COALESCED_READY, None) or ():
        _coalesce_now(*args)


# A room whose events come faster than a tick gets them as one `batch` per tick (per worker):
# an event for a room that sent nothing in the last tick goes out at once (a paced room waits
# for nothing); the ones after it within the tick are held, in order, and sent together when
# the tick ends, each keeping its own cursor. A batch is emitted like any event (through the
# message queue when there is one). Ephemeral and coalesced events are never held.
_batch_lock = threading.Lock()
_batch_sent: dict[str, float] = {}  # room -> when this worker last emitted to it (monotonic)
_batch_held: dict[str, list[dict]] = {}  # room -> events waiting for the end of its tick


def _emit_batched(room: str, name: str, payload: dict, tick: float) -> None:
    now = time.monotonic()
    with _batch_lock:
        held = _batch_held.get(room)
        if held is not None:  # the room's tick is open: join it
            held.append({"name": name, "data": payload})
            return
        last = _batch_sent.get(room)
        if last is not None and now - last < tick:  # the room sent within the tick: hold it
            _batch_held[room] = [{"name": name, "data": payload}]
            socketio.start_background_task(_flush_batch_later, room, last + tick - now)
            return
        if len(_batch_sent) > 1000:  # forget idle rooms
            for key in [k for k, at in _batch_sent.items() if now - at >= tick]:
                del _batch_sent[key]
        _batch_sent[room] = now
    socketio.emit(name, payload, to=room)  # the leading edge: at once


def _flush_batch_later(room: str, delay: float) -> None:
    socketio.sleep(max(0.0, delay))
    _flush_batch(room)


def _flush_batch(room: str) -> None:
    """Send what is held for `room`: one event as itself, several as one `batch`."""
    with _batch_lock:
        held = _batch_held.pop(room, None)
        if held:
            _batch_sent[room] = time.monotonic()
    if not held:
        return
    if len(held) == 1:
        socketio.emit(held[0]["name"], held[0]["data"], to=room)
    else:
        socketio.emit("batch", {"room": room, "events": held}, to=room)


def emit_now(room: str, name: str, payload: dict, skip_sid: str | None = None) -> None:
    """Emit an ephemeral event (typing, presence) that is not kept for replay."""
    socketio.emit(name, {**payload, "cursor": None}, to=room, skip_sid=skip_sid)


# Fast-changing state (vote counts, presence in big rooms) goes out coalesced: the
# latest value per key, once per tick, instead of one emit per change per member.
COALESCE_SECONDS = 0.1
_coalesce_lock = threading.Lock()
_coalesce: dict[str, dict[str, tuple[str, dict]]] = {}


def emit_coalesced(room: str, key: str, name: str, payload: dict) -> None:
    """Emit `payload` to `room` within COALESCE_SECONDS, replaced by any newer one with the same key.

    Not kept for replay; called in a unit of work, it waits for the commit (a rollback drops it)."""
    if in_unit_of_work():
        db.session.info.setdefault(_COALESCED_PENDING, []).append((room, key, name, payload))
        return
    _coalesce_now(room, key, name, payload)


def _coalesce_now(room: str, key: str, name: str, payload: dict) -> None:
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
    commit()
    return result.rowcount or 0
