"""Threads and their posts, with post revisions."""
from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

THREAD_KINDS = ("discussion", "question", "announcement", "archive")
THREAD_STATES = ("visible", "held", "merged")
POST_STATES = ("visible", "held", "hidden", "deleted")
# Why a post is in its state (None for visible posts, and for held posts of old): the page and
# the API word it in the reader's language (community/post_states.py); `state_reason` holds
# only a person's own words (the moderator's reason, the reason given for a deletion).
POST_STATE_CAUSES = {
    "held": ("policy", "watched_word", "resubmitted", "restored"),
    "hidden": ("rejected", "moderator", "flags"),
    "deleted": ("author", "moderator"),
}


class Thread(db.Model):
    __table_args__ = (
        Index("ix_thread_topic_activity", "topic_id", "pinned", "last_activity_at"),
        # At 100,000 threads (bench/data.py): the API's thread list walks this in order and
        # stops after a page, instead of sorting the topic's threads...
        Index("ix_thread_topic_latest", "topic_id", "last_activity_at", "id"),
        # ...and the topic page's count and the home page's per-topic counts read only this.
        Index("ix_thread_topic_state", "topic_id", "state", "last_activity_at", "author_id"),
        # The home page's Latest and Unread lists, across topics: walked newest first.
        Index("ix_thread_state_activity", "state", "last_activity_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="discussion")
    title: Mapped[str] = mapped_column(String(200))
    # A title the site words for each reader (community/titles.py: a live session's archive or
    # follow-up), about `title_subject`; None once a person renames the thread.
    title_kind: Mapped[str | None] = mapped_column(String(20), nullable=True)
    title_subject: Mapped[str | None] = mapped_column(String(200), nullable=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # held until the opening post is approved
    state: Mapped[str] = mapped_column(String(20), default="visible")
    locked: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    pinned: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    tags: Mapped[str] = mapped_column(String(200), default="", server_default="")
    accepted_post_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # closed as a duplicate of / merged into another thread (state "merged")
    duplicate_of_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    merged_into_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # optimistic locking: two moderators acting at once cannot both apply
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    reply_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at = mapped_column(UTCDateTime, default=utcnow, index=True)  # "new" ends READ_NEW_DAYS on
    last_activity_at = mapped_column(UTCDateTime, default=utcnow)

    topic = relationship("Topic", lazy="joined")
    author = relationship("User", lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_question(self) -> bool:
        return self.kind == "question"

    @property
    def answered(self) -> bool:
        return self.accepted_post_id is not None

    @property
    def tag_list(self) -> list[str]:
        return [t for t in (self.tags or "").split(",") if t]

    def __repr__(self) -> str:
        return f"<Thread {self.id} {self.title!r}>"


class Post(db.Model):
    __table_args__ = (
        UniqueConstraint("author_id", "client_id", name="uq_post_author_client_id"),
        Index("ix_post_thread_created", "thread_id", "id"),
        # The thread page's reply count reads only this (a deep thread: 5,000 rows of HTML otherwise).
        Index("ix_post_thread_listing", "thread_id", "is_opening", "state", "author_id"),
        # Read state (actions/reading.py): a thread's visible posts above a reader's mark, and
        # whose they are, counted from the index alone.
        Index("ix_post_thread_state_id", "thread_id", "state", "id", "author_id"),
        # The topic page's language filter: the languages of its threads' opening posts, read
        # from this index alone (PostgreSQL at 1,000,000 posts: 295 ms -> 13 ms a topic page).
        Index("ix_post_opening_language", "thread_id", "language",
              postgresql_where=text("is_opening IS true"), sqlite_where=text("is_opening IS 1")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("post.id"), nullable=True)
    is_opening: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    body: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default="visible")
    state_cause: Mapped[str | None] = mapped_column(String(20), nullable=True)
    state_reason: Mapped[str] = mapped_column(String(500), default="", server_default="")
    # the state a soft-deleted post returns to when restored
    deleted_from: Mapped[str | None] = mapped_column(String(20), nullable=True)
    client_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The language it is written in (ISO 639-1, e.g. "es"): chosen by the author or detected
    # (community/language.py); None when unknown (too short to tell, or written before).
    language: Mapped[str | None] = mapped_column(String(10), nullable=True, index=True)
    created_at = mapped_column(UTCDateTime, default=utcnow)
    edited_at = mapped_column(UTCDateTime, nullable=True)
    # optimistic locking: two moderators acting at once cannot both apply
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # How many people reacted, per kind (the rows: models/reaction.py), kept here so that every
    # post object carries its counts without a query. Changed only by actions/reactions.py, with
    # UPDATE ... SET n = n + 1 (a reaction is no edit: it leaves `version` alone).
    reactions_helpful: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reactions_thanks: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reactions_agree: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    __mapper_args__ = {"version_id_col": version}

    thread = relationship("Thread", lazy="joined")
    author = relationship("User", lazy="joined")
    revisions = relationship("PostRevision", order_by="PostRevision.id", lazy="select",
                             back_populates="post")
    # The files in the post (community/models/upload.py), in their order; deleted ones left out.
    attachments = relationship("Upload", primaryjoin="and_(Upload.post_id == Post.id, Upload.state != 'deleted')",
                               order_by="Upload.position", viewonly=True, lazy="select")

    @property
    def reaction_counts(self) -> dict[str, int]:
        """{"helpful": n, "thanks": n, "agree": n}"""
        return {"helpful": self.reactions_helpful or 0, "thanks": self.reactions_thanks or 0,
                "agree": self.reactions_agree or 0}

    @property
    def is_rejected(self) -> bool:
        """Rejected by a moderator (it was held and never shown): its author may edit and resubmit it."""
        return self.state == "hidden" and self.state_cause == "rejected"

    def set_state(self, state: str, cause: str | None = None, reason: str = "") -> None:
        """Change the state with its cause and a person's reason (both cleared when visible)."""
        self.state, self.state_cause, self.state_reason = state, cause, reason or ""

    def __repr__(self) -> str:
        return f"<Post {self.id} in {self.thread_id}>"


class PostRevision(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"), index=True)
    editor_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    body: Mapped[str] = mapped_column(Text)  # the body *before* this edit
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at = mapped_column(UTCDateTime, default=utcnow)

    post = relationship("Post", back_populates="revisions")
    editor = relationship("User")
