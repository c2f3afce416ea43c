"""Read state: how far each user has read, one row per user and thread, plus a per-topic mark.

No row per post and user: `ThreadRead.last_read_post_id` is the highest post id the user
has seen in that thread, and the thread's visible posts above it (written by others) are
its unread ones. "Mark all read" writes one `TopicRead` per topic: every post up to its
`last_read_post_id` counts as read, and threads created before `marked_at` are no longer
new. A thread never opened, created in the last READ_NEW_DAYS days, is "new".
"""
from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow


class ThreadRead(db.Model):
    __tablename__ = "thread_read"
    # The primary key (user_id, thread_id) serves a user's rows; this one a thread's readers.
    __table_args__ = (Index("ix_thread_read_thread", "thread_id"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"), primary_key=True)
    last_read_post_id: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    updated_at = mapped_column(UTCDateTime, default=utcnow)


class TopicRead(db.Model):
    __tablename__ = "topic_read"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id", ondelete="CASCADE"), primary_key=True)
    last_read_post_id: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    marked_at = mapped_column(UTCDateTime, default=utcnow)
