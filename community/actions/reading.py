"""Read state: how far a user has read each thread, marking topics (or everything) read, and
the unread and new counts that lists show.

One row per user and thread (models/reading.py), moved forward only. A thread's unread
posts are its visible posts above the user's mark written by someone else (held, hidden
and deleted posts never count, nor one's own). A thread never opened, started by someone
else in the last READ_NEW_DAYS days and not under a "mark all read", is "new".

Every count serves a whole list in a constant number of queries, never one per row.
Changes are told to the user's other tabs with `read.updated` in their own room.

Known limit: the mark is a post id, so a post held for review and approved after the user
read past it does not come back as unread.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from .. import events, ratelimit
from ..caching import Kept
from ..errors import Invalid
from ..events import action
from ..extensions import db
from ..models import Post, Thread, ThreadRead, Topic, TopicRead, User, utcnow
from ..permissions import Guardian
from . import validate

DEFAULT_NEW_DAYS = 14


@dataclass(frozen=True)
class ReadState:
    """Where one user stands in one thread."""

    tracked: bool  # opened before (a row), or under a topic's "mark all read"
    last_read_post_id: int  # 0 when nothing is read
    unread: int | None  # visible posts of others above the mark (0 for a thread never opened; None: not counted)
    new: bool  # never opened, recent, by someone else

    def as_dict(self) -> dict:
        return {"last_read_post_id": self.last_read_post_id or None, "unread": self.unread, "new": self.new}


NOTHING_READ = ReadState(tracked=False, last_read_post_id=0, unread=0, new=False)


def new_since() -> datetime:
    """Threads created before this are never "new" (READ_NEW_DAYS, default 14)."""
    days = current_app.config.get("READ_NEW_DAYS", DEFAULT_NEW_DAYS)
    return utcnow() - timedelta(days=days)


def _insert(model):
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model.__table__)


def _greatest(a, b):
    """The larger of two values in SQL (SQLite's two-argument max(), PostgreSQL's greatest())."""
    return (func.greatest if db.session.get_bind().dialect.name == "postgresql" else func.max)(a, b)


def _unread_post(user_id: int, mark, watermark):
    """Conditions on Post for "unread by this user above `mark`" (columns or values). One range
    on the id, so each thread's unread posts are one range of post(thread_id, state, id, author_id)."""
    return and_(Post.state == "visible", Post.author_id != user_id,
                Post.id > _greatest(func.coalesce(mark, 0), func.coalesce(watermark, 0)))


def _topic_mark(user_id: int):
    """The user's TopicRead joined on a thread's topic (outer join condition)."""
    return and_(TopicRead.topic_id == Thread.topic_id, TopicRead.user_id == user_id)


# --- reading one thread -----------------------------------------------------------------------
def state_of(user: User, thread: Thread, *, count: bool = True) -> ReadState:
    """The user's read state in one thread: two look-ups by key and, when tracked and `count`,
    one count from the index (without `count`, `unread` is None: not counted)."""
    row = db.session.get(ThreadRead, (user.id, thread.id))
    topic_row = db.session.get(TopicRead, (user.id, thread.topic_id))
    watermark = topic_row.last_read_post_id if topic_row is not None else 0
    if row is None:
        marked_at = topic_row.marked_at if topic_row is not None else None
        new = (thread.author_id != user.id and thread.state == "visible" and thread.created_at >= new_since()
               and (marked_at is None or thread.created_at > marked_at))
        return ReadState(tracked=topic_row is not None and not new, last_read_post_id=watermark, unread=0, new=new)
    mark = max(row.last_read_post_id, watermark)
    unread = None
    if count:
        unread = db.session.scalar(select(func.count(Post.id)).where(
            Post.thread_id == thread.id, _unread_post(user.id, mark, 0))) or 0
    return ReadState(tracked=True, last_read_post_id=mark, unread=unread, new=False)


def first_unread_post_id(user: User, thread: Thread, state: ReadState) -> int | None:
    """The first post the user has not read in a thread they opened before (None: none, or
    a thread never opened: that one starts at the top)."""
    if not state.tracked or state.unread == 0:
        return None
    return db.session.scalar(select(func.min(Post.id)).where(
        Post.thread_id == thread.id, _unread_post(user.id, state.last_read_post_id, 0)))


