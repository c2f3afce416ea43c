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

from flask import Response
from sqlalchemy import select

from config import BASE_DIR

from ..actions.notifications import unread_count
from ..extensions import db
from ..models import Topic, TopicModerator
from ..payloads import topic_payload, user_payload
from . import bp
from .common import caller, guardian, load_topic


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
    readable = [t for t in db.session.scalars(select(Topic).order_by(Topic.position, Topic.name))
                if g.can_read_topic(t)]
    return {"topics": [_topic_for_caller(t) for t in readable], "next_cursor": None}


@bp.get("/topics/<slug>")
def read_topic(slug: str):
    return {"topic": _topic_for_caller(load_topic(slug))}


from . import notifications, posts, threads  # noqa: E402,F401  (register their routes)


@bp.get("/users")
def users_lookup():
    """Active people whose @handle or name starts with ?q= (for @mention autocomplete)."""
    from flask import request

    from ..models import User

    raw = (request.args.get("q") or "").strip().lstrip("@").lower()
    q = "".join(ch for ch in raw if ch not in "%_\\")  # LIKE wildcards never come from the user
    if not q or len(raw) > 40:
        return {"users": []}
    pattern = q + "%"
    found = db.session.scalars(
        select(User).where(User.state == "active")
        .where(db.func.lower(User.handle).like(pattern) | db.func.lower(User.name).like(pattern))
        .order_by(User.name).limit(8))
    return {"users": [{"handle": u.handle, "name": u.name, "organisation": u.organisation.name} for u in found]}
