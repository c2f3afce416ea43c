"""The lists of the home page, which answer "what now?"; each is also an API list.

- latest: threads across the topics the user may read, latest activity first;
- unread: threads with posts the user has not read, and new threads (actions.reading);
- unanswered: questions nobody but the asker has replied to and none accepted, in the topics
  the user watches or moderates, oldest first (the longest waiting on top);
- mine: the user's own questions, latest activity first.
Upcoming live sessions are actions.live's list.

Each list is a constant number of queries for a page (the threads, then their read state in
three), keyed by a cursor: (last_activity_at, id) going back, or (created_at, id) going forward
for the unanswered questions.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased, lazyload

from ..caching import Kept
from ..extensions import db
from ..models import Post, Thread, ThreadWatch, Topic, TopicWatch
from ..permissions import Guardian
from .reading import ReadState, new_threads_query, opened_with_unread, states_for

LISTS = ("latest", "unread", "unanswered", "mine")
Cursor = tuple[datetime, int]


@dataclass
class Page:
    threads: list[Thread]
    more: bool  # another page follows (its cursor: `next_cursor`)
    states: dict[int, ReadState] = field(default_factory=dict)
    ordered_by: str = "last_activity_at"

    @property
    def next_cursor(self) -> Cursor | None:
        if not self.more or not self.threads:
            return None
        last = self.threads[-1]
        return getattr(last, self.ordered_by), last.id


def _before(cursor: Cursor | None):
    """Rows after `cursor` in (last_activity_at, id) descending order."""
    if cursor is None:
        return True
    moment, last_id = cursor
    return or_(Thread.last_activity_at < moment, and_(Thread.last_activity_at == moment, Thread.id < last_id))


def _newest_first(query, limit: int) -> list[Thread]:
    return list(db.session.scalars(query.options(_TOPIC_IN_SESSION)
                                   .order_by(Thread.last_activity_at.desc(), Thread.id.desc())
                                   .limit(limit + 1)).unique())


# A thread's topic comes from the session (the readable topics, loaded once for the page:
# _topics_in_session), not joined onto every row again (with its organisations and moderators).
_TOPIC_IN_SESSION = lazyload(Thread.topic)


def _topics_in_session(guardian: Guardian) -> list[Topic]:
    """The topics `guardian` may read, in their order: one query, then in the session for the
    rows of a list (a lazy many-to-one finds its topic there without asking the database)."""
    return db.session.scalars(guardian.readable_topics()).all()


def _page(guardian: Guardian, rows: list[Thread], limit: int, ordered_by: str = "last_activity_at") -> Page:
    threads = rows[:limit]
    if threads:
        _topics_in_session(guardian)
    return Page(threads, len(rows) > limit, states_for(guardian.user, threads), ordered_by)


def latest(guardian: Guardian, *, cursor: Cursor | None = None, limit: int = 20) -> Page:
    guardian.ensure_use_site()
    query = select(Thread).where(Thread.state == "visible", Thread.topic_id.in_(guardian.readable_topic_ids()),
                                 _before(cursor))
    return _page(guardian, _newest_first(query, limit), limit)


# The threads of latest activity the unread list looks among first (see _opened_unread).
UNREAD_WINDOW = 300


def _opened_unread(guardian: Guardian, cursor: Cursor | None, limit: int) -> list[Thread]:
    """The newest `limit` + 1 threads the user opened that have unread posts. Found among the
    UNREAD_WINDOW threads of latest activity first: a probe of the user's read row for each of
    those, however many threads they opened over the years (a returning reader's page is
    usually there). Only when that window holds too few does the list go through all of the
    user's read rows (opened_with_unread), which answers the same, newest first."""
    opened = opened_with_unread(guardian).where(_before(cursor))
    edge = db.session.execute(
        select(Thread.last_activity_at, Thread.id)
        .where(Thread.state == "visible", Thread.topic_id.in_(guardian.readable_topic_ids()), _before(cursor))
        .order_by(Thread.last_activity_at.desc(), Thread.id.desc()).offset(UNREAD_WINDOW - 1).limit(1)).first()
    if edge is not None:  # the window: threads from the newest down to `edge`
        rows = _newest_first(opened.where(~_before(tuple(edge))), limit)
        if len(rows) > limit:  # the window's are the newest of all: any other is older than them
            return rows
    return _newest_first(opened, limit)


def unread(guardian: Guardian, *, cursor: Cursor | None = None, limit: int = 20) -> Page:
    """Threads opened before with unread posts, and new threads, latest activity first."""
    guardian.ensure_use_site()
    fresh = new_threads_query(guardian).where(_before(cursor))
    rows = {t.id: t for t in _opened_unread(guardian, cursor, limit) + _newest_first(fresh, limit)}
    merged = sorted(rows.values(), key=lambda t: (t.last_activity_at, t.id), reverse=True)
    return _page(guardian, merged[:limit + 1], limit)


