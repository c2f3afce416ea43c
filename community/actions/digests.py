"""Digests: a daily or weekly email of new threads and replies in what a user watches.

`build_digest(user, since)` gathers, from the topics and threads the user
watches (a thread's own level wins over its topic's; muted ones are
skipped), the visible threads and replies written by others since then that
the Guardian lets the user see. Authors are named as everyone sees them: an
anonymous post carries its anonymous label, never a name.

`run_digests(now)` finds who is due (per user: `last_digest_at` + a day or a
week) and queues their digests in the outbox. Moving `last_digest_at` is the
claim: an UPDATE that only matches while the user is still due, so two
senders never queue the same digest twice. A user's first run only starts
their clock: the first digest covers a full period.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import LazyString, ngettext
from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..authors import public_name
from ..events import action
from ..extensions import db
from ..i18n import recipient_locale
from ..mail import excerpt, queue_email, site_url
from ..mail.preferences import preferences
from ..models import NotificationPreference, Post, Thread, ThreadWatch, TopicWatch, User, utcnow
from ..permissions import Guardian
from ..titles import thread_title

PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
# A scheduler that runs a little early (cron at 07:00 after one at 07:02) is still on time.
SLACK = timedelta(hours=1)
MAX_THREADS = 25
REPLIES_SHOWN = 3
EXCERPT_CHARS = 240


@dataclass
class DigestPost:
    id: int
    author: str
    excerpt: str
    url: str
    created_at: datetime


@dataclass
class DigestThread:
    id: int
    title: str
    kind: str
    topic: str
    url: str
    is_new: bool
    author: str = ""          # of a new thread (its label when anonymous)
    opening: str = ""         # a new thread's opening words
    replies: list[DigestPost] = field(default_factory=list)
    reply_count: int = 0
    last_at: datetime | None = None

    @property
    def more_replies(self) -> int:
        return max(self.reply_count - len(self.replies), 0)


@dataclass
class Digest:
    user: User
    since: datetime
    until: datetime
    threads: list[DigestThread] = field(default_factory=list)
    more: int = 0  # threads with activity beyond MAX_THREADS

    @property
    def empty(self) -> bool:
        return not self.threads

    @property
    def new_threads(self) -> int:
        return sum(1 for t in self.threads if t.is_new)

    @property
    def new_replies(self) -> int:
        return sum(t.reply_count for t in self.threads)


def _levels(user: User) -> tuple[dict[int, str], dict[int, str]]:
    topics = dict(db.session.execute(
        select(TopicWatch.topic_id, TopicWatch.level).where(TopicWatch.user_id == user.id)).all())
    threads = dict(db.session.execute(
        select(ThreadWatch.thread_id, ThreadWatch.level).where(ThreadWatch.user_id == user.id)).all())
    return topics, threads


def build_digest(user: User, since: datetime, until: datetime | None = None) -> Digest:
    """What happened in the user's watched topics and threads in (since, until]."""
    until = until or utcnow()
    digest = Digest(user=user, since=since, until=until)
    topic_levels, thread_levels = _levels(user)
    watched_topics = [t for t, level in topic_levels.items() if level == "watching"]
    watched_threads = [t for t, level in thread_levels.items() if level == "watching"]
    if not watched_topics and not watched_threads:
        return digest
    # What was published (visible posts of visible threads: not the reader's own held ones,
    # nor what only moderators see), of what the Guardian lets the user see.
    posts = db.session.scalars(Guardian(user).visible_posts(
        select(Post).join(Thread, Post.thread_id == Thread.id)
        .where(Post.created_at > since, Post.created_at <= until, Post.state == "visible",
               Thread.state == "visible", Post.author_id != user.id,
               or_(Thread.topic_id.in_(watched_topics), Thread.id.in_(watched_threads)))
        .order_by(Post.id), thread_joined=True)
    ).all()
    entries: dict[int, DigestThread] = {}
    for post in posts:
        thread = post.thread
        # The thread's own choice first: a muted thread in a watched topic stays silent.
        level = thread_levels.get(thread.id) or topic_levels.get(thread.topic_id)
        if level != "watching":
            continue
        entry = entries.get(thread.id)
        if entry is None:
            entry = entries[thread.id] = DigestThread(
                # worded when the email is written, in its recipient's language (a live
                # session's archive or follow-up has a title the site words for each reader)
                id=thread.id, title=LazyString(thread_title, thread), kind=thread.kind, topic=thread.topic.name,
                url=site_url(f"/threads/{thread.id}"), is_new=False)
        entry.last_at = post.created_at
        if post.is_opening:  # the thread itself is new (and was started by someone else)
            entry.is_new = True
            entry.author = public_name(post)  # the anonymous label for an anonymous post
            entry.opening = excerpt(post, EXCERPT_CHARS)
            continue
        entry.reply_count += 1
        entry.replies.append(DigestPost(id=post.id, author=public_name(post),
                                        excerpt=excerpt(post, EXCERPT_CHARS),
                                        url=site_url(f"/posts/{post.id}"), created_at=post.created_at))
    for entry in entries.values():
        entry.replies = entry.replies[-REPLIES_SHOWN:]  # the latest few
    ordered = sorted(entries.values(), key=lambda e: (not e.is_new, -(e.last_at.timestamp() if e.last_at else 0)))
    digest.threads = ordered[:MAX_THREADS]
    digest.more = max(len(ordered) - MAX_THREADS, 0)
    return digest


