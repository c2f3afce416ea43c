"""The file types Roundtable recognises: name -> MIME type, extension, and kind.

A plain table, importable without Flask (the file worker process loads it). The names
are those of the FILE_TYPES setting (config.py).
"""
from __future__ import annotations

from typing import NamedTuple


class FileType(NamedTuple):
    name: str
    mime: str
    ext: str
    kind: str  # "image" (re-encoded, shown inline), "document" or "text" (always downloaded)


TYPES: dict[str, FileType] = {t.name: t for t in (
    FileType("jpeg", "image/jpeg", "jpg", "image"),
    FileType("png", "image/png", "png", "image"),
    FileType("webp", "image/webp", "webp", "image"),
    FileType("gif", "image/gif", "gif", "image"),
    FileType("pdf", "application/pdf", "pdf", "document"),
    FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", "document"),
    FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", "document"),
    FileType("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx",
             "document"),
    FileType("odt", "application/vnd.oasis.opendocument.text", "odt", "document"),
    FileType("ods", "application/vnd.oasis.opendocument.spreadsheet", "ods", "document"),
    FileType("odp", "application/vnd.oasis.opendocument.presentation", "odp", "document"),
    FileType("csv", "text/csv", "csv", "text"),
    FileType("txt", "text/plain", "txt", "text"),
)}

IMAGE_TYPES = frozenset(name for name, t in TYPES.items() if t.kind == "image")
# The format name Pillow knows each image type by.
PILLOW_FORMATS = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "gif": "GIF"}


def served_type(name: str) -> str:
    """The Content-Type a stored file of type `name` is served with."""
    found = TYPES[name]
    return found.mime + "; charset=utf-8" if found.kind == "text" else found.mime
