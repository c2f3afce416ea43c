"""API routes for threads: a topic's thread list, starting a thread, reading one with its
posts, replying, thread moderation (lock/pin/move) and accepted answers.

Idempotency: POSTing a thread or a reply again with a `client_id` the caller already
used answers 201 with the first thread/post (no second row), plus the header
`Idempotent-Replayed: true`, so a retry after a lost response looks like the original.
"""
from __future__ import annotations

from flask import current_app, request
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from ..actions import reading
from ..actions.moderation import moderate_thread
from ..actions.posts import author_notices, reply
from ..actions.reactions import helpful_order
from ..actions.thread_changes import landing, merged_post_ids, rename_thread
from ..actions.threads import accept_answer, get_thread, start_thread
from ..actions.validate import MAX_ID
from ..errors import Invalid
from ..extensions import db
from ..models import Post, Thread
from ..payloads import post_payload, prefetch_reactions, thread_payload, topic_payload
from .common import (
    bp,
    caller,
    cursor_id,
    cursor_time,
    decode_cursor,
    encode_cursor,
    guardian,
    json_body,
    load_thread,
    load_topic,
    optional_text,
    page_size,
)
from .reading import read_payload, threads_with_read_state

THREAD_FILTERS = ("questions", "unanswered")
POST_ORDERS = ("oldest", "helpful")


# --- lists -----------------------------------------------------------------------
@bp.get("/topics/<slug>/threads")
def list_threads(slug: str):
    """Threads of a topic, newest activity first (pinned threads are not floated: clients
    see `pinned` on each thread). `?filter=questions|unanswered`, `?limit=`, `?cursor=`."""
    topic = load_topic(slug)
    g = guardian()
    limit = page_size(current_app.config["THREADS_PER_PAGE"])
    wanted = request.args.get("filter") or None
    if wanted is not None and wanted not in THREAD_FILTERS:
        raise Invalid(f"filter must be one of: {', '.join(THREAD_FILTERS)}.", field="filter")

    # Threads awaiting review are shown to their authors and the moderators only (the Guardian's scope).
    query = g.readable_threads(select(Thread), topic)
    if wanted in ("questions", "unanswered"):
        query = query.where(Thread.kind == "question")
    if wanted == "unanswered":
        query = query.where(Thread.accepted_post_id.is_(None))
    after = decode_cursor("threads", 2)
    if after is not None:
        moment, last_id = cursor_time(after[0]), cursor_id(after[1])
        query = query.where(or_(Thread.last_activity_at < moment,
                                and_(Thread.last_activity_at == moment, Thread.id < last_id)))
    rows = list(db.session.scalars(
        query.order_by(Thread.last_activity_at.desc(), Thread.id.desc()).limit(limit + 1)))
    page, more = rows[:limit], len(rows) > limit
    next_cursor = None
    if more:
        last = page[-1]
        next_cursor = encode_cursor("threads", last.last_activity_at.isoformat(), last.id)
    return {
        "topic": topic_payload(topic),
        "threads": threads_with_read_state(page),
        "next_cursor": next_cursor,
    }


@bp.get("/threads/<int:thread_id>")
def read_thread(thread_id: int):
    """A thread and the posts the caller may see, `?limit=` / `?cursor=`: oldest first, or with
    `?order=helpful` best first (the opening post, the accepted answer, then by "helpful").

    A merged thread answers 301 to the thread it was merged into (for a caller who may read
    both; 404 otherwise), its body saying which of the caller's posts came from it."""
    merged = get_thread(thread_id) if thread_id <= MAX_ID else None
    if merged is not None and merged.state == "merged":
        return _merged(merged)
    thread = load_thread(thread_id)
    g = guardian()
    limit = page_size(current_app.config["POSTS_PER_PAGE"])
    order = request.args.get("order") or "oldest"
    if order not in POST_ORDERS:
        raise Invalid(_("order must be one of: %(choices)s.", choices=", ".join(POST_ORDERS)), field="order")
    # Others' held, hidden and deleted posts are not shown at all; one's own are, with their state.
    query = g.visible_posts(select(Post), thread)
    if order == "helpful":
        # Ranked by counts that move: the cursor is a position, not a key.
        after = decode_cursor("posts-helpful", 1)
        skip = cursor_id(after[0]) if after is not None else 0
        rows = list(db.session.scalars(query.order_by(*helpful_order(thread)).offset(skip).limit(limit + 1)))
        following = encode_cursor("posts-helpful", skip + limit) if len(rows) > limit else None
    else:
        after = decode_cursor("posts", 1)
        if after is not None:
            query = query.where(Post.id > cursor_id(after[0]))
        query = query.order_by(Post.id).limit(limit + 1).options(selectinload(Post.attachments))
        rows = list(db.session.scalars(query))
        following = encode_cursor("posts", rows[limit - 1].id) if len(rows) > limit else None
    page = [p for p in rows[:limit] if g.can_see_post(p)]
    prefetch_reactions(g, page)
    return {
        "thread": thread_payload(thread, g),
        "read": read_payload(thread, reading.state_of(caller(), thread)),
        "posts": [post_payload(p, g) for p in page],
        "next_cursor": following,
    }


