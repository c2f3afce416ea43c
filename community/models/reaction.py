"""Reactions to posts ("helpful", "thanks", "agree"), and bookmarks of posts and threads.

A reaction is one row per person, post and kind; the post keeps its counts
(post.reactions_helpful, ...) so every post object carries them without a query.
A bookmark is private to its owner: a post or a thread, an optional note and an
optional reminder time (actions/bookmarks.py sends due reminders as notifications).
"""
from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

# The fixed set, in the order they are shown.
REACTION_KINDS = ("helpful", "thanks", "agree")


class Reaction(db.Model):
    __table_args__ = (
        # "Who reacted" lists a post's reactions of one kind, newest first.
        Index("ix_reaction_post_kind", "post_id", "kind", "created_at"),
    )

    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    created_at = mapped_column(UTCDateTime, default=utcnow)
    # Counted but never named (permissions.reacts_unnamed: the person wrote an anonymous post
    # in this thread when they reacted).
    unnamed: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # The notification that told the post's author (several reactions share one while it is
    # unread: "3 people found your answer helpful"); None when nobody was told.
    notification_id: Mapped[int | None] = mapped_column(
        ForeignKey("notification.id", ondelete="SET NULL"), nullable=True, index=True)

    user = relationship("User", lazy="joined")


class Bookmark(db.Model):
    __table_args__ = (
        # One bookmark per person and post, and per person and thread (NULLs are distinct).
        UniqueConstraint("user_id", "post_id", name="uq_bookmark_user_post"),
        UniqueConstraint("user_id", "thread_id", name="uq_bookmark_user_thread"),
        CheckConstraint("(post_id IS NULL) <> (thread_id IS NULL)", name="one_target"),
        # The reminder job reads due reminders that have not gone out.
        Index("ix_bookmark_due", "reminded_at", "remind_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    # Exactly one of them: a post, or a whole thread.
    post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"), nullable=True)
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"), nullable=True)
    note: Mapped[str] = mapped_column(String(500), default="", server_default="")
    remind_at = mapped_column(UTCDateTime, nullable=True)
    # When the reminder went out (None: not yet, or a new reminder time was set since).
    reminded_at = mapped_column(UTCDateTime, nullable=True)
    created_at = mapped_column(UTCDateTime, default=utcnow)
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user = relationship("User")
    post = relationship("Post", lazy="joined")
    thread = relationship("Thread", lazy="joined")

    @property
    def target_thread(self):
        """The thread the bookmark leads to (a post's own thread)."""
        return self.post.thread if self.post_id is not None else self.thread
