"""Email: each user's notification preferences, and the outbox of emails waiting to be sent.

The outbox row is written in the same transaction as the notification it
carries (or the digest it is), so an email can never be lost between the two;
community/mail/sender.py sends the rows later, outside any request, with retries.
"""
from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

DIGEST_CHOICES = ("daily", "weekly", "never")
# What an email is about; also the scope of its unsubscribe link.
EMAIL_CATEGORIES = ("mentions", "replies", "moderation", "reminders", "digest")
OUTBOX_STATES = ("queued", "sending", "sent", "failed", "cancelled")


class NotificationPreference(db.Model):
    """How a user wants to hear from Roundtable by email. No row means the defaults."""

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    # Immediately, one email per notification:
    email_mentions: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    email_replies: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")  # and answers
    # Moderators' decisions about one's own posts and threads (hidden, merged...) and appeal outcomes:
    email_moderation: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    # The reminders one set on one's bookmarks:
    email_reminders: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    # A digest of activity in watched topics and threads:
    digest: Mapped[str] = mapped_column(String(10), default="weekly", server_default="weekly")
    last_digest_at = mapped_column(UTCDateTime, nullable=True)
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user = relationship("User")

    def wants(self, category: str) -> bool:
        if category == "mentions":
            return self.email_mentions
        if category == "replies":
            return self.email_replies
        if category == "moderation":
            return self.email_moderation is not False  # None: a row made before the column, the default
        if category == "reminders":
            return self.email_reminders is not False  # None: a row made before the column, the default
        if category == "digest":
            return self.digest != "never"
        return False

    @property
    def sends_nothing(self) -> bool:
        return not (self.email_mentions or self.email_replies or self.email_moderation
                    or self.email_reminders) and self.digest == "never"


class OutboxEmail(db.Model):
    """One email to one person: queued -> sending -> sent, or back to queued with a later
    next_attempt_at after a failure, and finally failed after MAIL_MAX_ATTEMPTS."""

    __table_args__ = (Index("ix_outbox_email_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), nullable=True,
                                                index=True)
    category: Mapped[str] = mapped_column(String(20))
    to_address: Mapped[str] = mapped_column(String(254))
    to_name: Mapped[str] = mapped_column(String(80), default="")
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    unsubscribe_url: Mapped[str] = mapped_column(String(1000), default="")
    # Fixed when queued, so a retry after an uncertain send carries the same Message-ID.
    message_id: Mapped[str] = mapped_column(String(200))
    notification_id: Mapped[int | None] = mapped_column(
        ForeignKey("notification.id", ondelete="SET NULL"), nullable=True)
    # The post it is about: if that post is no longer visible at send time, nothing is sent.
    post_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="queued", server_default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at = mapped_column(UTCDateTime, default=utcnow)
    # Which sender holds the row while it is "sending" (a claim, so two senders never send it twice).
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claimed_at = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str] = mapped_column(String(500), default="", server_default="")
    created_at = mapped_column(UTCDateTime, default=utcnow)
    sent_at = mapped_column(UTCDateTime, nullable=True)

    user = relationship("User")

    def __repr__(self) -> str:
        return f"<OutboxEmail {self.id} {self.category} {self.status}>"