def _advance(user: User, thread: Thread, post_id: int) -> bool:
    """Move the user's mark in `thread` up to `post_id`, never back; True when it moved.
    One INSERT ... ON CONFLICT DO UPDATE ... WHERE: two tabs racing cannot move it back."""
    table = ThreadRead.__table__
    now = utcnow()
    stmt = _insert(ThreadRead).values(user_id=user.id, thread_id=thread.id, last_read_post_id=post_id,
                                      updated_at=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.user_id, table.c.thread_id],
        set_={"last_read_post_id": post_id, "updated_at": now},
        where=table.c.last_read_post_id < post_id)
    return (db.session.execute(stmt).rowcount or 0) > 0


def _announce(user: User, thread: Thread) -> None:
    state = state_of(user, thread)
    room = f"user:{user.id}"
    events.queue_event(room, "read.updated", {
        "room": room, "thread_id": thread.id, "topic": thread.topic.slug,
        "last_read_post_id": state.last_read_post_id or None, "unread": state.unread})


@action
def mark_read(actor: User, thread: Thread, post_id) -> ReadState:
    """The user has read `thread` up to `post_id` (a post of that thread). Only moves forward: an
    older post_id changes nothing and answers the current state. A post they can no longer see
    (hidden while their page was open) marks up to the last one before it they may see."""
    guardian = Guardian(actor)
    guardian.ensure_read_thread(thread)
    wanted = validate.optional_id(post_id, "post_id")
    post = db.session.get(Post, wanted) if wanted is not None else None
    if post is None or post.thread_id != thread.id:
        raise Invalid(_("Say which post of this thread you have read (post_id)."), field="post_id")
    ratelimit.hit("read", actor.id)
    upto = post.id
    if not guardian.can_see_post(post):
        # Hidden (or held, deleted) since the reader's page showed it: they read up to it, so the
        # mark goes to the last post before it they may still see (none: nothing moves).
        upto = db.session.scalar(guardian.visible_posts(select(func.max(Post.id)), thread).where(Post.id <= post.id))
    if upto and _advance(actor, thread, upto):
        _announce(actor, thread)
    return state_of(actor, thread)


def shown_moves_mark(user: User | None, thread: Thread, post_ids) -> bool:
    """Whether showing these posts would move the user's mark in `thread` (record_shown writes):
    asked first, so that re-reading a page opens no unit of work (whose commit expires every
    object the page loaded)."""
    top = max((pid for pid in post_ids if pid), default=None)
    if top is None or user is None:
        return False
    row = db.session.get(ThreadRead, (user.id, thread.id))  # in the session since state_of()
    return row is None or row.last_read_post_id < top


@action
def record_shown(user: User, thread: Thread, post_ids) -> None:
    """A page showed the user these posts of `thread` (the page without JavaScript counts as
    read when it is shown): move the mark up to the highest one. The caller has already
    checked the user may read the thread and see the posts. Writes only when it moves."""
    if not shown_moves_mark(user, thread, post_ids):
        return  # nothing to write: the common case of reading a page again
    top = max(pid for pid in post_ids if pid)
    if _advance(user, thread, top):
        _announce(user, thread)


@action
def mark_topic_read(actor: User, topic: Topic) -> None:
    """Everything in `topic` up to now counts as read, and nothing in it is new."""
    Guardian(actor).ensure_read_topic(topic)
    _mark_topics(actor, [topic.id])
    room = f"user:{actor.id}"
    events.queue_event(room, "read.updated", {"room": room, "topic": topic.slug, "all": True})


@action
def mark_all_read(actor: User) -> None:
    """"Mark all read" everywhere: every topic the user may read."""
    guardian = Guardian(actor)
    guardian.ensure_use_site()
    _mark_topics(actor, db.session.scalars(guardian.readable_topic_ids()).all())
    room = f"user:{actor.id}"
    events.queue_event(room, "read.updated", {"room": room, "topic": None, "all": True})


