"""Topics (themes and regional hubs), their settings and moderators."""
from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

TOPIC_KINDS = ("theme", "hub")
VISIBILITIES = ("everyone", "members", "organisations")
STARTERS = ("everyone", "members", "moderators")
MODERATION_POLICIES = ("post", "first_n", "all")

topic_organisations = Table(
    "topic_organisation",
    db.Model.metadata,
    Column("topic_id", ForeignKey("topic.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True),
)


class Topic(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20), default="theme")
    description: Mapped[str] = mapped_column(Text, default="")
    rules: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[str] = mapped_column(String(20), default="everyone")
    who_can_start: Mapped[str] = mapped_column(String(20), default="everyone")
    moderation: Mapped[str] = mapped_column(String(20), default="post")
    hold_first_n: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    allow_anonymous: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    slow_mode_seconds: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    allow_live: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at = mapped_column(UTCDateTime, default=utcnow)

    organisations = relationship("Organisation", secondary=topic_organisations, lazy="selectin")
    moderator_links = relationship("TopicModerator", back_populates="topic", lazy="selectin",
                                   cascade="all, delete-orphan")

    @property
    def moderator_ids(self) -> set[int]:
        return {link.user_id for link in self.moderator_links}

    def settings(self) -> dict:
        return {
            "visibility": self.visibility,
            "organisations": [o.name for o in self.organisations] if self.visibility == "organisations" else [],
            "who_can_start": self.who_can_start,
            "moderation": self.moderation,
            "hold_first_n": self.hold_first_n,
            "allow_anonymous": self.allow_anonymous,
            "slow_mode_seconds": self.slow_mode_seconds,
            "rules": self.rules,
            "allow_live": self.allow_live,
        }

    def __repr__(self) -> str:
        return f"<Topic {self.slug}>"


class TopicModerator(db.Model):
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    created_at = mapped_column(UTCDateTime, default=utcnow)

    topic = relationship("Topic", back_populates="moderator_links")
    user = relationship("User")