# topic_stats per set of readable topics, for READ_COUNTS_CACHE_SECONDS (per process): counting
# every visible thread of every topic reads the whole thread table (45 ms on SQLite, 200 ms on
# PostgreSQL at 100,000 threads, under load) on every visit of the home page. The key changes
# with every new post or thread, so only what changes no id (a thread hidden, restored or
# moved) can show late, for at most those seconds.
_stats_cache = Kept(maxsize=200)


def topic_stats(topic_ids: list[int], *, as_of: tuple | None = None) -> dict[int, tuple[int, datetime | None]]:
    """{topic_id: (visible threads, latest activity)} for these topics: one grouped query, or
    none when the same topics were just counted and no post or thread has been added since.

    `as_of`: the data generation and moments a page's validator was taken from
    (views/revalidation.py): the cached figures are then those made at that generation, never
    older (a page answered 304 later must not have shown figures that lagged behind it)."""
    seconds = current_app.config.get("READ_COUNTS_CACHE_SECONDS", 0)
    if not seconds:
        return _topic_stats(topic_ids)
    if as_of is not None:
        key = (tuple(sorted(topic_ids)), "as of", as_of)
    else:
        newest = db.session.execute(select(select(func.max(Post.id)).scalar_subquery(),
                                           select(func.max(Thread.id)).scalar_subquery())).one()
        key = (tuple(sorted(topic_ids)), *newest)
    return _stats_cache.get(seconds, key, lambda: _topic_stats(topic_ids))


def _topic_stats(topic_ids: list[int]) -> dict[int, tuple[int, datetime | None]]:
    return {topic_id: (count, last) for topic_id, count, last in db.session.execute(
        select(Thread.topic_id, func.count(Thread.id), func.max(Thread.last_activity_at))
        .where(Thread.state == "visible", Thread.topic_id.in_(topic_ids or [0]))
        .group_by(Thread.topic_id))}


def watched_or_moderated_topic_ids(guardian: Guardian) -> list[int]:
    """The readable topics the user watches (level "watching") or moderates."""
    if not guardian.active:
        return []
    topics = _topics_in_session(guardian)
    watched = set(db.session.scalars(select(TopicWatch.topic_id).where(
        TopicWatch.user_id == guardian.user.id, TopicWatch.level == "watching")))
    return [t.id for t in topics if t.id in watched or guardian.is_moderator(t)]


def unanswered(guardian: Guardian, *, cursor: Cursor | None = None, limit: int = 20) -> Page:
    """Questions waiting for a first answer in the topics the user watches or moderates,
    oldest first. Not the user's own (those are in "mine"), nor threads they muted."""
    guardian.ensure_use_site()
    user_id = guardian.user.id
    topic_ids = watched_or_moderated_topic_ids(guardian)
    if not topic_ids:
        return Page([], False, ordered_by="created_at")
    reply = aliased(Post)
    answered_by_someone = exists().where(reply.thread_id == Thread.id, reply.is_opening.is_(False),
                                         reply.state == "visible", reply.author_id != Thread.author_id)
    muted = exists().where(ThreadWatch.thread_id == Thread.id, ThreadWatch.user_id == user_id,
                           ThreadWatch.level == "muted")
    query = select(Thread).where(
        Thread.topic_id.in_(topic_ids), Thread.kind == "question", Thread.state == "visible",
        Thread.accepted_post_id.is_(None), Thread.author_id != user_id, ~answered_by_someone, ~muted)
    if cursor is not None:
        moment, last_id = cursor
        query = query.where(or_(Thread.created_at > moment, and_(Thread.created_at == moment, Thread.id > last_id)))
    rows = list(db.session.scalars(query.options(_TOPIC_IN_SESSION).order_by(Thread.created_at, Thread.id)
                                   .limit(limit + 1)))
    return _page(guardian, rows, limit, ordered_by="created_at")


def my_questions(guardian: Guardian, *, cursor: Cursor | None = None, limit: int = 20) -> Page:
    """The user's questions (awaiting review ones too), in topics they may still read."""
    guardian.ensure_use_site()
    query = select(Thread).where(Thread.author_id == guardian.user.id, Thread.kind == "question",
                                 Thread.state.in_(("visible", "held")),
                                 Thread.topic_id.in_(guardian.readable_topic_ids()), _before(cursor))
    return _page(guardian, _newest_first(query, limit), limit)


def organisation_kind(thread: Thread) -> str:
    """"supplier" or "member": who is asking, as much as the anonymous label already says
    (an anonymous author's organisation is never named; its kind is the label's)."""
    if thread.anonymous:
        return "member" if thread.author.role in ("member", "admin") else "supplier"
    return thread.author.organisation.kind


LIST_FUNCTIONS = {"latest": latest, "unread": unread, "unanswered": unanswered, "mine": my_questions}
