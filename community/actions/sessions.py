"""Sign-in sessions as server-side facts: start, resolve, list, end.

Each sign-in writes a UserSession row and hands the browser "<id>.<secret>" (kept by
Flask-Login in the session cookie and, with remember-me, the remember cookie). Every
request resolves that token against the row (`resolve`), so ending a session (deleting
its row) kills every copy of its cookies at once; the sockets opened with it are cut in
every worker through a control event queued in the same transaction.

last_seen_at (and the address) is written at most every SESSION_TOUCH_SECONDS per
session, with a conditional UPDATE: one write per session every few minutes, not one
per request.
"""
from __future__ import annotations

import hmac
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from .. import events
from ..errors import NotFound
from ..events import action
from ..extensions import db
from ..models import User, UserSession, utcnow
from ..models.user import hash_token
from ..useragent import describe

MAX_ID = 2**62


def _idle_limit() -> timedelta:
    return timedelta(hours=current_app.config["SESSION_IDLE_HOURS"])


def alive(now=None):
    """The SQL condition of a session that still works at `now` (queries and the socket sweep)."""
    now = now or utcnow()
    return (UserSession.expires_at > now) & (
        UserSession.remember.is_(True) | (UserSession.last_seen_at > now - _idle_limit()))


def start(user: User, *, remember: bool, user_agent: str = "", address: str = "") -> str:
    """A new session for `user` (the caller has checked the password); returns its token.

    Also forgets the user's sessions that have expired (the only clean-up they need).
    """
    now = utcnow()
    secret = secrets.token_urlsafe(32)
    user_agent = (user_agent or "")[:300]
    record = UserSession(user_id=user.id, secret_hash=hash_token(secret), remember=bool(remember),
                         device=describe(user_agent)[:120], user_agent=user_agent,
                         ip_address=(address or "")[:64], created_at=now, last_seen_at=now,
                         expires_at=now + timedelta(days=current_app.config["REMEMBER_DAYS"]))
    db.session.add(record)
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id, ~alive(now))
                       .execution_options(synchronize_session=False))
    db.session.flush()
    token = f"{record.id}.{secret}"
    user.session_token, user.session_id = token, record.id
    return token


def resolve(token: str, *, address: str = "") -> User | None:
    """The user signed in by session `token`, or None when it is unknown, ended or expired.

    Called by the session loader at the start of a request or a socket connection, before any
    other work of that request: the occasional last-seen write is committed right away (`_touch`,
    its own unit of work). Most requests write nothing, and open no unit of work: its commit
    would expire the user just loaded, to be read again by the request's first question.
    """
    record = _record_of(token)
    if record is None:
        return None
    now = utcnow()
    if record.expires_at <= now or (not record.remember and record.last_seen_at <= now - _idle_limit()):
        return None
    touch = timedelta(seconds=current_app.config["SESSION_TOUCH_SECONDS"])
    if record.last_seen_at <= now - touch or (address and record.ip_address != address[:64]
                                              and record.last_seen_at <= now - timedelta(seconds=30)):
        _touch(record, now, address)
    user = db.session.get(User, record.user_id)
    if user is None:
        return None
    user.session_token, user.session_id = token, record.id
    return user


@action
def _touch(record: UserSession, now, address: str) -> None:
    """The session was seen now (from `address`)."""
    # Conditional: of several workers touching the same session at once, one writes.
    db.session.execute(
        update(UserSession).where(UserSession.id == record.id, UserSession.last_seen_at == record.last_seen_at)
        .values(last_seen_at=now, ip_address=(address or record.ip_address)[:64])
        .execution_options(synchronize_session=False))


def _record_of(token) -> UserSession | None:
    if not isinstance(token, str) or len(token) > 200:
        return None
    id_part, dot, secret = token.partition(".")
    if not dot or not secret or not id_part.isdigit() or len(id_part) > 18 or int(id_part) > MAX_ID:
        return None
    record = db.session.get(UserSession, int(id_part))
    if record is None or not hmac.compare_digest(record.secret_hash, hash_token(secret)):
        return None
    return record


def is_alive(session_id: int) -> bool:
    """Whether session `session_id` still works (sockets ask before each event)."""
    return db.session.scalar(select(UserSession.id).where(UserSession.id == session_id, alive())) is not None


def list_for(user: User) -> list[UserSession]:
    """The user's sessions that still work, most recently used first."""
    return list(db.session.scalars(select(UserSession).where(UserSession.user_id == user.id, alive())
                                   .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())))


@action
def end(user: User, session_id: int, reason: str | None = None) -> None:
    """Sign out one of `user`'s own sessions (the current one, or another from the list)."""
    record = db.session.get(UserSession, session_id) if isinstance(session_id, int) and 0 < session_id < MAX_ID \
        else None
    if record is None or record.user_id != user.id:
        raise NotFound(_("That session has already ended."))
    _end([record.id], reason or _("This session was signed out."))


def end_all(user: User, *, keep: int | None = None, reason: str | None = None) -> int:
    """End every session of `user` but `keep`; returns how many ended. The caller commits."""
    query = select(UserSession.id).where(UserSession.user_id == user.id)
    if keep is not None:
        query = query.where(UserSession.id != keep)
    ids = list(db.session.scalars(query))
    _end(ids, reason or _("You were signed out on every device."))
    return len(ids)


@action
def sign_out_everywhere(user: User, *, keep: int | None = None) -> int:
    """The "Sign out everywhere" button (or, with `keep`, "everywhere else")."""
    count = end_all(user, keep=keep)
    return count


def _end(ids: list[int], reason: str) -> None:
    if not ids:
        return
    db.session.execute(delete(UserSession).where(UserSession.id.in_(ids))
                       .execution_options(synchronize_session=False))
    events.queue_control("disconnect_sessions", session_ids=ids, reason=str(reason))


@action
def prune(now=None) -> int:
    """Delete every expired session row (flask prune-sessions; rows also go at each sign-in)."""
    result = db.session.execute(delete(UserSession).where(~alive(now))
                                .execution_options(synchronize_session=False))
    return result.rowcount or 0
