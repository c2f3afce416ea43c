"""Live sessions: scheduled by members in a topic, with hosts, a chat and a question queue."""
from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

SESSION_STATES = ("scheduled", "live", "ended")
# pending: waiting for approval; visible; answering: "answering now"; answered; hidden;
# not_reached: still waiting for approval when the session ended (listed in the archive as
# such, and carried into the follow-up discussion with the unanswered ones)
QUESTION_STATES = ("pending", "visible", "answering", "answered", "hidden", "not_reached")


class LiveSession(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at = mapped_column(UTCDateTime)
    ends_at = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(20), default="scheduled")
    approve_questions: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    chat_slow_mode_seconds: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    archive_thread_id: Mapped[int | None] = mapped_column(ForeignKey("thread.id"), nullable=True)
    # the open discussion under the archive, where late questions are answered (once ended)
    follow_up_thread_id: Mapped[int | None] = mapped_column(ForeignKey("thread.id"), nullable=True)
    started_at = mapped_column(UTCDateTime, nullable=True)
    ended_at = mapped_column(UTCDateTime, nullable=True)
    created_at = mapped_column(UTCDateTime, default=utcnow)

    topic = relationship("Topic", lazy="joined")
    created_by = relationship("User")
    host_links = relationship("LiveHost", lazy="selectin", cascade="all, delete-orphan")

    @property
    def host_ids(self) -> set[int]:
        return {link.user_id for link in self.host_links}

    @property
    def hosts(self) -> list:
        return [link.user for link in self.host_links]


class LiveHost(db.Model):
    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)

    user = relationship("User", lazy="joined")


class LiveQuestion(db.Model):
    __table_args__ = (Index("ix_live_question_session_state", "session_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    body: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default="visible")
    votes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    answer: Mapped[str] = mapped_column(Text, default="", server_default="")
    answer_html: Mapped[str] = mapped_column(Text, default="", server_default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), nullable=True)
    client_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # held for review by the topic's watched words (not only by the session's approval rule):
    # such a question is never published without a host's decision, not even at the end
    held_by_words: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # the post that carries it into the follow-up discussion, when it was not answered live
    follow_up_post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id"), nullable=True)
    created_at = mapped_column(UTCDateTime, default=utcnow)
    answered_at = mapped_column(UTCDateTime, nullable=True)

    session = relationship("LiveSession")
    author = relationship("User", foreign_keys=[author_id], lazy="joined")
    answered_by = relationship("User", foreign_keys=[answered_by_id])


class LiveVote(db.Model):
    __table_args__ = (UniqueConstraint("question_id", "user_id", name="uq_live_vote_question_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("live_question.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at = mapped_column(UTCDateTime, default=utcnow)


class LiveChatMessage(db.Model):
    __table_args__ = (Index("ix_live_chat_session_id", "session_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    body: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at = mapped_column(UTCDateTime, default=utcnow)

    author = relationship("User", lazy="joined")


class LiveSilence(db.Model):
    """A participant silenced for the rest of one session."""

    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at = mapped_column(UTCDateTime, default=utcnow)
