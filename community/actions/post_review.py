"""What follows a post through review, shared by posts, moderation and appeals (a leaf: it
imports no other action module): telling the author's open pages its new state, and closing
the appeals a decision has made moot."""
from __future__ import annotations

from sqlalchemy import select

from .. import events
from ..extensions import db
from ..models import Appeal, Post, Thread, utcnow
from ..payloads import thread_payload


def queue_post_state(post: Post) -> None:
    """`post.state` to its author's own room: their open pages follow it (approved, hidden,
    back in the queue...) without a reload. Data only: the page words the cause itself."""
    room = f"user:{post.author_id}"
    events.queue_event(room, "post.state", {
        "room": room, "post_id": post.id, "thread_id": post.thread_id, "state": post.state,
        "state_cause": post.state_cause, "state_reason": post.state_reason,
    })


def queue_thread_approved(thread: Thread) -> None:
    """A held thread was approved: its room (its author and moderators so far) and its author's
    own room hear it, so the "awaiting review" banner goes (its topic hears thread.created)."""
    payload = thread_payload(thread)
    for room in (f"thread:{thread.id}", f"user:{thread.author_id}"):
        events.queue_event(room, "thread.updated", {"room": room, "change": "approved", "thread": payload})


def open_appeal(post: Post) -> Appeal | None:
    return db.session.scalar(select(Appeal).where(Appeal.post_id == post.id, Appeal.state == "open")
                             .order_by(Appeal.id.desc()).limit(1))


def close_open_appeals(post: Post, state: str = "closed") -> Appeal | None:
    """An open appeal on `post` ends without a decision of its own: "withdrawn" when the author
    resubmitted the post, "closed" when a moderator acted on the post another way."""
    appeal = open_appeal(post)
    if appeal is None:
        return None
    appeal.state = state
    appeal.decided_at = utcnow()
    slug = post.thread.topic.slug
    events.queue_event(f"mods:{slug}", "moderation.appeal", {
        "room": f"mods:{slug}", "change": state, "appeal_id": appeal.id, "post_id": post.id})
    return appeal
