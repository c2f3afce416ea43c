"""The files service: from bytes as sent to a stored file, with every refusal explained.

`ingest(data)` checks and cleans the file (process.py: in a worker process under
eventlet, FILE_WORKERS; in-process in tests and the CLI), stores what is to be kept
(storage.py), and answers a `Stored`; a file refused raises a DomainError whose
message says what was wrong and what to do (415 for a type not accepted, 413 for
too large, 400 for damaged). Below the actions: imports no action, view or realtime.
"""
from __future__ import annotations

import os
import tempfile
from typing import NamedTuple

from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import select

from ..errors import Busy, DomainError, Invalid, TooLarge, UnsupportedType
from ..extensions import db
from ..i18n import file_size
from ..models import Upload
from ..workers import release_idle_connection
from . import pool as workers
from .kinds import TYPES
from .process import process
from .sniff import ZipLimits
from .storage import content_key, storage

READ_CHUNK_BYTES = 64 * 1024


class Stored(NamedTuple):
    type: str
    content_type: str
    size: int
    sha256: str
    storage_key: str
    width: int | None
    height: int | None
    thumbnail_key: str | None


def settings() -> dict:
    """What process.process() needs, as plain values (they cross a pipe to the worker)."""
    config = current_app.config
    return {
        "types": [name for name in config["FILE_TYPES"] if name in TYPES],
        "max_bytes": int(config["FILE_MAX_BYTES"]),
        "zip_limits": [int(config["ZIP_MAX_ENTRIES"]), int(config["ZIP_MAX_UNCOMPRESSED_BYTES"]),
                       ZipLimits().max_ratio],
        "image_limits": [int(config["IMAGE_MAX_PIXELS"]), int(config["IMAGE_MAX_SIDE"]),
                         int(config["IMAGE_THUMBNAIL_SIDE"])],
    }


def read_limited(stream, limit: int) -> bytes:
    """All of `stream`, or TooLarge as soon as it goes past `limit` bytes."""
    parts, size = [], 0
    while size <= limit:
        chunk = stream.read(min(READ_CHUNK_BYTES, limit + 1 - size))
        if not chunk:
            break
        parts.append(chunk)
        size += len(chunk)
    if size > limit:
        raise refusal("too_large", {"limit": limit})
    return b"".join(parts)


def ingest(data: bytes) -> Stored:
    """Check, clean and store `data`; the Stored file, or a DomainError saying why not."""
    with tempfile.TemporaryDirectory(prefix="roundtable-upload-") as work:
        source = os.path.join(work, "source")
        with open(source, "wb") as f:
            f.write(data)
        answer = _process(source, work)
        if not answer.get("ok"):
            raise refusal(answer.get("code", "damaged"), answer.get("params") or {})
        found = TYPES[answer["type"]]
        store = storage()
        key = content_key(answer["sha256"], found.ext)
        store.put(key, os.path.join(work, "main"), found.mime)
        thumbnail_key = None
        if answer.get("thumbnail"):
            thumbnail_key = content_key(answer["thumbnail"]["sha256"], found.ext)
            store.put(thumbnail_key, os.path.join(work, "thumbnail"), found.mime)
    return Stored(found.name, found.mime, answer["size"], answer["sha256"], key,
                  answer.get("width"), answer.get("height"), thumbnail_key)


def _process(source: str, out_dir: str) -> dict:
    config = current_app.config
    size = int(config.get("FILE_WORKERS") or 0)
    if size <= 0:
        return process(source, out_dir, settings())
    memory = int(config.get("FILE_WORKER_MEMORY_MB") or 0)
    found = workers.pool_for((id(current_app._get_current_object()), size, memory), size, memory)
    release_idle_connection()  # nothing of the database is held while the worker works
    try:
        return found.call({"source": source, "out": out_dir, "settings": settings()},
                          float(config["FILE_PROCESS_SECONDS"]))
    except workers.Busy:
        raise Busy(_("The server is busy checking other files. Send yours again in a moment.")) from None
    except workers.Timeout:
        return {"ok": False, "code": "too_complex", "params": {}}
    except (workers.WorkerGone, OSError):
        # A decoder that crashed on this file: refused like a damaged one (the pool starts
        # another worker), and logged, since it may be an attack or a bug to report.
        current_app.logger.exception("file worker failed on an upload")
        return {"ok": False, "code": "damaged", "params": {}}


