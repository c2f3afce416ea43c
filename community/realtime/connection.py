"""Connections: who each socket is (a sign-in session or an API token), how many one person
or one address may hold, and `handler`, the wrapper every client event goes through."""
from __future__ import annotations

import functools
import threading
from typing import NamedTuple

from flask import current_app, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, disconnect, join_room  # reasons reach the client
from sqlalchemy import and_, exists, select, true

from .. import ratelimit
from ..actions import sessions, tokens
from ..auth import token_user
from ..errors import DomainError, Invalid, Unauthorized
from ..extensions import db, socketio
from ..models import User
from ..models.user import ApiToken, UserSession
from ..permissions import Guardian
from ..request_limits import clean_json
from .registry import LocalConnections, RedisConnections, app_store


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
# when each socket last said it was typing (community/realtime/threads.py throttles on it)
typing_last: dict[str, float] = {}


def connections():
    """Open sockets per person and per address: in Redis when workers share a queue."""
    return app_store("rt_connections", RedisConnections, LocalConnections)


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


def socket_user() -> User:
    """Who sent this event, checked afresh on every event: the user's row (suspended, removed
    organisation) and the session or token that let the socket in, in one statement."""
    identity = _sockets.get(request.sid)
    user, admitted = _load_admitted(identity) if identity is not None else (None, False)
    guardian = Guardian(user)
    if user is None or not guardian.can_use_site():
        raise Unauthorized(guardian.why_not_use_site() or "Please sign in.")
    if not admitted:
        raise Unauthorized(_("Your session has ended."))
    return user


def _load_admitted(identity: SocketIdentity) -> tuple[User | None, bool]:
    """The socket's user, and whether the session or token that let the socket in still works
    (a lost control message, another worker's sign-out: the next event finds out)."""
    admitted = true()
    if identity.session_id is not None:
        admitted = and_(admitted, exists().where(UserSession.id == identity.session_id, sessions.alive()))
    if identity.token_id is not None:
        admitted = and_(admitted, exists().where(ApiToken.id == identity.token_id, tokens.alive()))
    row = db.session.execute(select(User, admitted.label("admitted")).where(User.id == identity.user_id)).first()
    return (None, False) if row is None else (row[0], bool(row[1]))


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
            user = socket_user()
            result = func(user, data)
            return {"ok": True, **(result or {})}
        except DomainError as err:  # the action's unit of work has rolled back
            if isinstance(err, Unauthorized):
                drop_socket(request.sid)
                disconnect()
            return err.as_ack()
        except Exception:  # noqa: BLE001 - a bad event must never kill the connection
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
        try:
            user = token_user(token)  # as a bearer token is read (community/auth.py)
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
    over = connections().add(request.sid, limits)
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


def drop_socket(sid: str) -> None:
    with _sockets_lock:
        _sockets.pop(sid, None)
        keys = _socket_keys.pop(sid, None)
    typing_last.pop(sid, None)
    if keys:
        connections().remove(sid, keys)


def local_sids(match) -> list[str]:
    """This process's sockets whose identity satisfies `match`."""
    with _sockets_lock:
        return [sid for sid, identity in _sockets.items() if match(identity)]


def identity_of(sid: str) -> SocketIdentity | None:
    return _sockets.get(sid)


def all_identities() -> dict[str, SocketIdentity]:
    """A snapshot of this process's sockets: sid -> identity."""
    with _sockets_lock:
        return dict(_sockets)


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
                    connections().refresh(by_key)
            except Exception:  # noqa: BLE001 - Redis away for a moment: the next round catches up
                app.logger.warning("could not refresh the connection counts")

    socketio.start_background_task(refresh)
