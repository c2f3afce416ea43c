"""Thread changes that must lead somewhere: where a merged thread's readers land, what follows a
merge or a close-as-duplicate (watchers carried over, authors and watchers told with the
moderator's reason), and renaming a thread.

actions.moderation does the merge and the duplicate itself and calls `after_merge` /
`after_duplicate` in the same unit of work.
"""
from __future__ import annotations

from sqlalchemy import select, update

from .. import notices
from ..errors import NotFound
from ..events import action
from ..extensions import db
from ..models import ModerationAction, Post, Thread, ThreadWatch, User
from ..permissions import Guardian, not_found_message
from . import validate
from .announce import queue_thread_updated
from .audit import audit
from .notifications import notify

MAX_HOPS = 10  # merged into a thread later merged again...: followed this far at most


# --- where a merged thread leads ----------------------------------------------------------------
def merge_target(thread: Thread) -> Thread | None:
    """The thread whose posts `thread`'s are now (following later merges), or None."""
    target, hops = thread, 0
    while target is not None and target.state == "merged" and target.merged_into_id and hops < MAX_HOPS:
        target = db.session.get(Thread, target.merged_into_id)
        hops += 1
    return target if target is not None and target is not thread and target.state != "merged" else None


def merged_post_ids(thread: Thread, guardian: Guardian) -> list[int]:
    """The posts that came from `thread` (the merge's audit row lists them) which `guardian` may
    see where they are now, oldest first."""
    rows = db.session.scalars(select(ModerationAction.after).where(
        ModerationAction.target_type == "thread", ModerationAction.target_id == thread.id,
        ModerationAction.action == "merge_thread").order_by(ModerationAction.id.desc()).limit(1))
    after = next(iter(rows), None) or {}
    ids = [i for i in after.get("posts", []) if isinstance(i, int)]
    if not ids:
        return []
    posts = db.session.scalars(select(Post).where(Post.id.in_(ids)).order_by(Post.id))
    return [p.id for p in posts if guardian.can_see_post(p)]


def landing(thread: Thread, guardian: Guardian) -> tuple[Thread, Post | None]:
    """Where a reader of merged `thread` is sent: the target and the first merged post they may
    see there. NotFound (the thread's) when they may not read both."""
    target = merge_target(thread)
    if target is None:
        raise NotFound(not_found_message("Thread"))
    guardian.ensure_follow_merged(thread, target)
    first = next(iter(merged_post_ids(thread, guardian)), None)
    return target, db.session.get(Post, first) if first is not None else None


def _last_audit(thread: Thread, action: str):
    return db.session.scalar(select(ModerationAction).where(
        ModerationAction.target_type == "thread", ModerationAction.target_id == thread.id,
        ModerationAction.action == action).order_by(ModerationAction.id.desc()).limit(1))


def merge_notice(thread: Thread, merged_from, guardian: Guardian) -> dict | None:
    """For the target's page reached from a merged thread's old address (?merged_from=<id>):
    {"source": the old thread, "reason": the moderator's}, or None when that is not so or not
    for this reader."""
    source_id = validate.as_id(merged_from)
    source = db.session.get(Thread, source_id) if source_id is not None else None
    if source is None or source.state != "merged" or merge_target(source) is not thread:
        return None
    if not guardian.can_follow_merged(source, thread):
        return None
    row = _last_audit(source, "merge_thread")
    return {"source": source, "reason": row.reason if row is not None else ""}


def duplicate_notice(thread: Thread, guardian: Guardian) -> dict | None:
    """For a thread closed as a duplicate: {"target": the original (None when this reader may not
    read it), "reason": the moderator's}."""
    if thread.duplicate_of_id is None:
        return None
    target = db.session.get(Thread, thread.duplicate_of_id)
    if target is not None and target.state == "merged":
        target = merge_target(target)
    row = _last_audit(thread, "duplicate_thread")
    return {"target": target if target is not None and guardian.can_read_thread(target) else None,
            "reason": row.reason if row is not None else ""}


# --- after a merge or a duplicate ----------------------------------------------------------------
def after_merge(actor: User, thread: Thread, target: Thread, posts: list[Post], reason: str) -> None:
    """`thread` was merged into `target`: threads that pointed at it point at `target`; its
    watchers watch `target`; its author, its posts' authors and its watchers are told why."""
    db.session.execute(update(Thread).where(Thread.merged_into_id == thread.id)
                       .values(merged_into_id=target.id).execution_options(synchronize_session=False))
    db.session.execute(update(Thread).where(Thread.duplicate_of_id == thread.id)
                       .values(duplicate_of_id=target.id).execution_options(synchronize_session=False))
    watchers = list(db.session.scalars(select(ThreadWatch).where(ThreadWatch.thread_id == thread.id)))
    already = set(db.session.scalars(select(ThreadWatch.user_id).where(ThreadWatch.thread_id == target.id)))
    for watch in watchers:
        if watch.user_id not in already:
            db.session.add(ThreadWatch(user_id=watch.user_id, thread_id=target.id, level=watch.level))
    data = {"thread": notices.thread_ref(thread), "target": notices.thread_ref(target), "reason": reason}
    people = [thread.author, *(p.author for p in posts), *(w.user for w in watchers if w.level == "watching")]
    # The old address leads on to the merged posts (views and the API redirect it).
    _tell(actor, people, "thread_merged", data, url=f"/threads/{thread.id}", thread=target)


def after_duplicate(actor: User, thread: Thread, target: Thread, reason: str) -> None:
    """`thread` was closed as a duplicate of `target`: its author and watchers are told why."""
    watchers = db.session.scalars(select(ThreadWatch).where(ThreadWatch.thread_id == thread.id,
                                                           ThreadWatch.level == "watching"))
    data = {"thread": notices.thread_ref(thread), "target": notices.thread_ref(target), "reason": reason}
    _tell(actor, [thread.author, *(w.user for w in watchers)], "thread_duplicate", data,
          url=f"/threads/{thread.id}", thread=thread)


def _tell(actor: User, people, verb: str, data: dict, *, url: str, thread: Thread) -> None:
    told = {actor.id}
    for person in people:
        if person is None or person.id in told or person.state != "active":
            continue
        told.add(person.id)
        notify(person, verb=verb, data=data, url=url, thread=thread)


# --- renaming --------------------------------------------------------------------------------------
@action
def rename_thread(actor: User, thread: Thread, title, reason="") -> Thread:
    """A new title, by the thread's author or a moderator of its topic (audited when it is not the
    author). Open pages follow: thread.updated (change "renamed") to the thread's room, its
    topic's room and its author's own room."""
    guardian = Guardian(actor)
    guardian.ensure_rename_thread(thread)
    title = validate.title(title)
    reason = validate.reason(reason)
    if title == thread.title:
        return thread
    before = thread.title
    thread.title = title
    thread.title_kind = None  # a person's own words now: no longer worded by the site (titles.py)
    if actor.id != thread.author_id:
        audit(actor, "rename_thread", "thread", thread.id, topic=thread.topic, target_user=thread.author,
              reason=reason, before={"title": before}, after={"title": title})
    queue_thread_updated(thread, {"change": "renamed", "title": title})
    db.session.flush()
    return thread
