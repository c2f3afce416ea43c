"""In-app notifications to one user."""
from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, Index, String
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
    # What happened, as data: `verb` picks the sentence (community/notices.py words it in the
    # reader's language when shown) and `data` holds what fills it in: "actors" (who did it:
    # {"id", "name"}, or {"anonymous": "member"|"supplier"}, never naming an anonymous author)
    # and the objects and words it is about ("thread": {"id", "title"}, "reason", ...).
    verb: Mapped[str | None] = mapped_column(String(40), nullable=True)
    data: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    # The text as worded for the recipient when it was made (their language then): the email's
    # subject, and what is shown for a notification without a verb (a few old ones).
    # Never names an anonymous author.
    text: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(String(300), default="")
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("thread.id"), nullable=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id"), nullable=True)
    created_at = mapped_column(UTCDateTime, default=utcnow)
    read_at = mapped_column(UTCDateTime, nullable=True)
