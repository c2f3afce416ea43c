"""Passwords: changing one's own, and choosing a new one from an emailed link (which works
once, for PASSWORD_RESET_MINUTES, and not after any change). Either way the other sessions
end, and API tokens are revoked unless the person asks to keep them.

Hashing and strength rules live in community/passwords.py.
"""
from __future__ import annotations

import hashlib
import hmac

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from .. import ratelimit
from ..errors import Invalid, NotFound
from ..events import action
from ..extensions import db
from ..mail import queue_account_email, site_url
from ..models import User
from ..passwords import verify_password
from . import sessions, tokens
from .accounts import strong_password, user_by_email, valid_email

RESET_SALT = "roundtable.password.reset"


@action
def change_password(user: User, current, new, confirm, *, keep_session: int | None = None,
                    revoke_tokens: bool = True) -> tuple[int, int]:
    """Change `user`'s password: every other session ends (`keep_session` stays) and, unless
    asked not to, every API token is revoked. Returns (sessions ended, tokens revoked)."""
    ratelimit.check("password_check", user.id)
    if not verify_password(user.password_hash, current if isinstance(current, str) else "")[0]:
        ratelimit.hit("password_check", user.id)
        raise Invalid(_("Your current password is not right."), field="current")
    counts = _replace_password(user, new, confirm, keep_session=keep_session, revoke_tokens=revoke_tokens)
    return counts


def _replace_password(user: User, new, confirm, *, keep_session: int | None, revoke_tokens: bool) -> tuple[int, int]:
    """Check and set a new password, end the other sessions, revoke tokens if asked (in the caller's unit of work)."""
    strong_password(new, "new", known=(user.email, user.name, user.organisation.name))
    if new != confirm:
        raise Invalid(_("The two new passwords do not match."), field="confirm")
    user.set_password(new)
    ended = sessions.end_all(user, keep=keep_session,
                             reason=_("Your password was changed, so this session was signed out."))
    return ended, tokens.revoke_all(user) if revoke_tokens else 0


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def _password_fingerprint(user: User) -> str:
    """Changes whenever the password does: a reset link works once, and not after any change."""
    key = hashlib.sha256((current_app.config["SECRET_KEY"] + RESET_SALT).encode()).digest()
    return hmac.new(key, (user.password_hash or "").encode(), hashlib.sha256).hexdigest()[:24]


def password_reset_link(user: User) -> str:
    token = _reset_serializer().dumps({"u": user.id, "p": _password_fingerprint(user)})
    return site_url(f"/password/reset/{token}")


@action
def request_password_reset(email, *, address: str = "") -> None:
    """Email a reset link if `email` belongs to an account that may use it; the same answer either way."""
    ratelimit.hit("reset_address", address or "-")
    email = valid_email(email)
    ratelimit.hit("reset_email", email)
    user = user_by_email(email)
    if user is None or user.state not in ("active", "pending"):
        return
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    queue_account_email(
        user, subject=_l("Choose a new Roundtable password"),
        paragraphs=[_l("Hello %(name)s,", name=user.name),
                    _l("Someone (we hope you) asked to choose a new password for your Roundtable account. "
                       "The link below works once, for %(minutes)s minutes.", minutes=minutes),
                    _l("Using it signs you out everywhere. If you did not ask for it, ignore this email: "
                       "your password stays as it is.")],
        link=password_reset_link(user), link_text=_l("Choose a new password"))


def user_for_reset(token) -> User:
    """The user a reset link is for; Invalid when it expired, NotFound when used or not ours."""
    max_age = current_app.config["PASSWORD_RESET_MINUTES"] * 60
    used = NotFound(_("This link is not valid or was already used. Ask for a new one."))
    try:
        data = _reset_serializer().loads(token if isinstance(token, str) else "", max_age=max_age)
    except SignatureExpired:
        raise Invalid(_("This link has expired. Ask for a new one: it works for %(minutes)s minutes.",
                        minutes=current_app.config["PASSWORD_RESET_MINUTES"])) from None
    except BadSignature:
        raise used from None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("p"), str):
        raise used
    user = db.session.get(User, data["u"])
    if user is None or not hmac.compare_digest(data["p"], _password_fingerprint(user)) \
            or user.state not in ("active", "pending"):
        raise used
    return user


@action
def reset_password(token, new, confirm, *, revoke_tokens: bool = True) -> User:
    """Set a new password from a reset link: the link stops working and every session ends."""
    user = user_for_reset(token)
    _replace_password(user, new, confirm, keep_session=None, revoke_tokens=revoke_tokens)
    return user
