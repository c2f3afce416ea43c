"""Moderation: post and thread actions by a topic's moderators, and the audit log."""
from __future__ import annotations

from sqlalchemy import select, update

from .. import events
from ..errors import Conflict, Invalid
from ..extensions import db
from ..models import Flag, ModerationAction, Post, Thread, Topic, TopicModerator, User, utcnow
from ..payloads import post_payload, room_post_event, thread_payload
from ..permissions import Guardian
from . import validate
from .notifications import notify
from .posts import announce_visible_post, refresh_thread_counts
from .threads import announce_new_thread, get_topic, queue_thread_updated

POST_ACTIONS = ("approve", "reject", "hide", "restore")
THREAD_ACTIONS = ("lock", "unlock", "pin", "unpin", "move")


def audit(actor: User, action: str, target_type: str, target_id: int, *, topic: Topic | None = None,
          target_user: User | None = None, reason: str = "", before=None, after=None) -> None:
    db.session.add(ModerationAction(
        actor_id=actor.id, topic_id=topic.id if topic else None, action=action,
        target_type=target_type, target_id=target_id,
        target_user_id=target_user.id if target_user else None,
        reason=reason or "", before=before, after=after,
    ))


def _reason(value) -> str:
    return validate.text(value, "reason", label="The reason", max_chars=500, min_chars=0)


def moderate_post(actor: User, post: Post, action, reason="") -> Post:
    topic = post.thread.topic
    Guardian(actor).ensure_moderate(topic)
    action = validate.choice(action, "action", POST_ACTIONS, "The action")
    reason = _reason(reason)
    before = post.state
    thread = post.thread
    room = f"thread:{thread.id}"
    if action == "approve":
        if before not in ("held", "hidden"):
            raise Conflict(f"This post is already {before}; nothing to approve.")
        post.state, post.state_reason = "visible", ""
        _close_flags(post, "dismissed")
        if post.is_opening and thread.state != "visible":
            thread.state = "visible"
            announce_new_thread(thread, post)
        elif before == "held":
            announce_visible_post(post)
        else:
            refresh_thread_counts(thread)
            events.queue_event(room, "post.restored", room_post_event(post))
        notify(post.author, "moderation", f"Your post in “{thread.title}” was approved",
               url=f"/threads/{thread.id}#post-{post.id}", thread=thread, post=post)
    elif action in ("reject", "hide"):
        if before == "hidden":
            raise Conflict("This post is already hidden.")
        if before == "deleted":
            raise Conflict("This post is deleted.")
        if action == "reject" and before != "held":
            raise Invalid("Only held posts can be rejected; hide a visible post instead.", field="action")
        if not reason:
            raise Invalid("Give the author a reason.", field="reason")
        post.state = "hidden"
        post.state_reason = ("Rejected: " if action == "reject" else "Hidden by a moderator: ") + reason
        _close_flags(post, "upheld")
        refresh_thread_counts(thread)
        if before == "visible":
            events.queue_event(room, "post.hidden", {"room": room, "post_id": post.id, "thread_id": thread.id})
        verb = "was not approved" if action == "reject" else "was hidden by a moderator"
        notify(post.author, "moderation", f"Your post in “{thread.title}” {verb}: {reason}",
               url=f"/threads/{thread.id}#post-{post.id}", thread=thread, post=post)
    elif action == "restore":
        if before not in ("hidden", "deleted"):
            raise Conflict(f"This post is {before}; nothing to restore.")
        post.state, post.state_reason, post.deleted_from = "visible", "", None
        refresh_thread_counts(thread)
        events.queue_event(room, "post.restored", room_post_event(post))
    audit(actor, f"{action}_post", "post", post.id, topic=topic, target_user=post.author, reason=reason,
          before={"state": before}, after={"state": post.state})
    events.queue_event(f"mods:{topic.slug}", "moderation.queue", {
        "room": f"mods:{topic.slug}", "change": "handled", "action": action,
        "by": actor.name, "post": post_payload(post, reveal=True),
    })
    events.commit()
    return post


def _close_flags(post: Post, status: str) -> None:
    db.session.execute(update(Flag).where(Flag.post_id == post.id, Flag.status == "open")
                       .values(status=status, resolved_at=utcnow()))


def moderate_thread(actor: User, thread: Thread, action, reason="", topic_slug=None) -> Thread:
    guardian = Guardian(actor)
    guardian.ensure_moderate(thread.topic)
    action = validate.choice(action, "action", THREAD_ACTIONS, "The action")
    reason = _reason(reason)
    before = {"locked": thread.locked, "pinned": thread.pinned, "topic": thread.topic.slug}
    old_slug = None
    if action in ("lock", "unlock"):
        thread.locked = action == "lock"
    elif action in ("pin", "unpin"):
        thread.pinned = action == "pin"
    else:
        target = get_topic(topic_slug)
        guardian.ensure_moderate(target)
        if target.id == thread.topic_id:
            raise Invalid("The thread is already in that topic.", field="topic")
        old_slug = thread.topic.slug
        thread.topic = target
        thread.topic_id = target.id
    after = {"locked": thread.locked, "pinned": thread.pinned, "topic": thread.topic.slug}
    if before == after:
        raise Conflict(f"This thread is already {'locked' if thread.locked else 'unlocked'}"
                       if action in ("lock", "unlock") else
                       f"This thread is already {'pinned' if thread.pinned else 'unpinned'}")
    audit(actor, f"{action}_thread", "thread", thread.id, topic=thread.topic, target_user=thread.author,
          reason=reason, before=before, after=after)
    queue_thread_updated(thread, {"change": action}, old_topic_slug=old_slug)
    events.commit()
    if old_slug:
        from ..realtime import revalidate_room
        revalidate_room(f"thread:{thread.id}")
    return thread


def assign_moderator(actor: User | None, topic: Topic, user: User) -> None:
    """Make `user` a moderator of `topic` (actor None: the command line)."""
    if actor is not None:
        Guardian(actor).ensure_admin()
    if db.session.get(TopicModerator, (topic.id, user.id)) is not None:
        return
    db.session.add(TopicModerator(topic_id=topic.id, user_id=user.id))
    if actor is not None:
        audit(actor, "assign_moderator", "topic", topic.id, topic=topic, target_user=user)
    events.commit()


def remove_moderator(actor: User, topic: Topic, user: User) -> None:
    Guardian(actor).ensure_admin()
    link = db.session.get(TopicModerator, (topic.id, user.id))
    if link is None:
        raise Conflict(f"{user.name} is not a moderator of {topic.name}.")
    db.session.delete(link)
    audit(actor, "remove_moderator", "topic", topic.id, topic=topic, target_user=user)
    events.commit()


def held_and_flagged(topic: Topic) -> list[Post]:
    """The review queue of a topic: held posts and posts with open flags, oldest first."""
    flagged = select(Flag.post_id).where(Flag.status == "open")
    return list(db.session.scalars(
        select(Post).join(Thread, Post.thread_id == Thread.id)
        .where(Thread.topic_id == topic.id)
        .where((Post.state == "held") | (Post.id.in_(flagged)))
        .order_by(Post.id)
    ))


_ = thread_payload
