"""Who wants which email: preferences and mutes, read by the outbox and the sender when
they decide whether an email goes out (changed by community/actions/watching.py).

A thread's own level (watching / muted) wins over its topic's.
"""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import NotificationPreference, Thread, ThreadWatch, Topic, TopicWatch, User


def topic_level(user: User, topic: Topic) -> str | None:
    row = db.session.get(TopicWatch, (user.id, topic.id))
    return row.level if row is not None else None


def thread_level(user: User, thread: Thread) -> str | None:
    row = db.session.get(ThreadWatch, (user.id, thread.id))
    return row.level if row is not None else None


def levels(user: User, thread: Thread) -> tuple[str | None, str | None]:
    """(the thread's own level, its topic's level) in one statement (a thread page asks both)."""
    own = select(ThreadWatch.level).where(ThreadWatch.user_id == user.id, ThreadWatch.thread_id == thread.id)
    topic = select(TopicWatch.level).where(TopicWatch.user_id == user.id, TopicWatch.topic_id == thread.topic_id)
    row = db.session.execute(select(own.scalar_subquery(), topic.scalar_subquery())).one()
    return row[0], row[1]


def effective_level(user: User, thread: Thread) -> str | None:
    """The thread's own level, else its topic's, else None."""
    return thread_level(user, thread) or topic_level(user, thread.topic)


def is_muted(user: User, thread: Thread | None) -> bool:
    return thread is not None and effective_level(user, thread) == "muted"


def preferences(user: User) -> NotificationPreference:
    """The user's preferences; the defaults (not yet stored) when they never chose."""
    pref = db.session.get(NotificationPreference, user.id)
    if pref is None:
        pref = NotificationPreference(user_id=user.id, email_mentions=True, email_replies=True,
                                      email_moderation=True, email_reminders=True, digest="weekly")
    return pref
