"""Appeals: the author of a hidden or rejected post asks the topic's moderators to look again.

One appeal per decision: the decision is the audit row that hid or rejected the post
(`decision_id`), and its moderator (`decided_by_id`) does not decide the appeal while
another moderator of the topic is available (community/permissions.py).
"""
from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

# open: waiting for a moderator. upheld: the post stays hidden. overturned: the post is visible
# again. withdrawn: the author edited and resubmitted the post instead. closed: a moderator
# acted on the post another way (restored, deleted) before the appeal was decided.
APPEAL_STATES = ("open", "upheld", "overturned", "withdrawn", "closed")
APPEAL_DECISIONS = ("uphold", "overturn")


class Appeal(db.Model):
    __table_args__ = (Index("ix_appeal_post_state", "post_id", "state"),
                      Index("ix_appeal_state_created", "state", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(20), default="open", server_default="open")
    # The decision appealed: the audit row that hid or rejected the post, and who made it.
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("moderation_action.id"), nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), nullable=True)
    # Who decided the appeal, and why (their words, sent to the author).
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at = mapped_column(UTCDateTime, default=utcnow)
    decided_at = mapped_column(UTCDateTime, nullable=True)

    post = relationship("Post", lazy="joined")
    author = relationship("User", foreign_keys=[author_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    reviewer = relationship("User", foreign_keys=[reviewer_id])

    @property
    def is_open(self) -> bool:
        return self.state == "open"

    def __repr__(self) -> str:
        return f"<Appeal {self.id} on post {self.post_id} {self.state}>"
