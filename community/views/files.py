"""Serving stored files: /files/<id>/<name> and /files/<id>/thumbnail/<name>.

Every request asks the Guardian (permissions/files.py: the same rule as the post the file
belongs to; a refusal is a 404, like a file that does not exist). What is served is
the stored file, never the one that was sent (images were re-encoded without their
metadata). The answer cannot be turned against the site:

- `Content-Disposition: attachment` for everything but cleaned images, which are
  shown inline; the name is the cleaned one, or a neutral one for anonymous posts
  (the <name> in the address is only for people and is not trusted);
- `X-Content-Type-Options: nosniff` and the Content-Type of the sniffed type;
- `Content-Security-Policy: default-src 'none'; sandbox`: opened on its own, a
  file can run nothing and load nothing; `Cross-Origin-Resource-Policy: same-origin`:
  other sites cannot embed it;
- `Cache-Control: private` (a browser may keep it FILE_CACHE_SECONDS; shared caches
  never) with an ETag, the content's SHA-256, for cheap revalidation.
"""
from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from ..actions.uploads import moderate_upload
from ..auth import protect
from ..errors import NotFound
from ..extensions import db
from ..files.kinds import TYPES, served_type
from ..files.names import content_disposition, display_name
from ..files.storage import storage
from ..models import Upload
from ..permissions import not_found_message
from .accounts import safe_next
from .helpers import actor, guardian

bp = Blueprint("files", __name__)
protect(bp)  # visitors are sent to sign in; a personal API token signs in here too
bp.add_app_template_global(display_name, "file_display_name")

FILE_CSP = "default-src 'none'; sandbox"


@bp.get("/files/<int:upload_id>/<name>")
def serve(upload_id: int, name: str) -> ResponseReturnValue:
    return _serve(upload_id, thumbnail=False)


@bp.get("/files/<int:upload_id>/thumbnail/<name>")
def thumbnail(upload_id: int, name: str) -> ResponseReturnValue:
    """An image's thumbnail (the image itself when it is small enough to need none)."""
    return _serve(upload_id, thumbnail=True)


def _serve(upload_id: int, *, thumbnail: bool) -> ResponseReturnValue:
    upload = db.session.get(Upload, upload_id)
    if upload is None:
        raise NotFound(not_found_message("Upload"))
    guardian().ensure_read_upload(upload)
    image = TYPES[upload.type].kind == "image"
    if thumbnail and not image:
        raise NotFound(not_found_message("Upload"))
    key = (upload.thumbnail_key or upload.storage_key) if thumbnail else upload.storage_key
    etag = key.rsplit("/", 1)[-1].split(".")[0]  # the content's SHA-256
    headers = {
        "Content-Disposition": content_disposition("inline" if image else "attachment", display_name(upload)),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": FILE_CSP,
        "Cross-Origin-Resource-Policy": "same-origin",
        "Cache-Control": f"private, max-age={int(current_app.config['FILE_CACHE_SECONDS'])}",
        "ETag": f'"{etag}"',
    }
    if request.if_none_match.contains(etag):
        return Response(status=304, headers=headers)
    try:
        body = storage().open(key)
    except FileNotFoundError:
        current_app.logger.error("stored file missing: upload %s, key %s", upload.id, key)
        raise NotFound(not_found_message("Upload")) from None
    response = Response(body, mimetype=served_type(upload.type), headers=headers, direct_passthrough=True)
    if key == upload.storage_key:
        response.content_length = upload.size
    return response


@bp.post("/files/<int:upload_id>/moderation")
def moderate(upload_id: int) -> ResponseReturnValue:
    """The topic's moderators hide, delete or restore a file (form: action, reason); back to
    `next` (a path on this site: the review queue's button sends it), else to its post."""
    upload = db.session.get(Upload, upload_id)
    if upload is None:
        raise NotFound(not_found_message("Upload"))
    action = request.form.get("action")
    moderate_upload(actor(), upload, action, request.form.get("reason", ""))
    flash({"hide": _("The file is hidden: only its owner and the moderators can fetch it."),
           "delete": _("The file was deleted: nobody can fetch it any more."),
           "restore": _("The file is shown again.")}.get(action, ""), "success")
    if (back := safe_next(request.form.get("next"))) is not None:
        return redirect(back)
    if upload.post_id is not None:
        return redirect(url_for("posts.permalink", post_id=upload.post_id))
    return redirect(request.referrer or url_for("main.home"))
