"""Users, their API tokens and invitations."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from .base import UTCDateTime, utcnow

ROLES = ("supplier", "member", "admin")
STATES = ("pending", "active", "suspended")


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
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    # Bumped on logout-everywhere / suspension so stale sessions stop working.
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at = mapped_column(UTCDateTime, default=utcnow)
    approved_at = mapped_column(UTCDateTime, nullable=True)
    last_post_at = mapped_column(UTCDateTime, nullable=True)

    organisation = relationship("Organisation", back_populates="users", lazy="joined")

    def set_password(self, password: str) -> None:
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

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
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class ApiToken(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(80), default="")
    created_at = mapped_column(UTCDateTime, default=utcnow)
    last_used_at = mapped_column(UTCDateTime, nullable=True)

    user = relationship("User")

    @staticmethod
    def new_secret() -> str:
        return "rt_" + secrets.token_urlsafe(32)


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
