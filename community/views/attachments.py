"""Files sent with a form (the composer without JavaScript, the new-thread page).

The form's file input (`files`, several allowed) is stored through the same action as the
API's (actions.uploads.upload_file: same checks, limits and rate limit); the ids of files
already stored by an earlier try of the same form ride along as `attachments`, so a refused
post keeps its files as it keeps its text. The post's action then attaches them.
"""
from __future__ import annotations

from flask import current_app, request
from flask_babel import gettext as _
from sqlalchemy import select

from ..actions.uploads import upload_file
from ..extensions import db
from ..files.kinds import TYPES
from ..files.names import display_name
from ..i18n import file_size
from ..models import Upload
from .helpers import actor

# Multipart envelopes around the files and the form's other fields.
FORM_OVERHEAD_BYTES = 256 * 1024


def form_body_limit(app) -> int:
    """How large a form with files may be (request_limits.allow_body); a form without files
    (not multipart) keeps the usual MAX_CONTENT_LENGTH."""
    if request.mimetype != "multipart/form-data":
        return int(app.config["MAX_CONTENT_LENGTH"])
    return int(app.config["FILE_POST_MAX_BYTES"]) + int(app.config["FILE_MAX_BYTES"]) + FORM_OVERHEAD_BYTES


def kept_ids() -> list[int]:
    """The ids of files an earlier try of this form stored (hidden `attachments` fields)."""
    ids = []
    for value in request.form.getlist("attachments"):
        if value.isascii() and value.isdigit() and len(value) < 11 and int(value) not in ids:
            ids.append(int(value))
    return ids


def take_files(form: dict) -> list[int]:
    """Store the form's new files; `form["attachments"]` lists every id so far, also when one
    of the files is refused (the error propagates; the ones stored before it are kept)."""
    form["attachments"] = kept_ids()
    for file in request.files.getlist("files"):
        if not file or not file.filename:
            continue  # an empty file input
        form["attachments"].append(upload_file(actor(), file).id)
    return form["attachments"]


def kept_files(ids) -> list[dict]:
    """The caller's files among `ids`, for the form to show again (name, size), in order."""
    if not ids:
        return []
    mine = {u.id: u for u in db.session.scalars(select(Upload).where(
        Upload.id.in_(list(ids)), Upload.owner_id == actor().id, Upload.state == "active"))}
    return [{"id": i, "name": display_name(mine[i]), "size": mine[i].size} for i in ids if i in mine]


def accept_list() -> str:
    """The file input's `accept`: the extensions and MIME types of the accepted types."""
    found = [TYPES[name] for name in current_app.config["FILE_TYPES"] if name in TYPES]
    return ",".join(sorted({f".{t.ext}" for t in found} | {t.mime for t in found}))


def file_types_help() -> str:
    """The composer's help sentence, from the settings: the accepted types (FILE_TYPES) grouped
    by kind, the size of one file (FILE_MAX_BYTES), and what one post may hold
    (FILE_POST_MAX_COUNT files, FILE_POST_MAX_BYTES together)."""
    allowed = [TYPES[name] for name in current_app.config["FILE_TYPES"] if name in TYPES]
    label = {"webp": "WebP"}
    images = [label.get(t.name, t.name.upper()) for t in allowed if t.kind == "image"]
    office = [t.name.upper() for t in allowed if t.kind == "document" and t.name != "pdf"]
    parts = []
    if images:
        parts.append(_("images (%(formats)s)", formats=", ".join(images)))
    if any(t.name == "pdf" for t in allowed):
        parts.append("PDF")
    if office:
        parts.append(_("office documents (%(formats)s)", formats=", ".join(office)))
    if any(t.name == "csv" for t in allowed):
        parts.append("CSV")
    if any(t.name == "txt" for t in allowed):
        parts.append(_("plain text"))
    config = current_app.config
    return _("Allowed: %(types)s. Up to %(size)s per file; a post holds up to %(count)s files and %(total)s "
             "in all.", types=", ".join(parts), size=file_size(config["FILE_MAX_BYTES"]),
             count=config["FILE_POST_MAX_COUNT"], total=file_size(config["FILE_POST_MAX_BYTES"]))
