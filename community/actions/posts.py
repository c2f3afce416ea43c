"""Posts: replying, editing (with revisions), soft delete and restore, flagging."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import events, markup, ratelimit
from ..authors import public_name
from ..errors import Conflict, Invalid, NotFound, RateLimited
from ..extensions import db
from ..language import choose as choose_language
from ..language import detect as detect_language
from ..models import Flag, Post, PostRevision, Thread, User, utcnow
from ..models.moderation import FLAG_REASONS
from ..payloads import post_payload, room_post_event, thread_payload
from ..permissions import Guardian, not_found_message
from ..rendering import render_post
from . import validate
from .notifications import notify
from .uploads import attach_uploads
from .watching import auto_watch_thread


def check_slow_mode(actor: User, topic, guardian: Guardian) -> None:
    if not topic.slow_mode_seconds or guardian.is_moderator(topic):
        return
    last = db.session.scalar(
        select(func.max(Post.created_at)).join(Thread, Post.thread_id == Thread.id)
        .where(Post.author_id == actor.id, Thread.topic_id == topic.id)
    )
    if last is None:
        return
    if last.tzinfo is None:
        from datetime import timezone
        last = last.replace(tzinfo=timezone.utc)
    wait = (last + timedelta(seconds=topic.slow_mode_seconds)) - utcnow()
    if wait.total_seconds() > 0:
        seconds = int(wait.total_seconds()) + 1
        raise RateLimited(ngettext("Slow mode is on in %(topic)s: you can post again in %(num)d second. "
                                   "Your text is kept.",
                                   "Slow mode is on in %(topic)s: you can post again in %(num)d seconds. "
                                   "Your text is kept.", seconds, topic=topic.name), retry_after=seconds)


def screen_post(actor: User, topic, guardian: Guardian) -> None:
    """Refuse a post from someone silenced in the topic or posting faster than slow mode allows."""
    from .moderation import check_not_silenced

    check_not_silenced(actor, topic)
    check_slow_mode(actor, topic, guardian)


def watched_words(topic, body: str) -> tuple[str, bool]:
    from .moderation import check_watched_words

    return check_watched_words(topic, body)


def initial_state(actor: User, topic, guardian: Guardian) -> str:
    """visible or held, from the topic's moderation policy."""
    if guardian.is_moderator(topic):
        return "visible"
    if topic.moderation == "all":
        return "held"
    if topic.moderation == "first_n" and topic.hold_first_n > 0:
        approved = db.session.scalar(
            select(func.count(Post.id)).where(Post.author_id == actor.id, Post.state == "visible")
        ) or 0
        if approved < topic.hold_first_n:
            return "held"
    return "visible"


def refresh_thread_counts(thread: Thread) -> None:
    thread.reply_count = db.session.scalar(
        select(func.count(Post.id)).where(Post.thread_id == thread.id, Post.state == "visible",
                                          Post.is_opening.is_(False))
    ) or 0


def new_post(actor: User, thread: Thread, body: str, html: str, *, reply_to: Post | None, anonymous: bool,
             client_id: str | None, state: str, is_opening: bool = False, language: str | None = None) -> Post:
    """`html`: the body rendered by rendering.render_post, before anything was written
    (the render may wait on a worker). `language`: the author's choice (already checked
    by language.choose), else detected."""
    post = Post(thread=thread, author=actor, body=body, html=html,
                reply_to_id=reply_to.id if reply_to else None, anonymous=anonymous,
                client_id=client_id, state=state, is_opening=is_opening,
                language=language or detect_language(body))
    db.session.add(post)
    actor.last_post_at = utcnow()
    db.session.flush()
    return post


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
    who = public_name(post)  # never the name of an anonymous author
    url = f"/threads/{thread.id}#post-{post.id}"
    told: set[int] = {post.author_id}
    if post.reply_to_id is not None:
        parent = db.session.get(Post, post.reply_to_id)
        if parent is not None and parent.author_id not in told:
            notify(parent.author, "reply",
                   _l("%(name)s replied to your post in “%(title)s”", name=who, title=thread.title),
                   url=url, thread=thread, post=post)
            told.add(parent.author_id)
    if thread.kind == "question" and not post.is_opening and thread.author_id not in told:
        notify(thread.author, "answer",
               _l("%(name)s answered your question “%(title)s”", name=who, title=thread.title),
               url=url, thread=thread, post=post)
        told.add(thread.author_id)
    notify_mentions(post, who, url, told)


# Handles looked up per post: past the notified ones, enough to tell the author who was left out.
MENTIONS_LOOKED_UP = 100


def notify_mentions(post: Post, who, url: str, told: set[int]) -> None:
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
        if notify(user, "mention", _l("%(name)s mentioned you in “%(title)s”", name=who, title=thread.title),
                  url=url, thread=thread, post=post) is not None:
            notified += 1
        told.add(user.id)


