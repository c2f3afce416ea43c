"""What a user watches or mutes: topics and threads."""
from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

WATCH_LEVELS = ("watching", "muted")


class TopicWatch(db.Model):
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id", ondelete="CASCADE"), primary_key=True)
    level: Mapped[str] = mapped_column(String(20), default="watching")
    created_at = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User")


class ThreadWatch(db.Model):
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"), primary_key=True)
    level: Mapped[str] = mapped_column(String(20), default="watching")
    created_at = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User")