def queue_digest(digest: Digest, period: str, now: datetime | None = None):
    """Put a non-empty digest in the outbox (the caller commits)."""
    if digest.empty:
        return None
    count = len(digest.threads) + digest.more
    with recipient_locale(digest.user):  # the whole email in its reader's language
        if period == "daily":
            subject = ngettext("Your daily Roundtable digest: %(num)d thread with new activity",
                               "Your daily Roundtable digest: %(num)d threads with new activity", count)
        else:
            subject = ngettext("Your weekly Roundtable digest: %(num)d thread with new activity",
                               "Your weekly Roundtable digest: %(num)d threads with new activity", count)
        return queue_email(digest.user, "digest", subject=subject, template="digest",
                           context={"digest": digest, "period": period}, now=now)


def _watchers():
    """Active users who watch at least one topic or thread (nobody else has a digest)."""
    ids = select(TopicWatch.user_id).where(TopicWatch.level == "watching").union(
        select(ThreadWatch.user_id).where(ThreadWatch.level == "watching"))
    return db.session.scalars(select(User).where(User.id.in_(ids), User.state == "active").order_by(User.id)).all()


def _start_clock(user: User, now: datetime) -> None:
    """First run for this user: remember now as the start of their first period."""
    exists = db.session.get(NotificationPreference, user.id) is not None
    if exists:
        db.session.execute(update(NotificationPreference)
                           .where(NotificationPreference.user_id == user.id,
                                  NotificationPreference.last_digest_at.is_(None))
                           .values(last_digest_at=now).execution_options(synchronize_session=False))
    else:
        dialect = db.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        db.session.execute(insert(NotificationPreference.__table__).values(
            user_id=user.id, email_mentions=True, email_replies=True, digest="weekly",
            last_digest_at=now, updated_at=now).on_conflict_do_nothing())


def run_digests(now: datetime | None = None) -> int:
    """Queue the digests due at `now`; returns how many were queued. One unit of work per
    person: a failure leaves their last_digest_at as it was, so their digest is tried again
    next run (and stops the run: the caller logs it)."""
    now = now or utcnow()
    queued = 0
    for user_id in [user.id for user in _watchers()]:
        queued += _digest_for(user_id, now)
    return queued


@action
def _digest_for(user_id: int, now: datetime) -> bool:
    """Queue one person's digest if it is due (the first run only starts their clock)."""
    user = db.session.get(User, user_id)
    pref = preferences(user)
    if pref.digest not in PERIODS:
        return False
    since = pref.last_digest_at
    if since is None:
        _start_clock(user, now)
        return False
    threshold = now - PERIODS[pref.digest] + SLACK
    if since > threshold:
        return False
    claimed = db.session.execute(
        update(NotificationPreference)
        .where(NotificationPreference.user_id == user.id, NotificationPreference.last_digest_at <= threshold)
        .values(last_digest_at=now).execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:  # another sender got there first
        return False
    return queue_digest(build_digest(user, since, now), pref.digest, now) is not None