def _mark_topics(user: User, topic_ids: list[int]) -> None:
    top = db.session.scalar(select(func.max(Post.id))) or 0
    now = utcnow()
    table = TopicRead.__table__
    for topic_id in topic_ids:
        stmt = _insert(TopicRead).values(user_id=user.id, topic_id=topic_id, last_read_post_id=top, marked_at=now)
        db.session.execute(stmt.on_conflict_do_update(
            index_elements=[table.c.user_id, table.c.topic_id],
            set_={"last_read_post_id": _greatest(table.c.last_read_post_id, top),
                  "marked_at": now}))


# --- lists: one query per list, never one per row ---------------------------------------------
def states_for(user: User, threads: list[Thread]) -> dict[int, ReadState]:
    """The read state of every thread of a list page: three queries for the whole page."""
    if user is None or not threads:
        return {}
    ids = [t.id for t in threads]
    marks = dict(db.session.execute(
        select(ThreadRead.thread_id, ThreadRead.last_read_post_id)
        .where(ThreadRead.user_id == user.id, ThreadRead.thread_id.in_(ids))).all())
    topic_marks = {row.topic_id: row for row in db.session.scalars(
        select(TopicRead).where(TopicRead.user_id == user.id,
                                TopicRead.topic_id.in_({t.topic_id for t in threads})))}
    counts: dict[int, int] = {}
    if marks:
        counts = dict(db.session.execute(
            select(Post.thread_id, func.count(Post.id))
            .join(ThreadRead, and_(ThreadRead.thread_id == Post.thread_id, ThreadRead.user_id == user.id))
            .join(Thread, Thread.id == Post.thread_id)
            .outerjoin(TopicRead, _topic_mark(user.id))
            .where(Post.thread_id.in_(list(marks)),
                   _unread_post(user.id, ThreadRead.last_read_post_id, TopicRead.last_read_post_id))
            .group_by(Post.thread_id)).all())
    since = new_since()
    found = {}
    for thread in threads:
        topic_row = topic_marks.get(thread.topic_id)
        watermark = topic_row.last_read_post_id if topic_row is not None else 0
        if thread.id in marks:
            found[thread.id] = ReadState(True, max(marks[thread.id], watermark), counts.get(thread.id, 0), False)
            continue
        new = (thread.author_id != user.id and thread.state == "visible" and thread.created_at >= since
               and (topic_row is None or thread.created_at > topic_row.marked_at))
        found[thread.id] = ReadState(topic_row is not None and not new, watermark, 0, new)
    return found


class UnreadThread(NamedTuple):
    id: int
    topic_id: int
    unread: int  # posts


def opened_with_unread(guardian: Guardian):
    """SELECT of the threads the user opened before that have posts they have not read, in
    topics they may read (driven by the user's own rows; each thread stops at its first
    unread post, found in the index)."""
    user = guardian.user
    has_unread = exists().where(Post.thread_id == ThreadRead.thread_id,
                                _unread_post(user.id, ThreadRead.last_read_post_id, TopicRead.last_read_post_id))
    return (select(Thread)
            .join(ThreadRead, and_(ThreadRead.thread_id == Thread.id, ThreadRead.user_id == user.id))
            .outerjoin(TopicRead, _topic_mark(user.id))
            .where(Thread.state == "visible", Thread.topic_id.in_(guardian.readable_topic_ids()), has_unread))


def unread_threads(guardian: Guardian, limit: int) -> list[UnreadThread]:
    """The threads the user opened before with posts they have not read, latest activity
    first, at most `limit`, each with its number of unread posts: one query."""
    user = guardian.user
    if not guardian.active:
        return []
    rows = db.session.execute(
        select(Thread.id, Thread.topic_id, func.count(Post.id))
        .join(ThreadRead, and_(ThreadRead.thread_id == Thread.id, ThreadRead.user_id == user.id))
        .outerjoin(TopicRead, _topic_mark(user.id))
        .join(Post, Post.thread_id == Thread.id)
        .where(Thread.state == "visible", Thread.topic_id.in_(guardian.readable_topic_ids()),
               _unread_post(user.id, ThreadRead.last_read_post_id, TopicRead.last_read_post_id))
        .group_by(Thread.id, Thread.topic_id, Thread.last_activity_at)
        .order_by(Thread.last_activity_at.desc(), Thread.id.desc()).limit(limit)).all()
    return [UnreadThread(*r) for r in rows]


