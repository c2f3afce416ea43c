"""Organisations: member brands and their suppliers."""
from __future__ import annotations

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

ORG_KINDS = ("member", "supplier")


class Organisation(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # The name's confusables key (community/actions/names.py keeps it in step).
    name_key: Mapped[str | None] = mapped_column(String(800), nullable=True, index=True)
    kind: Mapped[str] = mapped_column(String(20))
    country: Mapped[str] = mapped_column(String(80), default="")
    removed: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at = mapped_column(UTCDateTime, default=utcnow)

    users = relationship("User", back_populates="organisation")

    def __repr__(self) -> str:
        return f"<Organisation {self.name}>"
