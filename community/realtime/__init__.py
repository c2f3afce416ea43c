"""Socket.IO handlers, thin: authenticate, authorise every event with the Guardian,
parse, call the same actions as the pages and the API, answer through the ack.

Rooms: thread:<id>, topic:<slug>, live:<id>, user:<id> (own only) and
mods:<slug> (that topic's moderators). A join is checked every time; when
access changes (suspension, a move, a visibility change, logout) the
affected sockets are made to leave or are disconnected, in every worker
(through the control channel when there are several).
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import json
import threading
import time
from typing import NamedTuple

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, disconnect, join_room, leave_room  # reasons reach the client

from .. import events, ratelimit
from ..errors import DomainError, Forbidden, Invalid, NotFound, Unauthorized
from ..extensions import db, socketio
from ..models import User
from ..permissions import Guardian
from ..request_limits import clean_json
from .registry import LocalConnections, LocalPresence, RedisConnections, RedisPresence, summarise



class SocketIdentity(NamedTuple):
    """Who a socket is, and what let it in: a sign-in session or an API token (ended or
    revoked, the socket is cut)."""

    user_id: int
    session_id: int | None = None
    token_id: int | None = None


# this process's sockets: sid -> who they are
_sockets: dict[str, SocketIdentity] = {}
# the keys each socket is counted under (connection limits)
_socket_keys: dict[str, tuple[str, ...]] = {}
_sockets_lock = threading.Lock()
_typing_last: dict[str, float] = {}
TYPING_INTERVAL = 2.0
CONTROL_SUFFIX = "-control"


def _presence():
    app = current_app._get_current_object()
    store = app.extensions.get("rt_presence")
    if store is None:
        url = app.config.get("SOCKETIO_MESSAGE_QUEUE")
        store = (RedisPresence(url, app.config["SOCKETIO_CHANNEL"]) if url and url.startswith("redis")
                 else LocalPresence())
        app.extensions["rt_presence"] = store
    return store


def _connections():
    """Open sockets per person and per address: in Redis when workers share a queue."""
    app = current_app._get_current_object()
    store = app.extensions.get("rt_connections")
    if store is None:
        url = app.config.get("SOCKETIO_MESSAGE_QUEUE")
        store = (RedisConnections(url, app.config["SOCKETIO_CHANNEL"]) if url and url.startswith("redis")
                 else LocalConnections())
        app.extensions["rt_connections"] = store
    return store


def _connection_limits(user: User) -> dict[str, int]:
    return {f"user:{user.id}": current_app.config.get("SOCKETS_PER_USER", 0),
            f"addr:{request.remote_addr}": current_app.config.get("SOCKETS_PER_ADDRESS", 0)}


def _too_many_connections(key: str, limit: int) -> ConnectionRefusedError:
    if key.startswith("user:"):
        message = _("you have too many pages with live updates open (at most %(max)s). Close some tabs "
                    "or windows, then reload this page", max=limit)
    else:
        message = _("too many live connections come from your network (at most %(max)s). Reload the page "
                    "in a few minutes", max=limit)
    return ConnectionRefusedError(message, {"code": "too_many_connections", "limit": limit})


def _user() -> User:
    identity = _sockets.get(request.sid)
    user = db.session.get(User, identity.user_id) if identity is not None else None
    guardian = Guardian(user)
    if user is None or not guardian.can_use_site():
        raise Unauthorized(guardian.why_not_use_site() or "Please sign in.")
    if not _still_admitted(identity):
        raise Unauthorized(_("Your session has ended."))
    return user


def _still_admitted(identity: SocketIdentity) -> bool:
    """The session or token that let the socket in still works (a lost control message,
    another worker's sign-out: the next event finds out)."""
    from ..actions import sessions, tokens

    if identity.session_id is not None and not sessions.is_alive(identity.session_id):
        return False
    return identity.token_id is None or tokens.is_alive(identity.token_id)


def handler(func):
    """Answer every client event through its ack: {"ok": true, ...} or an error, never a trace."""

    @functools.wraps(func)
    def wrapper(data=None, *args):
        try:
            if data is None:
                data = {}
            if not isinstance(data, dict):
                raise Invalid(_("The event data must be an object."))
            # Its size is bounded by engineio (max_http_buffer_size = MAX_CONTENT_LENGTH), and
            # each field by the action, with the same messages as the forms and the API.
            clean_json(data)
            user = _user()
            result = func(user, data)
            return {"ok": True, **(result or {})}
        except DomainError as err:
            db.session.rollback()
            if isinstance(err, Unauthorized):
                _drop_socket(request.sid)
                disconnect()
            return err.as_ack()
        except Exception:  # noqa: BLE001 - a bad event must never kill the connection
            db.session.rollback()
            current_app.logger.exception("socket event %s failed", func.__name__)
            return {"ok": False, "error": {"code": "server_error",
                                           "message": _("Something went wrong on our side; try again.")}}
        finally:
            db.session.remove()

    return wrapper


# --- connection ------------------------------------------------------------------
@socketio.on("connect")
def on_connect(auth=None):
    user = None
    token = auth.get("token") if isinstance(auth, dict) else None
    refused = "unauthorized: sign in first"
    if token:
        from ..actions.tokens import authenticate

        try:
            clean_json(token)
            user = authenticate(token if isinstance(token, str) and len(token) <= 200 else "")
        except Invalid:  # not text a token could be: no one
            refused = "unauthorized: sign in first"
        except Unauthorized as err:
            refused = f"unauthorized: {err.message}"
    elif current_user.is_authenticated:
        user = current_user._get_current_object()
    guardian = Guardian(user)
    if user is None or not guardian.can_use_site():
        reason = guardian.why_not_use_site() if user is not None else refused
        db.session.remove()
        raise ConnectionRefusedError(reason)
    if not ratelimit.allow("socket_connect", user.id, tier=ratelimit.tier_for(user)):
        db.session.remove()
        raise ConnectionRefusedError(_("you opened too many live connections in a short time. Reload the page "
                                       "in a minute"), {"code": "rate_limited"})
    limits = _connection_limits(user)
    over = _connections().add(request.sid, limits)
    if over is not None:
        db.session.remove()
        raise _too_many_connections(over, limits[over])
    with _sockets_lock:
        _sockets[request.sid] = SocketIdentity(user.id, None if token else user.session_id,
                                               user.api_token_id if token else None)
        _socket_keys[request.sid] = tuple(limits)
    join_room(f"user:{user.id}")
    db.session.remove()
    return True


@socketio.on("disconnect")
def on_disconnect(*_args):
    sid = request.sid
    rooms = [r for r in (socketio.server.rooms(sid) or []) if r != sid]
    _drop_socket(sid)
    for room in rooms:
        if room.startswith(("thread:", "live:")):
            _presence().remove(room, sid)
            broadcast_presence(room)


def _drop_socket(sid: str) -> None:
    with _sockets_lock:
        _sockets.pop(sid, None)
        keys = _socket_keys.pop(sid, None)
    _typing_last.pop(sid, None)
    if keys:
        _connections().remove(sid, keys)


# --- rooms -----------------------------------------------------------------------
def authorise_room(user: User, room) -> str:
    """Raise unless `user` may be in `room`; returns the normalised room name."""
    if not isinstance(room, str) or ":" not in room or len(room) > 80:
        raise Invalid(_("room must look like thread:<id>, topic:<slug>, live:<id> or user:<id>."))
    kind, _sep, key = room.partition(":")
    guardian = Guardian(user)
    if kind == "thread":
        from ..actions.threads import get_thread
        guardian.ensure_read_thread(get_thread(_int(key)))
    elif kind == "topic":
        from ..actions.threads import get_topic
        guardian.ensure_read_topic(get_topic(key))
    elif kind == "mods":
        from ..actions.threads import get_topic
        topic = get_topic(key)
        guardian.ensure_read_topic(topic)  # a topic out of sight is "not there", like a missing one
        guardian.ensure_moderate(topic)
    elif kind == "user":
        if _int(key) != user.id:
            raise Forbidden(_("You can only join your own notifications."))
    elif kind == "live":
        from ..actions.live import get_session
        session = get_session(_int(key))
        guardian.ensure_read_live(session)
        # Held for the rest of this event: the identity map keeps objects only weakly, and
        # the join's snapshot would otherwise load the session (4 queries) a second time.
        g.rt_live_session = session
    elif kind == "livehosts":
        from ..actions.live import get_session
        guardian.ensure_host_live(get_session(_int(key)))
    else:
        raise Invalid(_("Unknown room kind “%(kind)s”.", kind=kind))
    return room


def _int(value) -> int:
    from ..actions.validate import as_id

    if isinstance(value, str) and as_id(value) is not None:
        return int(value)
    raise NotFound(_("No such room."))


def _who(user: User) -> dict:
    return {"id": user.id, "name": user.name, "org": user.organisation.name}


def identity_hidden_in(room: str) -> bool:
    """Is `room` one where posts or questions may be anonymous (a thread or a live session of a
    topic that allows anonymous posting)? Its ephemeral events then name nobody: typing says
    "someone", presence gives counts only. Decided by the room, never by what a client says.
    Releases the database connection (callers emit right after)."""
    from ..models import LiveSession, Thread, Topic

    kind, _sep, key = room.partition(":")
    if not key.isdigit() or kind not in ("thread", "live"):
        return False
    model = Thread if kind == "thread" else LiveSession
    allowed = db.session.scalar(
        db.select(Topic.allow_anonymous).join(model, model.topic_id == Topic.id).where(model.id == int(key)))
    db.session.remove()
    # Unknown (deleted meanwhile): name nobody rather than guess.
    return allowed is None or bool(allowed)


@socketio.on("join")
@handler
def on_join(user: User, data: dict):
    room = authorise_room(user, data.get("room"))
    since = data.get("since")
    if since is not None and (isinstance(since, bool) or not isinstance(since, int) or since < 0):
        raise Invalid(_("since must be a cursor (a whole number) from an earlier event."))
    # Join before reading the replay: an event committed in between then arrives both
    # live and in `missed` (clients drop the duplicate by cursor) instead of neither.
    join_room(room)
    missed, reset = events.replay(room, since) if since is not None else ([], False)
    cursor = missed[-1]["data"]["cursor"] if missed else (since if since and not reset else events.latest_cursor(room))
    who = _who(user)
    result = {"room": room, "cursor": cursor, "missed": missed}
    if reset:
        result["reset"] = True
    if room.startswith("live:"):
        from .live import live_snapshot

        result.update(live_snapshot(user.id, int(room[5:])))
    db.session.remove()  # nothing below touches the database: release it before any I/O
    if room.startswith(("thread:", "live:")):
        _presence().add(room, request.sid, who)
        broadcast_presence(room)
    return result


@socketio.on("leave")
@handler
def on_leave(user: User, data: dict):
    room = data.get("room")
    if not isinstance(room, str):
        raise Invalid(_("room is required."))
    if room == f"user:{user.id}":
        raise Invalid(_("Your own notifications room stays joined."))
    leave_room(room)
    _presence().remove(room, request.sid)
    if room.startswith(("thread:", "live:")):
        broadcast_presence(room)
    return {"room": room}


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
    summary = summarise(_presence().members(room))
    summary["anonymous_room"] = identity_hidden_in(room)
    if summary["anonymous_room"]:
        # Naming who reads a room where people post or ask anonymously would hint at who
        # wrote what: counts of people and organisations, no names.
        summary["users"], summary["organisations"] = [], []
    elif room.startswith("live:"):
        summary["users"] = []  # live sessions count people and name organisations only
    events.emit_now(room, "presence", {"room": room, **summary})


# --- posting and typing ------------------------------------------------------------
@socketio.on("post")
@handler
def on_post(user: User, data: dict):
    from ..actions.posts import author_notices, reply
    from ..actions.threads import get_thread
    from ..payloads import post_payload

    thread = get_thread(data.get("thread_id"))
    post = reply(user, thread, data.get("body"), reply_to=data.get("reply_to"),
                 anonymous=data.get("anonymous", False), client_id=data.get("client_id"),
                 language=data.get("language"), attachments=data.get("attachments"))
    guardian = Guardian(user)
    answer = {"post": post_payload(post, guardian)}  # the page renders it (static/js/posts.js)
    notices = author_notices(post)
    if notices:
        answer["notices"] = notices  # e.g. mentions past the notified ones
    return answer


@socketio.on("typing")
@handler
def on_typing(user: User, data: dict):
    """Tell the thread's room someone is typing. Where the topic allows anonymous posts the
    event names nobody, from the first keystroke, whatever the client says about its
    "anonymous" box (it may be ticked only later, or never sent): the typist is an opaque
    token that only lets the room count typists."""
    from ..actions.threads import get_thread

    thread = get_thread(data.get("thread_id"))
    Guardian(user).ensure_reply(thread)
    now = time.monotonic()
    if now - _typing_last.get(request.sid, 0) < TYPING_INTERVAL:
        return {"throttled": True}
    _typing_last[request.sid] = now
    room = f"thread:{thread.id}"
    if identity_hidden_in(room):
        who = {"anonymous": True, "typist": _typist_token(request.sid, room)}
    else:
        who = {"id": user.id, "name": user.name}
    db.session.remove()
    # None of the typist's own tabs in this process hears it (they would read "someone").
    events.emit_now(room, "typing", {"room": room, "thread_id": thread.id, "user": who},
                    skip_sid=_local_sids(lambda identity: identity.user_id == user.id) or request.sid)
    return {}


def _typist_token(sid: str, room: str) -> str:
    """An opaque id of one socket typing in one room: lets readers count typists, links to
    nothing else (keyed with the app's secret, so it cannot be matched to a sid or a user)."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, f"typing|{room}|{sid}".encode(), hashlib.sha256).hexdigest()[:16]


# --- cutting sockets off when access changes --------------------------------------------
def _local_sids(match) -> list[str]:
    """This process's sockets whose identity satisfies `match`."""
    with _sockets_lock:
        return [sid for sid, identity in _sockets.items() if match(identity)]


def _cut(sids: list[str], reason: str) -> None:
    """Tell each socket why (the page shows it and stops reconnecting), then close it."""
    for sid in sids:
        socketio.emit("session.ended", {"reason": reason}, to=sid)
        _drop_socket(sid)
        socketio.server.disconnect(sid, namespace="/", ignore_queue=True)


def _apply_control(message: dict) -> None:
    """Run a control message on this process's own sockets."""
    op = message.get("op")
    reason = message.get("reason", "")
    if op == "disconnect_user":
        _cut(_local_sids(lambda i: i.user_id == message["user_id"]), reason)
    elif op == "disconnect_sessions":
        ended = set(message.get("session_ids") or ())
        _cut(_local_sids(lambda i: i.session_id in ended), reason)
    elif op == "disconnect_tokens":
        revoked = set(message.get("token_ids") or ())
        _cut(_local_sids(lambda i: i.token_id in revoked), reason)
    elif op == "disconnect_sids":
        for sid in message.get("sids", []):
            if sid in _sockets:
                _drop_socket(sid)
                socketio.server.disconnect(sid, namespace="/", ignore_queue=True)
    elif op == "cut_then_emit":
        # Shut out first, then tell those who are left (this worker's own sockets only:
        # every worker got the same message).
        for room in message["rooms"]:
            _apply_control({"op": "revalidate_all"} if room == events.ALL_ROOMS else {"op": "revalidate", "room": room})
        for room, name, payload in message["events"]:
            socketio.emit(name, payload, to=room, ignore_queue=True)
    elif op == "revalidate_all":
        rooms = [r for r in socketio.server.manager.rooms.get("/", {})
                 if isinstance(r, str) and r.startswith(("thread:", "topic:", "live:", "livehosts:", "mods:"))]
        for room in rooms:
            _apply_control({"op": "revalidate", "room": room})
    elif op == "revalidate":
        room = message["room"]
        participants = list(socketio.server.manager.get_participants("/", room))
        for sid, _eio in participants:
            identity = _sockets.get(sid)
            user = db.session.get(User, identity.user_id) if identity else None
            try:
                if user is None:
                    raise Unauthorized()
                authorise_room(user, room)
            except DomainError as err:
                socketio.emit("room.left", {"room": room, "reason": err.message}, to=sid)
                socketio.server.leave_room(sid, room, namespace="/")
                _presence().remove(room, sid)
        # No db.session.remove() here: called in-line (moderate_thread's move) this is the
        # caller's unit of work, whose objects must stay attached; the control listener's
        # own app context ends its session.


def _broadcast_control(message: dict) -> None:
    url = current_app.config.get("SOCKETIO_MESSAGE_QUEUE")
    if url and url.startswith("redis"):
        import redis

        channel = current_app.config["SOCKETIO_CHANNEL"] + CONTROL_SUFFIX
        redis.Redis.from_url(url).publish(channel, json.dumps(message))
    elif str(message.get("op", "")).startswith("disconnect"):
        # The cut sockets' disconnect handlers may run in-line here (threading mode) and end
        # their database session: give them their own, not the caller's.
        with current_app.app_context():
            _apply_control(message)
    else:
        _apply_control(message)


def cut_then_emit(rooms: list[str], ready: list) -> None:
    """events' gatekeeper: re-check the sockets in `rooms` in every worker, then emit `ready`."""
    _broadcast_control({"op": "cut_then_emit", "rooms": list(rooms),
                        "events": [[room, name, payload] for room, name, payload in ready]})


events.set_gatekeeper(cut_then_emit)


def disconnect_user(user_id: int, reason: str = "") -> None:
    """Disconnect every socket of a user, in every worker (suspension, logout everywhere)."""
    _broadcast_control({"op": "disconnect_user", "user_id": user_id, "reason": reason})


# Control messages queued by actions (events.queue_control) go out after their commit.
events.set_control_sink(_broadcast_control)


def sweep_sockets() -> int:
    """Cut this process's sockets whose session ended or expired, or whose token was revoked or
    expired (what no control message announces, such as an expiry); returns how many."""
    from ..actions import sessions, tokens
    from ..models import ApiToken, UserSession

    with _sockets_lock:
        identities = dict(_sockets)
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


def revalidate_room(room: str) -> None:
    """Make every socket in `room` that may no longer read it leave, in every worker."""
    _broadcast_control({"op": "revalidate", "room": room})


def revalidate_rooms_of_topic(topic) -> None:
    """A topic's readers changed: re-check every socket in every room this worker has.

    Rare (an administrator's action), so checking all rooms is simpler and safer
    than working out which thread and live rooms belong to the topic.
    """
    _broadcast_control({"op": "revalidate_all"})


def start_connection_refresher(app) -> None:
    """With Redis, every worker marks its own sockets as still open every minute, so the
    counts of a worker that died expire (RedisConnections.STALE)."""
    url = app.config.get("SOCKETIO_MESSAGE_QUEUE")
    if not url or not url.startswith("redis"):
        return

    def refresh():
        while True:
            socketio.sleep(RedisConnections.REFRESH)
            with _sockets_lock:
                by_key: dict[str, list[str]] = {}
                for sid, keys in _socket_keys.items():
                    for key in keys:
                        by_key.setdefault(key, []).append(sid)
            try:
                with app.app_context():
                    _connections().refresh(by_key)
            except Exception:  # noqa: BLE001 - Redis away for a moment: the next round catches up
                app.logger.warning("could not refresh the connection counts")

    socketio.start_background_task(refresh)


def start_control_listener(app) -> None:
    """With a Redis queue, every worker listens for control messages (a background task)."""
    url = app.config.get("SOCKETIO_MESSAGE_QUEUE")
    if not url or not url.startswith("redis"):
        return

    def listen():
        import redis

        while True:
            try:
                pubsub = redis.Redis.from_url(url).pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(app.config["SOCKETIO_CHANNEL"] + CONTROL_SUFFIX)
                for item in pubsub.listen():
                    if item.get("type") != "message":
                        continue
                    with app.app_context():
                        try:
                            _apply_control(json.loads(item["data"]))
                        except Exception:  # noqa: BLE001
                            app.logger.exception("control message failed")
            except Exception:  # noqa: BLE001 - Redis went away: retry
                app.logger.warning("control channel lost; retrying in 1 s")
                socketio.sleep(1)

    socketio.start_background_task(listen)


from . import live  # noqa: E402,F401  (registers the live.* handlers)