def author_notices(post: Post) -> list[dict]:
    """What the author of a post just written should know beyond "it is posted"."""
    skipped = getattr(post, "unnotified_mentions", None) or []
    if not skipped:
        return []
    limit = current_app.config.get("MENTIONS_NOTIFIED_PER_POST", 10)
    return [{"code": "mentions_capped", "not_notified": skipped, "message": ngettext(
        "Only the first %(max)s people you mentioned were notified; %(num)d more was not: %(names)s.",
        "Only the first %(max)s people you mentioned were notified; %(num)d more were not: %(names)s.",
        len(skipped), max=limit, names=", ".join(skipped))}]


def _existing_for_client_id(actor: User, client_id: str | None) -> Post | None:
    if client_id is None:
        return None
    return db.session.scalar(select(Post).where(Post.author_id == actor.id, Post.client_id == client_id))


def reply(actor: User, thread: Thread, body, *, reply_to=None, anonymous=False, client_id=None,
          language=None, attachments=None) -> Post:
    """Reply in a thread. The same client_id twice returns the first post.

    `language`: the code of the language the author says they wrote in; None (or "auto")
    detects it from the text. `attachments`: ids of the actor's uploads to put in the post.
    """
    guardian = Guardian(actor)
    guardian.ensure_reply(thread)
    client_id = validate.client_id(client_id)
    existing = _existing_for_client_id(actor, client_id)
    if existing is not None:
        if existing.thread_id != thread.id:
            raise Conflict(_("This client_id was already used for a post in another thread."))
        return existing
    body = validate.body(body)
    language = choose_language(language)
    anonymous = validate.flag(anonymous, "anonymous")
    if anonymous:
        guardian.ensure_post_anonymously(thread.topic)
    parent = None
    reply_to_id = validate.optional_id(reply_to, "reply_to")
    if reply_to_id is not None:
        parent = db.session.get(Post, reply_to_id)
        if parent is None or parent.thread_id != thread.id or not guardian.can_see_post(parent):
            raise Invalid(_("The post you are replying to is not in this thread."), field="reply_to")
    screen_post(actor, thread.topic, guardian)
    ratelimit.hit("post", actor.id, tier=ratelimit.tier_for(actor))
    body, held_by_words = watched_words(thread.topic, body)
    html = render_post(body)
    state = "held" if held_by_words and not guardian.is_moderator(thread.topic) else \
        initial_state(actor, thread.topic, guardian)
    try:
        post = new_post(actor, thread, body, html, reply_to=parent, anonymous=anonymous,
                        client_id=client_id, state=state, language=language)
    except IntegrityError:
        # The same client_id raced in from another connection: return the first post.
        db.session.rollback()
        existing = _existing_for_client_id(actor, client_id)
        if existing is None:
            raise
        return existing
    attach_uploads(actor, post, attachments)
    auto_watch_thread(actor, thread)  # replying watches the thread (a mute chosen before is kept)
    if state == "visible":
        announce_visible_post(post)
    else:
        queue_for_review(post, "watched word" if held_by_words else "held")
    events.commit()
    return post


def edit_post(actor: User, post: Post, body, reason="") -> Post:
    guardian = Guardian(actor)
    guardian.ensure_edit_post(post)
    body = validate.body(body)
    reason = validate.text(reason, "reason", label=_l("The reason"), max_chars=500, min_chars=0)
    body, held_by_words = watched_words(post.thread.topic, body)
    if body == post.body:
        return post
    ratelimit.hit("edit", actor.id, tier=ratelimit.tier_for(actor))
    html = render_post(body)
    before = post.body
    db.session.add(PostRevision(post=post, editor_id=actor.id, body=before, reason=reason))
    post.body = body
    post.html = html
    post.edited_at = utcnow()
    if post.language is None:  # too short to tell before, perhaps not now
        post.language = detect_language(body)
    if post.author_id != actor.id:
        from .moderation import audit
        audit(actor, "edit_post", "post", post.id, topic=post.thread.topic, target_user=post.author,
              reason=reason, before={"body": before}, after={"body": body})
    moderator = guardian.is_moderator(post.thread.topic)
    if post.is_rejected and post.author_id == actor.id:
        # A rejected post, edited by its author, goes back to the moderators.
        post.state, post.state_reason = "held", ""
        queue_for_review(post, "resubmitted")
    elif held_by_words and not moderator and post.state == "visible":
        post.state, post.state_reason = "held", "Held for review after an edit."
        refresh_thread_counts(post.thread)
        events.queue_event(f"thread:{post.thread_id}", "post.hidden",
                           {"room": f"thread:{post.thread_id}", "post_id": post.id, "thread_id": post.thread_id})
        queue_for_review(post, "watched word")
    elif post.state == "visible":
        events.queue_event(f"thread:{post.thread_id}", "post.updated", room_post_event(post))
    events.commit()
    return post


