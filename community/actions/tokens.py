"""Personal API tokens: issue (named, optionally expiring), authenticate, list, revoke.

Only the SHA-256 of a token is stored; the secret is shown once, when it is made.
Revoking deletes the row and cuts the sockets opened with the token, in every worker
(a control event queued in the same transaction). last_used_at is written at most every
TOKEN_TOUCH_SECONDS per token, with a conditional UPDATE.
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_, select, update

from .. import events
from ..errors import Invalid, NotFound, Unauthorized
from ..events import action
from ..extensions import db
from ..models import ApiToken, User, utcnow
from ..models.base import iso
from ..models.user import hash_token
from . import validate

MAX_EXPIRY_DAYS = 3650
MAX_ID = 2**62


def _expiry_days(value) -> int | None:
    if value in (None, "", "never"):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_EXPIRY_DAYS:
        raise Invalid(_("The expiry must be a whole number of days from 1 to %(max)s, or never.",
                        max=MAX_EXPIRY_DAYS), field="expires_days")
    return value


@action
def issue(user: User, name="", expires_days=None) -> tuple[ApiToken, str]:
    """A new token for `user`: (its row, the secret, shown this once)."""
    name = validate.text(name or "", "name", label=_l("The token's name"), max_chars=80, min_chars=0)
    days = _expiry_days(expires_days)
    secret = ApiToken.new_secret()
    now = utcnow()
    token = ApiToken(user_id=user.id, token_hash=hash_token(secret), name=name, created_at=now,
                     expires_at=now + timedelta(days=days) if days else None)
    db.session.add(token)
    return token, secret


def issue_token(user: User, name: str = "", expires_days=None) -> str:
    """The secret of a new token (the CLI, tests and scripts)."""
    return issue(user, name, expires_days)[1]


@action
def authenticate(secret) -> User:
    """The user of token `secret`, or Unauthorized saying why (unknown or revoked, expired).

    The user comes back with `api_token_id` set, so sockets opened with it can be cut when it
    is revoked.
    """
    token = None
    if isinstance(secret, str) and secret and len(secret) <= 200:
        token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    if token is None:
        raise Unauthorized(_("That API token is not valid: it may have been revoked."))
    now = utcnow()
    if token.is_expired(now):
        raise Unauthorized(_("That API token has expired. Make a new one in your settings."))
    touch = timedelta(seconds=current_app.config["TOKEN_TOUCH_SECONDS"])
    if token.last_used_at is None or token.last_used_at <= now - touch:
        db.session.execute(
            update(ApiToken).where(ApiToken.id == token.id,
                                   or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= now - touch))
            .values(last_used_at=now).execution_options(synchronize_session=False))
    user = db.session.get(User, token.user_id)
    if user is None:
        raise Unauthorized(_("That API token is not valid: it may have been revoked."))
    user.api_token_id = token.id
    return user


def user_for_token(secret) -> User | None:
    """The user of a working token, else None."""
    try:
        return authenticate(secret)
    except Unauthorized:
        return None


def alive(now=None):
    """The SQL condition of a token that still works at `now`."""
    return or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > (now or utcnow()))


def is_alive(token_id: int) -> bool:
    """Whether token `token_id` still works (sockets ask before each event)."""
    return db.session.scalar(select(ApiToken.id).where(ApiToken.id == token_id, alive())) is not None


def list_for(user: User) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def payload(token: ApiToken) -> dict:
    """A token as the API shows it: never the secret (nor its hash)."""
    return {"id": token.id, "name": token.name, "created_at": iso(token.created_at),
            "last_used_at": iso(token.last_used_at), "expires_at": iso(token.expires_at),
            "expired": token.is_expired(utcnow())}


@action
def revoke(user: User, token_id) -> None:
    """Revoke one of `user`'s own tokens."""
    token = db.session.get(ApiToken, token_id) if isinstance(token_id, int) and 0 < token_id < MAX_ID else None
    if token is None or token.user_id != user.id:
        raise NotFound(_("That token does not exist (it may already be revoked)."))
    _revoke([token.id])


def revoke_all(user: User) -> int:
    """Revoke every token of `user` (after a password change or reset); the caller commits."""
    ids = list(db.session.scalars(select(ApiToken.id).where(ApiToken.user_id == user.id)))
    _revoke(ids)
    return len(ids)


def _revoke(ids: list[int]) -> None:
    if not ids:
        return
    db.session.execute(delete(ApiToken).where(ApiToken.id.in_(ids)).execution_options(synchronize_session=False))
    events.queue_control("disconnect_tokens", token_ids=ids,
                         reason=_("The API token of this connection was revoked."))
