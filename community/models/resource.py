"""The resources library of a topic or hub: curated guidance, templates, checklists...

A Resource holds one or more language versions, each with its own history: a
ResourceVersion is one language's text at one version number (a file, an Upload,
or a link). The newest number of a language is what readers get in that language.
"""
from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

RESOURCE_KINDS = ("guidance", "template", "checklist", "training", "policy")
RESOURCE_STATES = ("active", "hidden", "deleted")


class Resource(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    # In the language it was first written in; each version has its own title too.
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[str] = mapped_column(String(200), default="", server_default="")
    state: Mapped[str] = mapped_column(String(20), default="active", server_default="active")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at = mapped_column(UTCDateTime, default=utcnow)
    updated_at = mapped_column(UTCDateTime, default=utcnow)
    # optimistic locking: two curators editing at once cannot both apply
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    topic = relationship("Topic")
    created_by = relationship("User")
    versions = relationship("ResourceVersion", back_populates="resource", order_by="ResourceVersion.id",
                            cascade="all, delete-orphan")

    @property
    def tag_list(self) -> list[str]:
        return [t for t in (self.tags or "").split(",") if t]

    def __repr__(self) -> str:
        return f"<Resource {self.id} {self.title!r}>"


class ResourceVersion(db.Model):
    __table_args__ = (
        UniqueConstraint("resource_id", "language", "number", name="uq_resource_version_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(10))  # ISO 639-1, e.g. "es"
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, ... within its language
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    # A file or a link: exactly one of them.
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("upload.id"), nullable=True, index=True)
    url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    note: Mapped[str] = mapped_column(String(500), default="", server_default="")  # what changed
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at = mapped_column(UTCDateTime, default=utcnow)

    resource = relationship("Resource", back_populates="versions")
    upload = relationship("Upload")
    created_by = relationship("User")