def _merged(thread: Thread):
    g = guardian()
    target, _first = landing(thread, g)
    location = f"/api/v1/threads/{target.id}"
    body = {"thread_id": thread.id, "merged_into": target.id, "post_ids": merged_post_ids(thread, g),
            "location": location}
    return body, 301, {"Location": location}


# --- writes ----------------------------------------------------------------------
def _replayed(client_id) -> bool:
    """Has the caller already used this client_id? (Then the action returns the first post.)"""
    if not isinstance(client_id, str) or not client_id:
        return False
    return db.session.scalar(
        select(Post.id).where(Post.author_id == caller().id, Post.client_id == client_id)
    ) is not None


def _created(payload: dict, replayed: bool):
    # A retry with the same client_id gets the first answer again, status included
    # (201), so a client cannot tell a lost response from a retried one; the header
    # says it was a replay for those who care.
    headers = {"Idempotent-Replayed": "true"} if replayed else {}
    return payload, 201, headers


@bp.post("/topics/<slug>/threads")
def create_thread(slug: str):
    topic = load_topic(slug)
    data = json_body()
    replayed = _replayed(data.get("client_id"))
    new_thread, opening = start_thread(
        caller(), topic, title=data.get("title"), body=data.get("body"),
        kind=data.get("kind"), anonymous=data.get("anonymous", False),
        tags=data.get("tags"), client_id=data.get("client_id"), language=data.get("language"),
        attachments=data.get("attachments"),
    )
    g = guardian()
    return _created({"thread": thread_payload(new_thread, g), "post": post_payload(opening, g),
                     **_notices(opening)}, replayed)


@bp.post("/threads/<int:thread_id>/posts")
def create_post(thread_id: int):
    thread = load_thread(thread_id)
    data = json_body()
    replayed = _replayed(data.get("client_id"))
    post = reply(caller(), thread, data.get("body"), reply_to=data.get("reply_to"),
                 anonymous=data.get("anonymous", False), client_id=data.get("client_id"),
                 language=data.get("language"), attachments=data.get("attachments"))
    return _created({"post": post_payload(post, guardian()), **_notices(post)}, replayed)


def _notices(post) -> dict:
    """`notices` for the author (mentions beyond the notified ones...), only when there are some."""
    notices = author_notices(post)
    return {"notices": notices} if notices else {}


@bp.post("/threads/<int:thread_id>/moderation")
def moderate_thread_route(thread_id: int):
    thread = load_thread(thread_id)
    data = json_body()
    action = data.get("action")
    target = data.get("topic")
    if action == "move":
        if not isinstance(target, str) or not target:
            raise Invalid(_("Say which topic to move the thread to (topic: its slug)."), field="topic")
        # A missing topic and one the caller may not moderate get one answer (the action's).
    extra = {}
    if action in ("duplicate", "merge", "split"):
        # Beyond the contract: the moderation tools' other thread actions, same conventions.
        extra = {"target": data.get("target"), "post_ids": data.get("post_ids"), "title": data.get("title")}
    acted_on = moderate_thread(caller(), thread, action, optional_text(data, "reason"), topic_slug=target, **extra)
    return {"thread": thread_payload(acted_on, guardian())}


@bp.patch("/threads/<int:thread_id>")
def update_thread(thread_id: int):
    """Rename a thread (`title`, optional `reason`): its author or a moderator of its topic."""
    thread = load_thread(thread_id)
    data = json_body()
    renamed = rename_thread(caller(), thread, data.get("title"), optional_text(data, "reason"))
    return {"thread": thread_payload(renamed, guardian())}


@bp.post("/threads/<int:thread_id>/accept")
def accept_post(thread_id: int):
    """Accept `post_id` as the answer of a question (`post_id: null` withdraws the acceptance)."""
    thread = load_thread(thread_id)
    data = json_body()
    if "post_id" not in data:
        raise Invalid(_("Say which post is the answer (post_id), or null to withdraw it."), field="post_id")
    accepted = accept_answer(caller(), thread, data["post_id"])
    return {"thread": thread_payload(accepted, guardian())}