def new_threads_query(guardian: Guardian):
    """SELECT of the threads new to the user (never opened, recent, by others, not under a
    "mark all read") in topics they may read, for counting or listing."""
    user = guardian.user
    since = new_since()
    opened = exists().where(ThreadRead.thread_id == Thread.id, ThreadRead.user_id == user.id)
    return (select(Thread)
            .outerjoin(TopicRead, _topic_mark(user.id))
            .where(Thread.topic_id.in_(guardian.readable_topic_ids()), Thread.state == "visible",
                   Thread.last_activity_at >= since, Thread.created_at >= since, Thread.author_id != user.id,
                   ~opened, or_(TopicRead.marked_at.is_(None), Thread.created_at > TopicRead.marked_at)))


# topic_counts per user, for READ_COUNTS_CACHE_SECONDS (per process): the home page, the topic
# list of the API and /me/unread ask for them on every visit, and they are the costliest part of
# those (tens of ms for someone who opened thousands of threads). The key changes with every new
# post or thread and with the user's own reading, so only what changes no id (a post hidden or
# approved, a thread moved) can show late, for at most those seconds.
_counts_cache = Kept(maxsize=5000)


def _counts_key(guardian: Guardian) -> tuple:
    user = guardian.user
    newest = db.session.execute(select(
        select(func.max(Post.id)).scalar_subquery(),
        select(func.max(Thread.id)).scalar_subquery(),
        select(func.max(ThreadRead.updated_at)).where(ThreadRead.user_id == user.id).scalar_subquery(),
        select(func.max(TopicRead.marked_at)).where(TopicRead.user_id == user.id).scalar_subquery(),
    )).one()
    return (user.id, user.role, user.organisation_id, *newest)


def topic_counts(guardian: Guardian, *, as_of: tuple | None = None) -> dict[int, tuple[int, int]]:
    """{topic_id: (threads with unread posts, new threads)} for the topics the user may read:
    two grouped queries for every topic at once, or none when the same counts were just made.

    `as_of`: the data generation and moments a page's validator was taken from
    (views/revalidation.py). The cached counts are then those made at that generation, never
    older: a page answered 304 later must not have shown counts that lagged behind it."""
    if not guardian.active:
        return {}
    seconds = current_app.config.get("READ_COUNTS_CACHE_SECONDS", 0)
    if not seconds:
        return _topic_counts(guardian)
    user = guardian.user
    key = (user.id, user.role, user.organisation_id, "as of", as_of) if as_of is not None else _counts_key(guardian)
    return _counts_cache.get(seconds, key, lambda: _topic_counts(guardian))


def _topic_counts(guardian: Guardian) -> dict[int, tuple[int, int]]:
    counts: dict[int, list[int]] = {}
    for query, slot in ((opened_with_unread(guardian), 0), (new_threads_query(guardian), 1)):
        for topic_id, n in db.session.execute(
                query.with_only_columns(Thread.topic_id, func.count(Thread.id)).group_by(Thread.topic_id)):
            counts.setdefault(topic_id, [0, 0])[slot] = n
    return {topic_id: (unread, new) for topic_id, (unread, new) in counts.items()}


def summary(guardian: Guardian, max_threads: int = 200) -> dict:
    """GET /api/v1/me/unread: every readable topic with its unread and new thread counts, and
    the threads with unread posts (at most `max_threads`, latest activity first)."""
    guardian.ensure_use_site()
    topics = db.session.scalars(guardian.readable_topics()).all()
    threads = unread_threads(guardian, limit=max_threads + 1)
    counts = topic_counts(guardian)
    slugs = {t.id: t.slug for t in topics}
    return {
        "topics": [{"slug": t.slug, "unread": counts.get(t.id, (0, 0))[0], "new": counts.get(t.id, (0, 0))[1]}
                   for t in topics],
        "threads": [{"id": t.id, "topic": slugs.get(t.topic_id), "unread": t.unread} for t in threads[:max_threads]],
        "truncated": len(threads) > max_threads,
    }
