"""In-app notifications to one user."""
from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow

# "reaction": people reacted to one's post (one notification for several while unread);
# "reminder": a bookmark's reminder time came.
NOTIFICATION_KINDS = ("reply", "answer", "accepted", "mention", "moderation", "live", "registration",
                      "reaction", "reminder")


class Notification(db.Model):
    __table_args__ = (Index("ix_notification_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(20))
    # Text already safe for the recipient: never names an anonymous author.
    text: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(String(300), default="")
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("thread.id"), nullable=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id"), nullable=True)
    created_at = mapped_column(UTCDateTime, default=utcnow)
    read_at = mapped_column(UTCDateTime, nullable=True)
