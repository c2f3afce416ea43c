"""The administrators' storage page (/admin/storage): how much the files take per topic (in posts
and in resources libraries), files in nothing yet, and the largest files with where they are.

Sizes are of the stored (cleaned) files, deleted ones left out. The same content sent twice is
stored once (content-addressed keys), so "stored" can be less than the sum of the uploads.
A file of an anonymous post never shows who sent it, here as anywhere.
"""
from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..auth import protect
from ..extensions import db
from ..files.names import display_name, file_url
from ..models import Post, Resource, ResourceVersion, Thread, Topic, Upload

bp = Blueprint("storage", __name__, url_prefix="/admin")
protect(bp, "admin")

LARGEST = 25
# Upload.state, worded for the State column (deleted files are not listed).
STATES = {"active": _l("Visible"), "hidden": _l("Hidden by a moderator")}


def usage_per_topic() -> list[dict]:
    kept = Upload.state != "deleted"
    in_posts = dict((tid, (n, size)) for tid, n, size in db.session.execute(
        select(Thread.topic_id, func.count(Upload.id), func.coalesce(func.sum(Upload.size), 0))
        .join(Post, Post.id == Upload.post_id).join(Thread, Thread.id == Post.thread_id)
        .where(kept).group_by(Thread.topic_id)))
    in_resources = dict((tid, (n, size)) for tid, n, size in db.session.execute(
        select(Resource.topic_id, func.count(func.distinct(Upload.id)), func.coalesce(func.sum(Upload.size), 0))
        .join(ResourceVersion, ResourceVersion.upload_id == Upload.id)
        .join(Resource, Resource.id == ResourceVersion.resource_id)
        .where(kept).group_by(Resource.topic_id)))
    rows = []
    for topic in db.session.scalars(select(Topic).order_by(Topic.position, Topic.name)):
        posts, resources = in_posts.get(topic.id, (0, 0)), in_resources.get(topic.id, (0, 0))
        rows.append({"topic": topic, "post_files": posts[0], "post_bytes": int(posts[1]),
                     "resource_files": resources[0], "resource_bytes": int(resources[1]),
                     "bytes": int(posts[1]) + int(resources[1])})
    # Only the topics that hold files: a table of zeros says nothing.
    return sorted((r for r in rows if r["post_files"] or r["resource_files"]), key=lambda r: -r["bytes"])


def totals() -> dict:
    kept = Upload.state != "deleted"
    count, size = db.session.execute(select(func.count(Upload.id), func.coalesce(func.sum(Upload.size), 0))
                                     .where(kept)).one()
    distinct = select(Upload.sha256, func.max(Upload.size).label("size")).where(kept).group_by(Upload.sha256)
    stored = db.session.scalar(select(func.coalesce(func.sum(distinct.subquery().c.size), 0)))
    unused = ~select(ResourceVersion.id).where(ResourceVersion.upload_id == Upload.id).exists()
    waiting = db.session.execute(select(func.count(Upload.id), func.coalesce(func.sum(Upload.size), 0))
                                 .where(kept, Upload.post_id.is_(None), unused)).one()
    return {"files": count, "bytes": int(size), "stored_bytes": int(stored or 0),
            "waiting_files": waiting[0], "waiting_bytes": int(waiting[1])}


def largest() -> list[dict]:
    rows = []
    for upload in db.session.scalars(select(Upload).where(Upload.state != "deleted")
                                     .order_by(Upload.size.desc(), Upload.id).limit(LARGEST)):
        post = upload.post
        resource = db.session.scalar(select(Resource).join(ResourceVersion).where(
            ResourceVersion.upload_id == upload.id).limit(1)) if post is None else None
        rows.append({
            "upload": upload, "name": display_name(upload), "url": file_url(upload),
            "state": STATES.get(upload.state, upload.state),
            "post": post, "resource": resource,
            "topic": post.thread.topic if post is not None else (resource.topic if resource else None),
            # an anonymous post's file names nobody
            "owner": None if post is not None and post.anonymous else upload.owner,
        })
    return rows


@bp.get("/storage")
def index() -> ResponseReturnValue:
    return render_template("admin/storage.html", active="storage.index", per_topic=usage_per_topic(),
                           totals=totals(), largest=largest())