def delete_post(actor: User, post: Post, reason="") -> Post:
    guardian = Guardian(actor)
    guardian.ensure_delete_post(post)
    reason = validate.text(reason, "reason", label=_l("The reason"), max_chars=500, min_chars=0)
    was = post.state
    flagged = db.session.scalar(select(Flag.id).where(Flag.post_id == post.id, Flag.status == "open")
                                .limit(1)) is not None
    post.deleted_from = was
    post.state = "deleted"
    post.state_reason = reason or ("Deleted by the author" if post.author_id == actor.id else "Deleted by a moderator")
    if post.author_id != actor.id:
        from .moderation import _close_flags, audit
        audit(actor, "delete_post", "post", post.id, topic=post.thread.topic, target_user=post.author,
              reason=reason, before={"state": was}, after={"state": "deleted"})
        _close_flags(post, "upheld")  # the flaggers learn the outcome
    if was == "held" or flagged:
        # It leaves the review queue: moderators' open queues mark it handled.
        slug = post.thread.topic.slug
        events.queue_event(f"mods:{slug}", "moderation.queue", {
            "room": f"mods:{slug}", "change": "handled", "action": "delete", "by": actor.name,
            "post": post_payload(post, for_moderators=True)})
    refresh_thread_counts(post.thread)
    unaccepted = post.thread.accepted_post_id == post.id
    if unaccepted:
        post.thread.accepted_post_id = None
    if was == "visible":
        events.queue_event(f"thread:{post.thread_id}", "post.deleted",
                           {"room": f"thread:{post.thread_id}", "post_id": post.id,
                            "thread_id": post.thread_id})
    if unaccepted:  # readers' "answered" badges must not point at a deleted post
        from .threads import queue_thread_updated
        queue_thread_updated(post.thread, {"change": "accepted", "accepted_post_id": None})
    events.commit()
    return post


def restore_post(actor: User, post: Post, reason="") -> Post:
    guardian = Guardian(actor)
    guardian.ensure_restore_post(post)
    target = post.deleted_from or "visible"
    if target == "deleted":
        target = "visible"
    post.state = target
    post.deleted_from = None
    post.state_reason = ""
    if post.author_id != actor.id:
        from .moderation import audit
        audit(actor, "undelete_post", "post", post.id, topic=post.thread.topic, target_user=post.author,
              reason=reason, before={"state": "deleted"}, after={"state": target})
    refresh_thread_counts(post.thread)
    if target == "visible":
        events.queue_event(f"thread:{post.thread_id}", "post.restored", room_post_event(post))
    elif target == "held":
        queue_for_review(post, "restored")  # back in the review queue it left when deleted
    events.commit()
    return post


def flag_post(actor: User, post: Post, reason, note="") -> Flag:
    guardian = Guardian(actor)
    guardian.ensure_flag(post)
    reason = validate.choice(reason, "reason", list(FLAG_REASONS), _l("The reason"))
    note = validate.text(note, "note", label=_l("The note"), max_chars=500, min_chars=1 if reason == "other" else 0)
    if db.session.scalar(select(Flag.id).where(Flag.post_id == post.id, Flag.user_id == actor.id)):
        raise Conflict(_("You have already flagged this post. A moderator will look at it."))
    ratelimit.hit("flag", actor.id, tier=ratelimit.tier_for(actor))
    flag = Flag(post=post, user=actor, reason=reason, note=note)
    db.session.add(flag)
    db.session.flush()
    open_flags = db.session.scalar(
        select(func.count(func.distinct(Flag.user_id))).where(Flag.post_id == post.id, Flag.status == "open")
    ) or 0
    threshold = current_app.config["FLAGS_TO_HIDE"]
    hidden = open_flags >= threshold and post.state == "visible"
    if hidden:
        post.state = "hidden"
        post.state_reason = f"Hidden after {open_flags} flags, awaiting a moderator."
        refresh_thread_counts(post.thread)
        events.queue_event(f"thread:{post.thread_id}", "post.hidden",
                           {"room": f"thread:{post.thread_id}", "post_id": post.id,
                            "thread_id": post.thread_id})
    slug = post.thread.topic.slug
    events.queue_event(f"mods:{slug}", "moderation.queue", {
        "room": f"mods:{slug}", "change": "flagged", "flags": open_flags, "hidden": hidden,
        "post": post_payload(post, for_moderators=True), "thread": thread_payload(post.thread),
    })
    events.commit()
    return flag


def get_post(post_id) -> Post:
    post_id = validate.as_id(post_id) if isinstance(post_id, int) else None  # ints only: "1" is no id here
    post = db.session.get(Post, post_id) if post_id is not None else None
    if post is None:
        raise NotFound(not_found_message("Post"))
    return post
