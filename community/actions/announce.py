"""What readers are told when a post or a thread appears or changes: room events, the
moderators' queue, and notifications (replies, answers, mentions)."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select

from .. import events, markup, notices
from ..extensions import db
from ..models import Post, Thread, User, utcnow
from ..payloads import post_payload, room_post_event, thread_payload
from .notifications import notify


def refresh_thread_counts(thread: Thread) -> None:
    thread.reply_count = db.session.scalar(
        select(func.count(Post.id)).where(Post.thread_id == thread.id, Post.state == "visible",
                                          Post.is_opening.is_(False))
    ) or 0


def announce_visible_post(post: Post) -> None:
    """Events and notifications for a post that has just become visible to readers."""
    thread = post.thread
    refresh_thread_counts(thread)
    thread.last_activity_at = utcnow()
    if not post.is_opening:
        events.queue_event(f"thread:{thread.id}", "post.created", room_post_event(post))
        if thread.state != "held":  # a thread awaiting review is not shown in its topic yet
            events.queue_event(f"topic:{thread.topic.slug}", "thread.updated",
                               {"room": f"topic:{thread.topic.slug}", "change": "activity",
                                "thread": thread_payload(thread)})
    notify_about(post)


def queue_for_review(post: Post, why: str) -> None:
    slug = post.thread.topic.slug
    events.queue_event(f"mods:{slug}", "moderation.queue", {
        "room": f"mods:{slug}", "change": "added", "why": why,
        "post": post_payload(post, for_moderators=True), "thread": thread_payload(post.thread),
    })


def notify_about(post: Post) -> None:
    thread = post.thread
    # never the name of an anonymous author
    about = {"actors": [notices.actor(post.author, post.anonymous)], "thread": notices.thread_ref(thread)}
    url = f"/threads/{thread.id}#post-{post.id}"
    told: set[int] = {post.author_id}
    if post.reply_to_id is not None:
        parent = db.session.get(Post, post.reply_to_id)
        if parent is not None and parent.author_id not in told:
            notify(parent.author, verb="reply", data=about, url=url, thread=thread, post=post)
            told.add(parent.author_id)
    if thread.kind == "question" and not post.is_opening and thread.author_id not in told:
        notify(thread.author, verb="answer", data=about, url=url, thread=thread, post=post)
        told.add(thread.author_id)
    notify_mentions(post, about, url, told)


# Handles looked up per post: past the notified ones, enough to tell the author who was left out.
MENTIONS_LOOKED_UP = 100


def notify_mentions(post: Post, about: dict, url: str, told: set[int]) -> None:
    """Notify the people @mentioned, in the order they are named, at most
    MENTIONS_NOTIFIED_PER_POST of them; the others are listed in `post.unnotified_mentions`
    for the author (the text shows every name the same way: mentions are plain text)."""
    thread = post.thread
    handles = markup.mention_order(post.body, MENTIONS_LOOKED_UP)
    post.unnotified_mentions = []
    if not handles:
        return
    found = {u.handle: u for u in db.session.scalars(
        select(User).where(User.handle.in_(handles), User.state == "active"))}
    limit = current_app.config.get("MENTIONS_NOTIFIED_PER_POST", 10)
    notified = 0
    for handle in handles:
        user = found.get(handle)
        if user is None or user.id in told:
            continue
        if notified >= limit:
            post.unnotified_mentions.append("@" + handle)
            continue
        if notify(user, verb="mention", data=about, url=url, thread=thread, post=post) is not None:
            notified += 1
        told.add(user.id)


def announce_new_thread(thread: Thread, opening: Post) -> None:
    thread.last_activity_at = utcnow()
    room = f"topic:{thread.topic.slug}"
    events.queue_event(room, "thread.created", {"room": room, "thread": thread_payload(thread)})
    notify_about(opening)


# Changes of a thread its author's own room hears as well (approval: actions.post_review).
AUTHOR_HEARS = frozenset({"lock", "unlock", "move", "merged", "duplicate", "renamed"})


def queue_thread_updated(thread: Thread, change: dict, old_topic_slug: str | None = None) -> None:
    """thread.updated to the thread's room, its author's own room and its topic's room (and the
    old topic's on a move)."""
    payload = thread_payload(thread)
    events.queue_event(f"thread:{thread.id}", "thread.updated",
                       {"room": f"thread:{thread.id}", **change, "thread": payload})
    if change.get("change") in AUTHOR_HEARS:
        # The author's other open pages (and tabs not in the room) follow their thread too.
        author_room = f"user:{thread.author_id}"
        events.queue_event(author_room, "thread.updated", {"room": author_room, **change, "thread": payload})
    if thread.state == "held":
        return  # not listed in its topic until approved: the topic's readers hear nothing yet
    for slug in {thread.topic.slug, old_topic_slug} - {None}:
        events.queue_event(f"topic:{slug}", "thread.updated",
                           {"room": f"topic:{slug}", **change, "thread": payload})
