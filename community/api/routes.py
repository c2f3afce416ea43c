"""API routes about the caller and topics; imports the other route modules of the blueprint.

Route modules: routes (me, topics), threads (thread lists, threads, replies,
thread moderation, accepted answers), posts (edit, delete, flags, post
moderation), notifications. Each view parses input, calls an action, and
answers JSON built with community.payloads.
"""
from __future__ import annotations

import json
import os
from functools import lru_cache

from flask import Response, request
from flask_babel import gettext as _
from sqlalchemy import select

from config import BASE_DIR

from .. import ratelimit
from ..actions import reading
from ..actions.moderation import reveals
from ..actions.notifications import unread_count
from ..errors import Invalid, NotFound
from ..extensions import db
from ..models import Topic, TopicModerator, User
from ..models.base import iso
from ..payloads import topic_payload, user_payload
from ..permissions import not_found_message, readers_of_thread, readers_of_topic
from .common import bp, caller, guardian, load_thread, load_topic

REVEALS_PER_PAGE = 50
MENTION_MIN_CHARS = 2
MENTION_RESULTS = 10


OPENAPI_PATH = os.path.join(BASE_DIR, "docs", "openapi.json")


@lru_cache(maxsize=1)
def _openapi_text() -> str:
    with open(OPENAPI_PATH, encoding="utf-8") as f:
        return json.dumps(json.load(f), ensure_ascii=False, separators=(",", ":"))


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document of this API (docs/openapi.json), for anyone: no sign-in."""
    return Response(_openapi_text(), mimetype="application/json")


@bp.get("/me")
def me():
    user = caller()
    query = select(Topic.slug)
    if not guardian().is_admin:  # administrators moderate every topic
        query = query.join(TopicModerator, TopicModerator.topic_id == Topic.id).where(
            TopicModerator.user_id == user.id)
    moderates = sorted(db.session.scalars(query))
    return {
        **user_payload(user),
        "email": user.email,
        "state": user.state,
        "locale": user.locale,
        "timezone": user.timezone,
        "is_admin": guardian().is_admin,
        "moderates": moderates,
        "unread_notifications": unread_count(user),
    }


def _topic_for_caller(topic: Topic) -> dict:
    g = guardian()
    return {**topic_payload(topic), "moderator": g.is_moderator(topic),
            "can_start_thread": g.can_start_thread(topic, "discussion"),
            "can_post_anonymously": g.can_post_anonymously(topic)}


@bp.get("/topics")
def list_topics():
    # A handful of topics: one page always, but the list keeps the cursor convention.
    g = guardian()
    readable = db.session.scalars(g.readable_topics()).all()
    counts = reading.topic_counts(g)  # threads with unread posts, new threads: two queries for all
    return {"topics": [{**_topic_for_caller(t), "unread": counts.get(t.id, (0, 0))[0],
                        "new": counts.get(t.id, (0, 0))[1]} for t in readable], "next_cursor": None}


@bp.get("/topics/<slug>")
def read_topic(slug: str):
    return {"topic": _topic_for_caller(load_topic(slug))}


@bp.get("/users")
def users_lookup():
    """People to @mention in the thread (?thread=<id>) or the new thread of a topic
    (?topic=<slug>) being written: those whose @handle or name starts with ?q= (2 characters
    at least) and who may read it, at most MENTION_RESULTS of them. Rate limited
    ("users_lookup"), so the membership cannot be paged through."""
    raw = (request.args.get("q") or "").strip().lstrip("@").lower()
    q = "".join(ch for ch in raw if ch not in "%_\\")  # LIKE wildcards never come from the user
    if len(q) < MENTION_MIN_CHARS or len(raw) > 40:
        raise Invalid(_("Type at least %(min)s characters of a name or @handle (40 at most).",
                        min=MENTION_MIN_CHARS), field="q")
    where = _mention_context()
    ratelimit.hit("users_lookup", caller().id)
    pattern = q + "%"
    found = db.session.scalars(
        select(User).where(*where)
        .where(db.func.lower(User.handle).like(pattern) | db.func.lower(User.name).like(pattern))
        .order_by(User.name, User.id).limit(MENTION_RESULTS))
    return {"users": [{"handle": u.handle, "name": u.name, "organisation": u.organisation.name} for u in found]}


def _mention_context() -> list:
    """Who may be offered: the readers of the thread or topic being written in (404 when the
    caller cannot read it either, like every "not there")."""
    thread_id, slug = request.args.get("thread", ""), request.args.get("topic", "")
    if thread_id:
        if not (thread_id.isascii() and thread_id.isdigit() and len(thread_id) < 12):
            raise NotFound(not_found_message("Thread"))
        return readers_of_thread(load_thread(int(thread_id)))
    if slug:
        return readers_of_topic(load_topic(slug))
    raise Invalid(_("Say where you are writing: ?thread=<id> or ?topic=<slug>."), field="thread")


@bp.get("/reveals")
def list_reveals():
    """Administrators: every reveal of an anonymous author, newest first (who revealed whom,
    when, why, which post or question), 50 a page with ?cursor=."""
    guardian().ensure_admin()
    cursor = request.args.get("cursor", "")
    before = int(cursor) if cursor.isdigit() and len(cursor) < 12 else None
    rows = reveals(before=before, limit=REVEALS_PER_PAGE + 1)
    more = len(rows) > REVEALS_PER_PAGE
    rows = rows[:REVEALS_PER_PAGE]
    return {"reveals": [reveal_payload(row) for row in rows],
            "next_cursor": str(rows[-1].id) if more and rows else None}


def reveal_payload(row) -> dict:
    return {"id": row.id, "at": iso(row.created_at), "reason": row.reason,
            "by": {"id": row.actor.id, "name": row.actor.name},
            "author": user_payload(row.target_user) if row.target_user else None,
            "target": {"type": row.target_type, "id": row.target_id},
            "topic": row.topic.slug if row.topic else None}
