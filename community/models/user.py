"""Users, their sign-in sessions, API tokens and invitations."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..passwords import hash_password, verify_password
from .base import UTCDateTime, utcnow

ROLES = ("supplier", "member", "admin")
# "rejected": an administrator declined the registration (kept, with the audit row that says why).
STATES = ("pending", "active", "suspended", "rejected")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    # The name's confusables keys (community/actions/names.py keeps them in step): two
    # people whose names look alike share one of them.
    name_key: Mapped[str | None] = mapped_column(String(800), nullable=True, index=True)
    name_skeleton: Mapped[str | None] = mapped_column(String(800), nullable=True, index=True)
    # @handle for mentions: unique, derived from the name at creation
    handle: Mapped[str] = mapped_column(String(40), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256), default="")
    role: Mapped[str] = mapped_column(String(20), default="supplier")
    state: Mapped[str] = mapped_column(String(20), default="pending")
    locale: Mapped[str] = mapped_column(String(10), default="en")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # False until the person (or their browser, at registration or sign-in) gave a zone: only
    # then may a browser's zone fill it in; a zone once given is changed only in the settings.
    timezone_chosen: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    created_at = mapped_column(UTCDateTime, default=utcnow)
    approved_at = mapped_column(UTCDateTime, nullable=True)
    last_post_at = mapped_column(UTCDateTime, nullable=True)
    # None until the first sign-in: that one greets a newcomer instead of "Welcome back".
    last_sign_in_at = mapped_column(UTCDateTime, nullable=True)
    # The colour of the generated avatar (community/avatars.py PALETTE key); None: from the name.
    avatar_colour: Mapped[str | None] = mapped_column(String(20), nullable=True)

    organisation = relationship("Organisation", back_populates="users", lazy="joined")

    # The sign-in this user object was loaded through (set by the session loader, never stored):
    # Flask-Login keeps get_id() in the cookie, so it is the session's token, not the user's id.
    session_token = None  # str
    session_id = None  # int
    # The API token this user object was authenticated by (set by actions.tokens, never stored).
    api_token_id = None  # int

    def set_password(self, password: str) -> None:

        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        """True when `password` is this user's (no rehash, no dummy work: see actions.accounts)."""

        return verify_password(self.password_hash, password)[0]

    @property
    def is_active(self) -> bool:  # Flask-Login: suspended/pending users cannot be logged in
        return self.state == "active"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_member(self) -> bool:
        """A member brand's staff (administrators count as members)."""
        return self.role in ("member", "admin")

    def get_id(self) -> str:
        # The token of a server-side session (community/actions/sessions.py): signing out deletes
        # its row, and every copy of the cookie (remember-me included) stops working at once.
        return self.session_token or f"no-session-{self.id}"

    def __eq__(self, other):  # UserMixin compares get_id(), which is per sign-in here
        if not isinstance(other, User):
            return NotImplemented
        return self is other or (self.id is not None and self.id == other.id)

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class UserSession(db.Model):
    """One sign-in on one device: the server-side fact behind a session (and remember-me) cookie.

    The cookie holds "<id>.<secret>"; only the secret's SHA-256 is stored. Signing out deletes
    the row, so a copied cookie is dead at once. Valid until `expires_at` (REMEMBER_DAYS after
    sign-in) and, without remember-me, until it has been idle SESSION_IDLE_HOURS.
    """

    __tablename__ = "user_session"
    __table_args__ = (Index("ix_user_session_user_seen", "user_id", "last_seen_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    secret_hash: Mapped[str] = mapped_column(String(64))
    remember: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # "Firefox 133 on Windows": parsed from the User-Agent once, at sign-in.
    device: Mapped[str] = mapped_column(String(120), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    # The address it was last seen from (updated with last_seen_at).
    ip_address: Mapped[str] = mapped_column(String(64), default="")
    created_at = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at = mapped_column(UTCDateTime, default=utcnow)
    expires_at = mapped_column(UTCDateTime)

    user = relationship("User")


class ApiToken(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(80), default="")
    created_at = mapped_column(UTCDateTime, default=utcnow)
    last_used_at = mapped_column(UTCDateTime, nullable=True)
    # None: never expires. A revoked token's row is deleted.
    expires_at = mapped_column(UTCDateTime, nullable=True)

    user = relationship("User")

    @staticmethod
    def new_secret() -> str:
        return "rt_" + secrets.token_urlsafe(32)

    def is_expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now


class Invitation(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(80), default="")
    role: Mapped[str] = mapped_column(String(20), default="supplier")
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at = mapped_column(UTCDateTime, default=utcnow)
    expires_at = mapped_column(UTCDateTime)
    used_at = mapped_column(UTCDateTime, nullable=True)

    organisation = relationship("Organisation")

    def is_usable(self, now: datetime) -> bool:
        return self.used_at is None and self.expires_at > now
