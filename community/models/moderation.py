"""Flags on posts and the audit log of moderator and administrator actions."""
from __future__ import annotations

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

FLAG_REASONS = {
    "spam": "Spam",
    "off_topic": "Off-topic",
    "abusive": "Abusive",
    "confidential": "Confidential information",
    "other": "Other",
}


class Flag(db.Model):
    """A reader's flag on a post, or on one file of it (`upload_id`). One flag per person on the
    post itself and one on each of its files: (post, user, upload) is unique, and (post, user)
    among the flags on the post itself (a partial index: NULLs are distinct in a unique key)."""

    __table_args__ = (
        UniqueConstraint("post_id", "user_id", "upload_id", name="uq_flag_post_user_upload"),
        Index("uq_flag_post_user_whole", "post_id", "user_id", unique=True,
              postgresql_where=text("upload_id IS NULL"), sqlite_where=text("upload_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("upload.id"), nullable=True)
    reason: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(500), default="")
    # open until a moderator decides: upheld / dismissed
    status: Mapped[str] = mapped_column(String(20), default="open", server_default="open")
    created_at = mapped_column(UTCDateTime, default=utcnow)
    resolved_at = mapped_column(UTCDateTime, nullable=True)

    post = relationship("Post")
    user = relationship("User")
    upload = relationship("Upload")


class ModerationAction(db.Model):
    """Append-only audit record: nothing in the application updates or deletes these rows.

    A moderator revealing who wrote an anonymous post or question is one of them
    (action "reveal_author"): who revealed whom, when and why."""

    __table_args__ = (Index("ix_moderation_action_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topic.id"), nullable=True, index=True)
    action: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int] = mapped_column()
    target_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), nullable=True)
    # The target was written anonymously: target_user is who wrote it, and is never shown
    # (nor searchable) in the log, except in the administrators' list of reveals.
    target_anonymous: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    reason: Mapped[str] = mapped_column(Text, default="")
    before: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, index=True)

    actor = relationship("User", foreign_keys=[actor_id])
    target_user = relationship("User", foreign_keys=[target_user_id])
    topic = relationship("Topic")


WATCH_ACTIONS = ("block", "hold", "replace")


class WatchedWord(db.Model):
    """A word or phrase watched site-wide (topic_id NULL) or in one topic."""

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topic.id", ondelete="CASCADE"), nullable=True,
                                                 index=True)
    word: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(20), default="hold")
    replacement: Mapped[str] = mapped_column(String(100), default="", server_default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), nullable=True)
    created_at = mapped_column(UTCDateTime, default=utcnow)


class TopicSilence(db.Model):
    """A user silenced in one topic until a moment."""

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    until = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(500), default="")
    by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at = mapped_column(UTCDateTime, default=utcnow)
