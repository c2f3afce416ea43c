"""What reaches a user: watching and muting topics and threads, and email preferences.

A thread's own level (watching / muted) wins over its topic's: a user may
mute a busy topic yet watch one thread in it, or watch a topic and mute one
thread. Muted means nothing is emailed about it (immediate or digest).
Starting a thread or replying watches that thread (`auto_watch_thread`),
unless the user already chose a level for it.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from ..errors import Invalid
from ..events import action
from ..extensions import db
from ..mail.preferences import levels, preferences, thread_level, topic_level  # noqa: F401  (pages read them here too)
from ..models import NotificationPreference, Thread, ThreadWatch, Topic, TopicWatch, User, utcnow
from ..models.mail import DIGEST_CHOICES, EMAIL_CATEGORIES
from ..permissions import Guardian

LEVELS = ("watching", "muted")


def _level(value) -> str | None:
    """'watching' | 'muted' | None (back to the default); anything else is refused."""
    if value in (None, "", "none", "default"):
        return None
    if value not in LEVELS:
        raise Invalid(_("Choose watching, muted or none."), field="level")
    return value


# --- reads (the levels and preferences themselves: community/mail/preferences.py) -------------
def watched(user: User) -> dict[str, list]:
    """The user's topic and thread levels, for the preferences page."""
    topics = db.session.execute(
        select(TopicWatch, Topic).join(Topic, Topic.id == TopicWatch.topic_id)
        .where(TopicWatch.user_id == user.id).order_by(Topic.name)).all()
    threads = db.session.execute(
        select(ThreadWatch, Thread).join(Thread, Thread.id == ThreadWatch.thread_id)
        .where(ThreadWatch.user_id == user.id).order_by(ThreadWatch.created_at.desc())).all()
    guardian = Guardian(user)
    # Something the user can no longer read is not listed (its name would leak).
    return {
        "topics": [(w.level, t) for w, t in topics if guardian.can_read_topic(t)],
        "threads": [(w.level, t) for w, t in threads if guardian.can_read_thread(t)],
    }


# --- watching and muting ------------------------------------------------------------------
def _save_level(model, key: tuple[int, int], fields: dict, level: str | None) -> None:
    """Store a watch level for (user, object): None removes the row."""
    row = db.session.get(model, key)
    if level is None:
        if row is not None:
            db.session.delete(row)
    elif row is None:
        db.session.add(model(**fields, level=level))
    else:
        row.level = level


@action
def set_topic_level(actor: User, topic: Topic, level) -> str | None:
    Guardian(actor).ensure_read_topic(topic)
    level = _level(level)
    _save_level(TopicWatch, (actor.id, topic.id), {"user_id": actor.id, "topic_id": topic.id}, level)
    return level


@action
def set_thread_level(actor: User, thread: Thread, level) -> str | None:
    Guardian(actor).ensure_read_thread(thread)
    level = _level(level)
    _save_level(ThreadWatch, (actor.id, thread.id), {"user_id": actor.id, "thread_id": thread.id}, level)
    return level


def auto_watch_thread(user: User, thread: Thread) -> None:
    """Watch a thread the user has just posted in, in the caller's unit of work.

    An existing choice (including a mute) is kept. INSERT ... ON CONFLICT DO NOTHING, so
    two replies racing in from two tabs cannot make the second one fail on the key.
    """
    db.session.flush()  # the thread needs its id
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(
        insert(ThreadWatch.__table__)
        .values(user_id=user.id, thread_id=thread.id, level="watching", created_at=utcnow())
        .on_conflict_do_nothing()
    )


# --- email preferences ----------------------------------------------------------------------
def _stored_preferences(user: User) -> NotificationPreference:
    pref = db.session.get(NotificationPreference, user.id)
    if pref is None:
        pref = preferences(user)
        db.session.add(pref)
    return pref


@action
def update_preferences(actor: User, *, mentions: bool, replies: bool, digest,
                       moderation: bool | None = None, reminders: bool | None = None) -> NotificationPreference:
    """`moderation` or `reminders` None leaves that choice as it was."""
    Guardian(actor).ensure_use_site()
    if digest not in DIGEST_CHOICES:
        raise Invalid(_("Choose a daily or weekly digest, or none."), field="digest")
    pref = _stored_preferences(actor)
    pref.email_mentions, pref.email_replies, pref.digest = bool(mentions), bool(replies), digest
    if moderation is not None:
        pref.email_moderation = bool(moderation)
    if reminders is not None:
        pref.email_reminders = bool(reminders)
    pref.updated_at = utcnow()
    return pref


@action
def unsubscribe(user: User, scope: str) -> NotificationPreference:
    """Stop one kind of email ("mentions", "replies", "moderation", "digest") or all of it ("all").

    No Guardian check: the caller proved, with a signed link sent to this user's address,
    that the request comes from them (a suspended user may still stop our email).
    """
    if scope not in (*EMAIL_CATEGORIES, "all"):
        raise Invalid(_("Unknown kind of email."), field="scope")
    pref = _stored_preferences(user)
    if scope in ("mentions", "all"):
        pref.email_mentions = False
    if scope in ("replies", "all"):
        pref.email_replies = False
    if scope in ("moderation", "all"):
        pref.email_moderation = False
    if scope in ("reminders", "all"):
        pref.email_reminders = False
    if scope in ("digest", "all"):
        pref.digest = "never"
    pref.updated_at = utcnow()
    return pref
