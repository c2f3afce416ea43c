"""Control events (community/events.py CONTROL_OPS): after a commit, each is applied to the
sockets of every worker (through a Redis channel when there are several) BEFORE the room
events of the same transaction go out; and the sweeps that catch what no event announces
(a session or token that expired)."""
from __future__ import annotations

import json

import redis
from flask import current_app
from flask_babel import gettext as _

from .. import events
from ..actions import sessions, tokens
from ..errors import DomainError, Unauthorized
from ..extensions import db, socketio
from ..models import ApiToken, User, UserSession
from .connection import all_identities, drop_socket, identity_of, local_sids
from .presence import presence_store
from .rooms import authorise_room

CONTROL_SUFFIX = "-control"


def _cut(sids: list[str], reason: str) -> None:
    """Tell each socket why (the page shows it and stops reconnecting), then close it."""
    for sid in sids:
        socketio.emit("session.ended", {"reason": reason}, to=sid)
        drop_socket(sid)
        socketio.server.disconnect(sid, namespace="/", ignore_queue=True)


def _apply_control(message: dict) -> None:
    """Run one control event (community/events.py CONTROL_OPS) on this process's own sockets."""
    op = message.get("op")
    reason = message.get("reason", "")
    if op == "disconnect_user":
        _cut(local_sids(lambda i: i.user_id == message["user_id"]), reason)
    elif op == "disconnect_sessions":
        ended = set(message.get("session_ids") or ())
        _cut(local_sids(lambda i: i.session_id in ended), reason)
    elif op == "disconnect_tokens":
        revoked = set(message.get("token_ids") or ())
        _cut(local_sids(lambda i: i.token_id in revoked), reason)
    elif op == "recheck_topic":
        # Rare (an administrator's change), so every room this worker has is checked: simpler
        # and safer than working out which thread and live rooms belong to the topic.
        rooms = [r for r in socketio.server.manager.rooms.get("/", {})
                 if isinstance(r, str) and r.startswith(("thread:", "topic:", "live:", "livehosts:", "mods:"))]
        for room in rooms:
            _recheck(room)
    elif op == "recheck_room":
        _recheck(message["room"])


def _recheck(room: str) -> None:
    """Every socket in `room` that may no longer read it leaves it (and hears why)."""
    for sid, _eio in list(socketio.server.manager.get_participants("/", room)):
        identity = identity_of(sid)
        user = db.session.get(User, identity.user_id) if identity else None
        try:
            if user is None:
                raise Unauthorized()
            authorise_room(user, room)
        except DomainError as err:
            socketio.emit("room.left", {"room": room, "reason": err.message}, to=sid)
            socketio.server.leave_room(sid, room, namespace="/")
            presence_store().remove(room, sid)


def _apply(message: dict) -> None:
    """In this worker: apply the control events, then emit the room events to this worker's
    own sockets (every worker got the same message)."""
    for control in message["control"]:
        if control["op"].startswith("disconnect"):
            # The cut sockets' disconnect handlers may run in-line here (threading mode) and
            # end their database session: give them their own, not the caller's.
            with current_app.app_context():
                _apply_control(control)
        else:
            _apply_control(control)
    for room, name, payload in message["events"]:
        socketio.emit(name, payload, to=room, ignore_queue=True)


def deliver(control: list[dict], ready: list) -> None:
    """events' subscriber: after a commit, apply `control` and then emit `ready`, in every worker
    (through the control channel when there are several)."""
    message = {"control": control, "events": [[room, name, payload] for room, name, payload in ready]}
    url = current_app.config.get("SOCKETIO_MESSAGE_QUEUE")
    if url and url.startswith("redis"):
        channel = current_app.config["SOCKETIO_CHANNEL"] + CONTROL_SUFFIX
        redis.Redis.from_url(url).publish(channel, json.dumps(message))
    else:
        _apply(message)


events.subscribe(deliver)


def sweep_sockets() -> int:
    """Cut this process's sockets whose session ended or expired, or whose token was revoked or
    expired (what no control message announces, such as an expiry); returns how many."""
    identities = all_identities()
    session_ids = {i.session_id for i in identities.values() if i.session_id is not None}
    token_ids = {i.token_id for i in identities.values() if i.token_id is not None}
    try:
        live_sessions = set(db.session.scalars(db.select(UserSession.id).where(
            UserSession.id.in_(session_ids), sessions.alive()))) if session_ids else set()
        live_tokens = set(db.session.scalars(db.select(ApiToken.id).where(
            ApiToken.id.in_(token_ids), tokens.alive()))) if token_ids else set()
    finally:
        db.session.remove()
    dead = [sid for sid, i in identities.items()
            if (i.session_id is not None and i.session_id not in live_sessions)
            or (i.token_id is not None and i.token_id not in live_tokens)]
    _cut(dead, _("Your session has ended."))
    return len(dead)


def start_socket_sweeper(app) -> None:
    """Every SOCKET_SWEEP_SECONDS, cut the sockets whose session or token no longer works."""

    def sweep():
        while True:
            socketio.sleep(app.config["SOCKET_SWEEP_SECONDS"])
            with app.app_context():
                try:
                    sweep_sockets()
                except Exception:  # noqa: BLE001 - the loop must survive a bad round
                    app.logger.exception("socket sweep failed")

    socketio.start_background_task(sweep)


def start_control_listener(app) -> None:
    """With a Redis queue, every worker listens for control messages (a background task)."""
    url = app.config.get("SOCKETIO_MESSAGE_QUEUE")
    if not url or not url.startswith("redis"):
        return

    def listen():
        while True:
            try:
                pubsub = redis.Redis.from_url(url).pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(app.config["SOCKETIO_CHANNEL"] + CONTROL_SUFFIX)
                for item in pubsub.listen():
                    if item.get("type") != "message":
                        continue
                    with app.app_context():
                        try:
                            _apply(json.loads(item["data"]))
                        except Exception:  # noqa: BLE001
                            app.logger.exception("control message failed")
            except Exception:  # noqa: BLE001 - Redis went away: retry
                app.logger.warning("control channel lost; retrying in 1 s")
                socketio.sleep(1)

    socketio.start_background_task(listen)
