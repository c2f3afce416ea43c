"""Moderation: post and thread actions by a topic's moderators, and the audit log."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import events, notices
from ..errors import Conflict, Invalid
from ..events import action
from ..extensions import db
from ..models import Flag, ModerationAction, Post, Thread, Topic, TopicModerator, User, utcnow
from ..payloads import post_payload, room_post_event, thread_payload
from ..permissions import Guardian
from . import validate
from .announce import announce_new_thread, announce_visible_post, queue_thread_updated, refresh_thread_counts
from .audit import audit, first_come, handled_by, post_state_word
from .notifications import notify
from .post_review import close_open_appeals, queue_post_state, queue_thread_approved
from .posts import close_flags
from .thread_changes import after_duplicate, after_merge

POST_ACTIONS = ("approve", "reject", "hide", "restore")
PREVIOUS_RECORD = 10  # hidden/rejected posts listed (by date) on an anonymous post's card
THREAD_ACTIONS = ("lock", "unlock", "pin", "unpin", "move", "duplicate", "merge", "split")


@action
def reveal_author(actor: User, target, reason) -> User:
    """Show `actor` (a moderator of the topic, or an administrator) who wrote an anonymous
    post or live question. A deliberate act with a reason, recorded in the audit log: who
    revealed whom, when and why. From then on that one post or question names its author to
    `actor` (and to nobody else) in pages and API answers; its author can see in their
    settings when their anonymous posts were revealed (not by whom). Everyone else is told
    the post "does not exist" (NotFound), like anything out of their sight."""
    guardian = Guardian(actor)
    guardian.ensure_reveal_identity(target)
    reason = validate.text(reason, "reason", label=_l("The reason"), max_chars=500, min_chars=5)
    if not target.anonymous:
        return target.author  # nothing hidden: nothing to log
    kind = "live_question" if hasattr(target, "session_id") else "post"
    topic = target.session.topic if kind == "live_question" else target.thread.topic
    audit(actor, "reveal_author", kind, target.id, topic=topic, target_user=target.author, reason=reason,
          anonymous=True)
    return target.author


def reveals(*, before: int | None = None, limit: int = 50) -> list[ModerationAction]:
    """Every reveal, newest first (the administrators' list; the caller checks who asks)."""
    stmt = select(ModerationAction).where(ModerationAction.action == "reveal_author")
    if before is not None:
        stmt = stmt.where(ModerationAction.id < before)
    return list(db.session.scalars(stmt.order_by(ModerationAction.id.desc()).limit(limit)))


def reveals_of(user: User) -> list[ModerationAction]:
    """When `user`'s anonymous posts and questions were revealed, newest first (for their settings:
    the rows name the revealer too, which the settings page does not show)."""
    return list(db.session.scalars(
        select(ModerationAction).where(ModerationAction.action == "reveal_author",
                                       ModerationAction.target_user_id == user.id)
        .order_by(ModerationAction.id.desc())))


def author_record(post: Post) -> dict:
    """What a moderator needs to know of an anonymous post's author without knowing who it is:
    how many of their posts in the topic were hidden and rejected, and when (newest first)."""
    rows = db.session.execute(
        select(Post.state_cause, Post.created_at).join(Thread, Post.thread_id == Thread.id)
        .where(Thread.topic_id == post.thread.topic_id, Post.author_id == post.author_id, Post.id != post.id,
               Post.state == "hidden")
        .order_by(Post.id.desc())).all()
    entries = [{"rejected": cause == "rejected", "at": at} for cause, at in rows]
    return {"hidden": sum(not e["rejected"] for e in entries), "rejected": sum(e["rejected"] for e in entries),
            "recent": entries[:PREVIOUS_RECORD]}


@first_come("post")
@action
def moderate_post(actor: User, post: Post, action, reason="") -> Post:
    topic = post.thread.topic
    Guardian(actor).ensure_moderate(topic)
    action = validate.choice(action, "action", POST_ACTIONS, _l("The action"))
    reason = validate.reason(reason)
    before = post.state
    thread = post.thread
    room = f"thread:{thread.id}"
    if action == "approve":
        # Approving a visible post that has open flags keeps it and dismisses the flags
        # (otherwise a flag judged unfounded could never leave the review queue).
        flagged = before == "visible" and db.session.scalar(
            select(Flag.id).where(Flag.post_id == post.id, Flag.status == "open").limit(1)) is not None
        if before not in ("held", "hidden") and not flagged:
            raise Conflict(_("This post is already %(state)s; nothing to approve%(handled)s.",
                             state=post_state_word(before), handled=handled_by("post", post.id)))
        close_flags(post, "dismissed")
        if flagged:
            pass  # readers already see it; only the flags change
        else:
            reinstate(post)
            notify(post.author, verb="post_approved", data={"thread": notices.thread_ref(thread)},
                   url=f"/threads/{thread.id}#post-{post.id}", thread=thread, post=post)
    elif action in ("reject", "hide"):
        # A post hidden by flags awaits a moderator: "hide" confirms it (upholding the flags).
        flag_hidden = before == "hidden" and action == "hide" and db.session.scalar(
            select(Flag.id).where(Flag.post_id == post.id, Flag.status == "open").limit(1)) is not None
        if before == "hidden" and not flag_hidden:
            raise Conflict(_("This post is already hidden%(handled)s.", handled=handled_by("post", post.id)))
        if before == "deleted":
            raise Conflict(_("This post is deleted%(handled)s.", handled=handled_by("post", post.id)))
        if action == "reject" and before != "held":
            raise Invalid(_("Only held posts can be rejected; hide a visible post instead."), field="action")
        if not reason:
            raise Invalid(_("Give the author a reason."), field="reason")
        post.set_state("hidden", "rejected" if action == "reject" else "moderator", reason)
        close_flags(post, "upheld")
        refresh_thread_counts(thread)
        if before == "visible":
            events.queue_event(room, "post.hidden", {"room": room, "post_id": post.id, "thread_id": thread.id})
        notify(post.author, verb="post_rejected" if action == "reject" else "post_hidden",
               data={"thread": notices.thread_ref(thread), "reason": reason},
               url=f"/threads/{thread.id}#post-{post.id}", thread=thread, post=post)
    elif action == "restore":
        if before not in ("hidden", "deleted"):
            raise Conflict(_("This post is %(state)s; nothing to restore%(handled)s.",
                             state=post_state_word(before), handled=handled_by("post", post.id)))
        post.set_state("visible")
        post.deleted_from = None
        # Restoring is deciding the post stays: open flags are dismissed (and their
        # flaggers told), or the post would sit in the review queue forever.
        close_flags(post, "dismissed")
        refresh_thread_counts(thread)
        events.queue_event(room, "post.restored", room_post_event(post))
    audit(actor, f"{action}_post", "post", post.id, topic=topic, target_user=post.author, reason=reason,
          before={"state": before}, after={"state": post.state})
    close_open_appeals(post)  # a decision taken outside the appeal settles it
    queue_post_state(post)
    events.queue_event(f"mods:{topic.slug}", "moderation.queue", {
        "room": f"mods:{topic.slug}", "change": "handled", "action": action,
        "by": actor.name, "post": post_payload(post, for_moderators=True),
    })
    db.session.flush()  # a concurrent moderator's change surfaces here, inside _first_come
    return post


def reinstate(post: Post) -> None:
    """Make a held or hidden post visible (approved, or its appeal overturned the decision):
    a held thread's opening post brings its thread out; readers hear of it either way."""
    thread = post.thread
    before = post.state
    post.set_state("visible")
    if post.is_opening and thread.state == "held":
        thread.state = "visible"
        announce_new_thread(thread, post)
        queue_thread_approved(thread)
    elif before == "held":
        announce_visible_post(post)
    else:
        refresh_thread_counts(thread)
        events.queue_event(f"thread:{thread.id}", "post.restored", room_post_event(post))


@first_come("thread")
@action
def moderate_thread(actor: User, thread: Thread, action, reason="", topic_slug=None, *,
                    target=None, post_ids=None, title=None) -> Thread:
    """lock/unlock/pin/unpin/move, and duplicate/merge (into `target`) or split (`post_ids`, `title`).

    Returns the thread acted on (for merge: the target; for split: the new thread).
    """
    guardian = Guardian(actor)
    guardian.ensure_moderate(thread.topic)
    action = validate.choice(action, "action", THREAD_ACTIONS, _l("The action"))
    if action == "duplicate":
        return close_as_duplicate(actor, thread, target, reason)
    if action == "merge":
        return merge_threads(actor, thread, target, reason)
    if action == "split":
        return split_thread(actor, thread, post_ids, title, reason)
    reason = validate.reason(reason)
    before = {"locked": thread.locked, "pinned": thread.pinned, "topic": thread.topic.slug}
    old_slug = None
    if action in ("lock", "unlock"):
        thread.locked = action == "lock"
    elif action in ("pin", "unpin"):
        thread.pinned = action == "pin"
    else:
        target = _destination_topic(guardian, topic_slug)
        if target.id == thread.topic_id:
            raise Invalid(_("The thread is already in that topic."), field="topic")
        old_slug = thread.topic.slug
        thread.topic = target
        thread.topic_id = target.id
    after = {"locked": thread.locked, "pinned": thread.pinned, "topic": thread.topic.slug}
    if before == after:
        handled = handled_by("thread", thread.id)
        if action in ("lock", "unlock"):
            message = (_("This thread is already locked%(handled)s.", handled=handled) if thread.locked else
                       _("This thread is already unlocked%(handled)s.", handled=handled))
        else:
            message = (_("This thread is already pinned%(handled)s.", handled=handled) if thread.pinned else
                       _("This thread is already unpinned%(handled)s.", handled=handled))
        raise Conflict(message)
    audit(actor, f"{action}_thread", "thread", thread.id, topic=thread.topic, target_user=thread.author,
          reason=reason, before=before, after=after)
    if old_slug:
        # The old topic's readers may not read the new one: they learn the thread left,
        # not where it went; its room's sockets that lost access leave before the rest hear it.
        # Those who stay (and the author) learn where it is now: open pages change their breadcrumb.
        queue_thread_updated(thread, {"change": action, "topic_name": thread.topic.name})
        room = f"topic:{old_slug}"
        events.queue_event(room, "thread.removed", {"room": room, "thread_id": thread.id, "change": "moved"})
        events.queue_control("recheck_room", room=f"thread:{thread.id}")
    else:
        queue_thread_updated(thread, {"change": action})
    db.session.flush()  # a concurrent moderator's change surfaces here, inside _first_come
    return thread


@action
def assign_moderator(actor: User | None, topic: Topic, user: User) -> None:
    """Make `user` a moderator of `topic` (actor None: the command line)."""
    if actor is not None:
        Guardian(actor).ensure_admin()
    if db.session.get(TopicModerator, (topic.id, user.id)) is not None:
        return
    db.session.add(TopicModerator(topic_id=topic.id, user_id=user.id))
    if actor is not None:
        audit(actor, "assign_moderator", "topic", topic.id, topic=topic, target_user=user)


@action
def remove_moderator(actor: User, topic: Topic, user: User) -> None:
    Guardian(actor).ensure_admin()
    link = db.session.get(TopicModerator, (topic.id, user.id))
    if link is None:
        raise Conflict(_("%(name)s is not a moderator of %(topic)s.", name=user.name, topic=topic.name))
    db.session.delete(link)
    audit(actor, "remove_moderator", "topic", topic.id, topic=topic, target_user=user)
    # Their open sockets must stop hearing the moderators' room and any room of the topic
    # they could only read as its moderator.
    events.queue_control("recheck_topic", topic_id=topic.id)


def held_and_flagged(topic: Topic) -> list[Post]:
    """The review queue of a topic: held posts and posts with open flags, oldest first."""
    flagged = select(Flag.post_id).where(Flag.status == "open")
    return list(db.session.scalars(
        select(Post).join(Thread, Post.thread_id == Thread.id)
        .where(Thread.topic_id == topic.id)
        # A deleted post needs no review (readers cannot see it), even with flags left open.
        .where((Post.state == "held") | (Post.id.in_(flagged) & (Post.state != "deleted")))
        .order_by(Post.id)
    ))


# --- watched words and silences --------------------------------------------------------
# --- who handled it first ----------------------------------------------------------------
# --- merge, split, duplicate ------------------------------------------------------------
def _destination_topic(guardian: Guardian, slug) -> Topic:
    """The topic a thread moves to: one the actor moderates. A topic that does not exist and
    one they may not moderate (perhaps not even read) get the same answer."""
    topic = db.session.scalar(select(Topic).where(Topic.slug == slug)) if isinstance(slug, str) else None
    if topic is None or not guardian.can_moderate(topic):
        raise Invalid(_("Choose a topic you moderate."), field="topic")
    return topic


def _target_thread(actor: User, thread_id, field: str = "target") -> Thread:
    target_id = validate.optional_id(thread_id, field)
    if target_id is None:
        raise Invalid(_("Choose the other thread (its number)."), field=field)
    target = db.session.get(Thread, target_id)
    if target is None or not Guardian(actor).can_moderate(target.topic):
        # Missing, or in a topic the actor does not moderate: one answer, which says neither.
        raise Invalid(_("There is no thread %(id)s among the topics you moderate.", id=target_id), field=field)
    if target.state == "merged":
        # Its posts live in another thread now: pointing or merging here would hide them again.
        raise Invalid(_("Thread %(id)s was merged into thread %(target)s; choose that one.", id=target.id,
                        target=target.merged_into_id), field=field)
    return target


@first_come("thread")
@action
def close_as_duplicate(actor: User, thread: Thread, target_id, reason="") -> Thread:
    Guardian(actor).ensure_moderate(thread.topic)
    target = _target_thread(actor, target_id)
    if target.id == thread.id:
        raise Invalid(_("A thread cannot duplicate itself."), field="target")
    if thread.duplicate_of_id is not None:
        raise Conflict(_("This thread is already closed as a duplicate%(handled)s.",
                         handled=handled_by("thread", thread.id)))
    reason = validate.reason(reason)
    thread.duplicate_of_id = target.id
    thread.locked = True
    audit(actor, "duplicate_thread", "thread", thread.id, topic=thread.topic, target_user=thread.author,
          reason=reason, before={"duplicate_of": None}, after={"duplicate_of": target.id})
    queue_thread_updated(thread, {"change": "duplicate", "duplicate_of": target.id})
    after_duplicate(actor, thread, target, reason)
    db.session.flush()
    return thread


@first_come("thread")
@action
def merge_threads(actor: User, thread: Thread, target_id, reason="") -> Thread:
    """Move every post of `thread` into the target thread; `thread` then points to it."""
    Guardian(actor).ensure_moderate(thread.topic)
    target = _target_thread(actor, target_id)
    if target.id == thread.id:
        raise Invalid(_("A thread cannot be merged into itself."), field="target")
    if thread.state == "merged":
        raise Conflict(_("This thread was already merged%(handled)s.", handled=handled_by("thread", thread.id)))
    reason = validate.reason(reason)
    posts = list(db.session.scalars(select(Post).where(Post.thread_id == thread.id).order_by(Post.id)))
    for post in posts:
        post.thread = target
        post.thread_id = target.id
        post.is_opening = False
    thread.state = "merged"
    thread.merged_into_id = target.id
    thread.locked = True
    db.session.flush()
    refresh_thread_counts(target)
    refresh_thread_counts(thread)
    target.last_activity_at = utcnow()
    audit(actor, "merge_thread", "thread", thread.id, topic=thread.topic, target_user=thread.author,
          reason=reason, before={"thread": thread.id}, after={"merged_into": target.id, "posts": [p.id for p in posts]})
    # Open pages of the old thread go to the merged posts (the old address redirects there).
    queue_thread_updated(thread, {"change": "merged", "merged_into": target.id,
                                  "post_ids": [p.id for p in posts if p.state == "visible"]})
    after_merge(actor, thread, target, posts, reason)
    for post in posts:
        if post.state == "visible":
            events.queue_event(f"thread:{target.id}", "post.created", room_post_event(post))
    queue_thread_updated(target, {"change": "activity"})
    return target


@first_come("thread")
@action
def split_thread(actor: User, thread: Thread, post_ids, title, reason="") -> Thread:
    """Move chosen replies into a new thread in the same topic; the first becomes its opening post."""
    Guardian(actor).ensure_moderate(thread.topic)
    if not isinstance(post_ids, list) or not post_ids:
        raise Invalid(_("Choose the posts to split off."), field="post_ids")
    ids = [validate.optional_id(i, "post_ids") for i in post_ids]
    title = validate.title(title)
    reason = validate.reason(reason)
    posts = list(db.session.scalars(select(Post).where(Post.id.in_(ids)).order_by(Post.id)))
    if len(posts) != len(set(ids)) or any(p.thread_id != thread.id for p in posts):
        raise Invalid(_("Every chosen post must be a reply in this thread."), field="post_ids")
    if any(p.is_opening for p in posts):
        raise Invalid(_("The opening post cannot be split off."), field="post_ids")
    first = posts[0]
    new = Thread(topic=thread.topic, kind="discussion", title=title, author=first.author,
                 anonymous=first.anonymous, state="visible")
    db.session.add(new)
    db.session.flush()
    moved = {p.id for p in posts}
    for post in posts:
        post.thread = new
        post.thread_id = new.id
        if post.reply_to_id not in moved:
            post.reply_to_id = None
    first.is_opening = True
    first.reply_to_id = None
    # Replies left behind that answered a moved post keep their text; they lose the link.
    for orphan in db.session.scalars(select(Post).where(Post.thread_id == thread.id, Post.reply_to_id.in_(moved))):
        orphan.reply_to_id = None
    if thread.accepted_post_id in moved:
        thread.accepted_post_id = None
    db.session.flush()
    refresh_thread_counts(thread)
    refresh_thread_counts(new)
    audit(actor, "split_thread", "thread", thread.id, topic=thread.topic, reason=reason,
          before={"thread": thread.id}, after={"new_thread": new.id, "posts": sorted(moved)})
    for post in posts:
        events.queue_event(f"thread:{thread.id}", "post.deleted",
                           {"room": f"thread:{thread.id}", "post_id": post.id, "thread_id": thread.id,
                            "moved_to": new.id})
    # Announced like a new thread, without notify_about(): the moved posts' replies and
    # mentions were notified when they were first written.
    new.last_activity_at = utcnow()
    events.queue_event(f"topic:{new.topic.slug}", "thread.created",
                       {"room": f"topic:{new.topic.slug}", "thread": thread_payload(new)})
    queue_thread_updated(thread, {"change": "split", "new_thread": new.id})
    return new
