"""API route for files: POST /api/v1/uploads (multipart/form-data, the file in field `file`)."""
from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from ..actions.uploads import moderate_upload, upload_file
from ..errors import Invalid, NotFound
from ..extensions import db
from ..files.names import upload_payload
from ..models import Upload
from ..permissions import not_found_message
from ..request_limits import allow_body
from .common import bp, caller, guardian, json_body, optional_text

# The multipart envelope around the file: boundaries, part headers, a long file name.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


def upload_body_limit(app) -> int:
    return int(app.config["FILE_MAX_BYTES"]) + MULTIPART_OVERHEAD_BYTES


@bp.post("/uploads")
@allow_body(upload_body_limit)
def create_upload():
    """Store a file for a post to use: 201 {"upload": {...}}; 400, 413 or 415 with the reason."""
    file = request.files.get("file")
    if file is None:
        raise Invalid(_("Send the file as multipart/form-data, in a field named “file”."), field="file")
    upload = upload_file(caller(), file)
    return {"upload": upload_payload(upload)}, 201


@bp.post("/uploads/<int:upload_id>/moderation")
def moderate_upload_route(upload_id: int):
    """The topic's moderators: `action` hide, delete or restore a file, with an optional `reason`."""
    upload = db.session.get(Upload, upload_id)
    if upload is None or not guardian().can_read_upload(upload):
        raise NotFound(not_found_message("Upload"))
    data = json_body()
    done = moderate_upload(caller(), upload, data.get("action"), optional_text(data, "reason"))
    return {"upload": {**upload_payload(done), "state": done.state}}