def unused_keys(keys: set[str]) -> set[str]:
    """Those of `keys` that no upload still in use (active or hidden) is stored under."""
    if not keys:
        return set()
    used = set(db.session.scalars(select(Upload.storage_key).where(
        Upload.storage_key.in_(keys), Upload.state != "deleted")))
    used |= set(db.session.scalars(select(Upload.thumbnail_key).where(
        Upload.thumbnail_key.in_(keys), Upload.state != "deleted")))
    return keys - used


def remove_stored(keys: set[str]) -> None:
    """Delete these keys from storage (after the commit that stopped using them)."""
    store = storage()
    for key in sorted(keys):
        try:
            store.delete(key)
        except Exception:  # noqa: BLE001 - one failure must not keep the others; logged
            current_app.logger.exception("could not delete stored file %s", key)


# --- what the person is told ---------------------------------------------------------------
def accepted_list() -> str:
    """The accepted types as extensions: ".jpg, .png, .pdf ..."."""
    names = [name for name in current_app.config["FILE_TYPES"] if name in TYPES]
    return ", ".join("." + TYPES[name].ext for name in names)


def refusal(code: str, params: dict) -> DomainError:
    """The error for a refusal `code` of sniff/images/process, in the reader's language."""
    accepted = accepted_list()
    if code == "too_large":
        return TooLarge(_("The file is larger than %(limit)s, the most one file may be. Nothing was saved.",
                          limit=file_size(int(params.get("limit") or current_app.config["FILE_MAX_BYTES"]))),
                        field="file")
    if code == "image_too_large":
        return TooLarge(_("The image is too large: %(pixels)s million pixels, where the limit is %(limit)s "
                          "million. Make it smaller and send it again.",
                          pixels=format_decimal(round(int(params.get("pixels", 0)) / 1e6, 1)),
                          limit=format_decimal(round(int(params.get("limit", 0)) / 1e6, 1))), field="file")
    if code == "zip_bomb":
        return TooLarge(_("This document has too many parts, or unpacks to far more than its size: it cannot be "
                          "accepted."), field="file")
    if code == "too_complex":
        return TooLarge(_("This file needs too much time or memory to check, and was refused. If it is a very "
                          "large image, make it smaller and send it again."), field="file")
    if code == "empty":
        return Invalid(_("The file is empty."), field="file")
    if code == "damaged":
        return Invalid(_("The file is damaged, or its content is not what it claims to be: it cannot be "
                         "accepted."), field="file")
    if code == "markup":
        message = _("HTML, SVG and XML files are not accepted: a browser may run what is in them. "
                    "Save it as PDF or plain text and send that.")
    elif code == "macros":
        message = _("Documents with macros are not accepted. Save it without macros (.docx, .xlsx or .pptx) "
                    "and send that.")
    elif code == "legacy_office":
        message = _("Older Office files (.doc, .xls, .ppt) and password-protected ones are not accepted. "
                    "Save it as .docx, .xlsx or .pptx without a password and send that.")
    elif code == "encrypted":
        message = _("Password-protected files are not accepted.")
    elif code == "archive":
        message = _("ZIP archives are not accepted (Office and OpenDocument files are). Accepted: %(types)s.",
                    types=accepted)
    elif code == "encoding":
        message = _("Text files must be in UTF-8. Save it as UTF-8 (or as PDF) and send it again.")
    elif code == "control_characters":
        message = _("This text file contains control characters, so it is not plain text.")
    elif code == "not_allowed" and params.get("type") in TYPES:
        message = _("Files of this type (.%(ext)s) are not accepted here. Accepted: %(types)s.",
                    ext=TYPES[params["type"]].ext, types=accepted)
    elif params.get("what"):
        message = _("This file is not of a type accepted (it looks like: %(what)s). Accepted: %(types)s.",
                    what=params["what"], types=accepted)
    else:
        message = _("This file is not of a type accepted. Accepted: %(types)s.", types=accepted)
    return UnsupportedType(message, field="file")
