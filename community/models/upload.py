"""Uploaded files: what was stored (cleaned), by whom, and which post uses it."""
from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

# active: served to whoever may see what it belongs to; hidden: by a moderator (its owner and
# the topic's moderators still see it); deleted: served to nobody.
UPLOAD_STATES = ("active", "hidden", "deleted")


class Upload(db.Model):
    __table_args__ = (
        # "Your files not in a post yet" (the per-person cap, pruning) reads only this.
        Index("ix_upload_owner_post", "owner_id", "post_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    # Of the stored bytes (the cleaned image, or the document as sent): its storage key is
    # derived from it, so the same content is stored once.
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    # Decided from the content (community/files/sniff.py): "jpeg", "pdf", "docx", "csv"...
    type: Mapped[str] = mapped_column(String(20))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    storage_key: Mapped[str] = mapped_column(String(200))
    # The name it was sent with, cleaned; None once it belongs to an anonymous post (it might
    # name its author). Never part of the storage key.
    original_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    thumbnail_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id"), nullable=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # order in its post
    state: Mapped[str] = mapped_column(String(20), default="active", server_default="active")
    state_reason: Mapped[str] = mapped_column(String(500), default="", server_default="")
    created_at = mapped_column(UTCDateTime, default=utcnow)

    owner = relationship("User")
    post = relationship("Post")

    @property
    def is_image(self) -> bool:
        return self.type in ("jpeg", "png", "webp", "gif")

    def __repr__(self) -> str:
        return f"<Upload {self.id} {self.type} {self.size}>"
