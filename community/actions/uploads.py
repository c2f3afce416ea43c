"""Uploads: sending a file (checked, cleaned, stored), attaching uploads to a post, pruning.

`upload_file` is the one way a file comes in, whichever face it came through (the
API now; the composer's form and drag-and-drop later): the same Guardian check, the
same rate limit ("upload", config.DEFAULT_RATE_LIMITS) and the same limits
(FILE_MAX_BYTES, FILE_UNATTACHED_MAX_COUNT). The file work itself is the files
service's (community/files/service.py), off the eventlet hub.
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import exists, func, select

from .. import events, notices, ratelimit
from ..errors import Invalid, TooLarge
from ..events import action
from ..extensions import db
from ..files import service
from ..files.names import clean_name
from ..i18n import file_size
from ..models import Flag, Post, ResourceVersion, Upload, User, utcnow
from ..payloads import room_post_event
from ..permissions import Guardian
from . import validate
from .audit import audit
from .notifications import notify


def _unused():
    """Where-conditions on Upload for files in no post and no resource."""
    return [Upload.post_id.is_(None), ~exists(select(ResourceVersion.id).where(ResourceVersion.upload_id == Upload.id))]


@action
def upload_file(actor: User, file, name: str | None = None) -> Upload:
    """Store the file `file` (a binary stream: werkzeug's FileStorage, or anything with read())
    sent by `actor` under `name` (default: file.filename). The Upload, in no post yet."""
    Guardian(actor).ensure_use_site()
    ratelimit.hit("upload", actor.id, tier=ratelimit.tier_for(actor))
    config = current_app.config
    waiting = db.session.scalar(select(func.count(Upload.id)).where(
        Upload.owner_id == actor.id, Upload.state != "deleted", *_unused())) or 0
    if waiting >= config["FILE_UNATTACHED_MAX_COUNT"]:
        raise Invalid(_("You have %(count)s files that are in no post yet: put some of them in a post, or wait "
                        "for them to be removed (after %(hours)s hours), before sending more.",
                        count=waiting, hours=config["FILE_UNATTACHED_HOURS"]), field="file")
    data = service.read_limited(getattr(file, "stream", file), config["FILE_MAX_BYTES"])
    stored = service.ingest(data)
    upload = Upload(owner_id=actor.id, sha256=stored.sha256, type=stored.type, content_type=stored.content_type,
                    size=stored.size, storage_key=stored.storage_key, thumbnail_key=stored.thumbnail_key,
                    width=stored.width, height=stored.height,
                    original_name=clean_name(name if name is not None else getattr(file, "filename", None),
                                             stored.type))
    db.session.add(upload)
    return upload


def attach_uploads(actor: User, post: Post, upload_ids) -> list[Upload]:
    """Put the uploads `upload_ids` (the actor's own, in no other post) in `post`, after the
    files it has already, within FILE_POST_MAX_COUNT and FILE_POST_MAX_BYTES. A file of an
    anonymous post forgets the name it was sent with. Part of the action that writes the
    post: flushes, does not commit."""
    if upload_ids is None:
        return []
    if not isinstance(upload_ids, list) or not all(validate.as_id(i) == i for i in upload_ids):
        raise Invalid(_("attachments must be a list of upload ids."), field="attachments")
    ids = list(dict.fromkeys(upload_ids))
    if not ids:
        return []
    config = current_app.config
    if len(ids) > config["FILE_POST_MAX_COUNT"]:  # before looking anything up
        raise Invalid(_("A post can hold at most %(count)s files.", count=config["FILE_POST_MAX_COUNT"]),
                      field="attachments")
    found = {u.id: u for u in db.session.scalars(select(Upload).where(Upload.id.in_(ids)))}
    guardian = Guardian(actor)
    for upload_id in ids:
        upload = found.get(upload_id)
        if upload is None:
            raise Invalid(_("That file is not one of yours (or it was deleted): %(id)s.", id=upload_id),
                          field="attachments")
        if reason := guardian.why_not_attach_upload(upload, post):
            raise Invalid(reason, field="attachments")
    already = list(db.session.scalars(select(Upload).where(
        Upload.post_id == post.id, Upload.state != "deleted", Upload.id.not_in(ids)).order_by(Upload.position)))
    chosen = already + [found[i] for i in ids]
    if len(chosen) > config["FILE_POST_MAX_COUNT"]:
        raise Invalid(_("A post can hold at most %(count)s files.", count=config["FILE_POST_MAX_COUNT"]),
                      field="attachments")
    total = sum(u.size for u in chosen)
    if total > config["FILE_POST_MAX_BYTES"]:
        raise TooLarge(_("The files of one post may add up to %(limit)s at most; these add up to %(total)s.",
                         limit=file_size(config["FILE_POST_MAX_BYTES"]), total=file_size(total)),
                       field="attachments")
    for position, upload in enumerate(chosen):
        upload.post_id = post.id
        upload.position = position
        if post.anonymous:
            upload.original_name = None  # the name might say who sent it
    db.session.flush()
    db.session.expire(post, ["attachments"])
    return chosen[len(already):]


def prune_unattached(now=None) -> int:
    """Delete the uploads that have waited in no post (and no resource) longer than
    FILE_UNATTACHED_HOURS, and their stored files when nothing else uses them. How many."""
    count, keys = _delete_unattached(now)
    service.remove_stored(service.unused_keys(keys))  # after the commit: a rolled-back delete keeps its bytes
    return count


@action
def _delete_unattached(now=None) -> tuple[int, set[str]]:
    cutoff = (now or utcnow()) - timedelta(hours=current_app.config["FILE_UNATTACHED_HOURS"])
    stale = list(db.session.scalars(select(Upload).where(Upload.created_at < cutoff, *_unused())))
    keys = {u.storage_key for u in stale} | {u.thumbnail_key for u in stale if u.thumbnail_key}
    for upload in stale:
        db.session.delete(upload)
    return len(stale), keys


UPLOAD_MODERATION = {"hide": "hidden", "delete": "deleted", "restore": "active"}


def moderate_upload(actor: User, upload: Upload, action_name, reason="") -> Upload:
    """A moderator of the topic the file is in (its post's, or a resource's) hides it (its owner
    and the moderators still see it), deletes it (served to nobody; the stored bytes go when
    nothing else uses them) or restores a hidden one; recorded in the audit log."""
    _moderate_upload(actor, upload, action_name, reason)
    if upload.state == "deleted":
        keys = {upload.storage_key} | ({upload.thumbnail_key} if upload.thumbnail_key else set())
        service.remove_stored(service.unused_keys(keys))  # after the commit
    return upload


@action
def _moderate_upload(actor: User, upload: Upload, action_name, reason) -> None:
    guardian = Guardian(actor)
    guardian.ensure_moderate_upload(upload)
    action_name = validate.choice(action_name, "action", list(UPLOAD_MODERATION), _("The action"))
    reason = validate.text(reason or "", "reason", label=_("The reason"), max_chars=500, min_chars=0)
    if upload.state == "deleted":
        raise Invalid(_("That file was deleted: it cannot be changed any more."), field="action")
    before = upload.state
    upload.state = UPLOAD_MODERATION[action_name]
    upload.state_reason = reason
    audit(actor, f"{action_name}_file", "upload", upload.id, topic=guardian.topic_of_upload(upload),
          target_user=upload.owner, reason=reason, before={"state": before}, after={"state": upload.state},
          anonymous=upload.post is not None and upload.post.anonymous)
    if upload.state != "active":
        _close_file_flags(upload)
    if upload.post is not None and upload.post.state == "visible":
        db.session.flush()
        db.session.expire(upload.post, ["attachments"])
        events.queue_event(f"thread:{upload.post.thread_id}", "post.updated", room_post_event(upload.post))


def _close_file_flags(upload: Upload) -> None:
    """A file hidden or deleted: the open flags on it are upheld, and each flagger told."""
    flags = list(db.session.scalars(select(Flag).where(Flag.upload_id == upload.id, Flag.status == "open")))
    for flag in flags:
        flag.status, flag.resolved_at = "upheld", utcnow()
        thread = upload.post.thread
        notify(flag.user, verb="flag_upheld", data={"thread": notices.thread_ref(thread)},
               url=f"/threads/{thread.id}", thread=thread)
