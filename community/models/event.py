"""Room events kept for replay: a reconnecting client asks for what it missed."""
from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow


class RoomEvent(db.Model):
    # AUTOINCREMENT on SQLite: ids are never reused after pruning, so cursors only grow.
    __table_args__ = (Index("ix_room_event_room_id", "room", "id"), {"sqlite_autoincrement": True})

    # The id is the room cursor: monotonically increasing within every room.
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    room: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict] = mapped_column(JSON)
    created_at = mapped_column(UTCDateTime, default=utcnow, index=True)
