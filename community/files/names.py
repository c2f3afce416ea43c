"""The names files are shown and downloaded under, their addresses, and their API objects.

A name as sent is cleaned once (`clean_name`): no folders, no control or bidirectional
formatting characters (a name like "cod\u202egnp.exe" must not read as something
else), at most 100 characters, and the extension of the type the content turned out
to be. A file of an anonymous post, or without a name, goes by a neutral name
("image-12.jpg", "file-13.pdf") that says nothing about who sent it.
"""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from flask import url_for

from .kinds import TYPES

MAX_STEM_CHARS = 100
# Characters that mean something to file systems, shells or headers.
RESERVED = re.compile(r'[<>:"/\\|?*;\x00-\x1f\x7f]')


def clean_name(sent: str | None, type_name: str) -> str | None:
    """The name `sent` made safe to show and download, with the extension of its real type;
    None when nothing usable is left."""
    if not sent:
        return None
    name = unicodedata.normalize("NFC", str(sent)).replace("\\", "/").rsplit("/", 1)[-1]
    # Control, format (bidi overrides, zero-width), surrogate, private-use and unassigned characters.
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = RESERVED.sub("_", name)
    name = " ".join(name.split())
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    stem = stem.strip(" .")[:MAX_STEM_CHARS].strip(" .")
    if not stem:
        return None
    return f"{stem}.{TYPES[type_name].ext}"


def neutral_name(upload) -> str:
    kind = "image" if TYPES[upload.type].kind == "image" else "file"
    return f"{kind}-{upload.id}.{TYPES[upload.type].ext}"


def display_name(upload) -> str:
    """The name everyone sees: the cleaned name it was sent with, or a neutral one when it
    belongs to an anonymous post (or came without a usable name)."""
    if upload.original_name and not (upload.post is not None and upload.post.anonymous):
        return upload.original_name
    return neutral_name(upload)


def content_disposition(disposition: str, name: str) -> str:
    """`attachment` or `inline` with the name for every browser: an ASCII fallback, and the
    real name as RFC 6266/5987 `filename*`."""
    fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    fallback = re.sub(r'[^A-Za-z0-9._ ()\-]', "_", fallback).strip() or "file"
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def file_url(upload, *, thumbnail: bool = False, external: bool = False) -> str:
    """The file's address (community/views/files.py). A path, built without a request (room
    events and the CLI build post objects too); `external`: the full URL, within a request."""
    if external:
        endpoint = "files.thumbnail" if thumbnail else "files.serve"
        return url_for(endpoint, upload_id=upload.id, name=display_name(upload), _external=True)
    middle = "/thumbnail" if thumbnail else ""
    return f"/files/{upload.id}{middle}/{quote(display_name(upload), safe='')}"


def upload_payload(upload) -> dict:
    """An upload as the API shows it (POST /api/v1/uploads, a post's `attachments`)."""
    found = TYPES[upload.type]
    return {
        "id": upload.id,
        "url": file_url(upload),
        "name": display_name(upload),
        "type": found.mime,
        "kind": found.kind,
        "size": upload.size,
        "width": upload.width,
        "height": upload.height,
        "thumbnail_url": file_url(upload, thumbnail=True) if upload.thumbnail_key else None,
    }


def attachments_payload(post, guardian=None) -> list[dict]:
    """The files of `post` as its post object lists them: those `guardian` may fetch (None:
    "anyone in the room", so active files only); a hidden one says so (`state`)."""
    shown = []
    for upload in post.attachments:
        if guardian is None and upload.state != "active":
            continue
        if guardian is not None and not guardian.can_read_upload(upload):
            continue
        shown.append({**upload_payload(upload), "state": upload.state})
    return shown
