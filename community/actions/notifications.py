"""Notifications to one user: stored as data, then pushed live to the user's own room.

A notification is what happened (`verb`) and what it is about (`data`: actors, objects, a
moderator's reason); community/notices.py words it in the reader's language whenever it is
shown, so a notification follows its reader when they change language. The text worded for
the recipient when it was made is stored too: the email's subject (and what the few old rows
made before verbs existed still show). Every new notification has a verb: there is no way to
make one from text alone.
"""
from __future__ import annotations

from sqlalchemy import select, update

from .. import dates, events, notices
from ..events import action
from ..extensions import db
from ..i18n import recipient_locale
from ..mail import queue_notification_email
from ..models import Notification, User, utcnow
from ..models.base import iso
from ..permissions import Guardian


def notify(user: User, *, verb: str, data: dict | None = None,
           url: str = "", thread=None, post=None) -> Notification | None:
    """Queue a notification in the current unit of work (the caller commits).

    `verb` and `data` say what happened (see community/notices.py; the kind follows from the
    verb; an unknown verb is a KeyError). Nothing is sent to someone who may not read the
    thread it points to.
    """
    if thread is not None and not Guardian(user).can_read_thread(thread):
        return None
    if post is not None and not Guardian(user).can_see_post(post):
        return None
    kind = notices.KINDS[verb]
    data = dict(data or {})
    with recipient_locale(user), dates.zone_for(user):
        worded = notices.words(verb, data)
        if worded is None:
            raise ValueError(f"notification {verb!r}: data of an unexpected shape")
        note = Notification(user_id=user.id, kind=kind, verb=verb, data=data, text=worded[:300], url=url,
                            thread_id=thread.id if thread is not None else None,
                            post_id=post.id if post is not None else None)
        db.session.add(note)
        db.session.flush()
        # The email goes to the same person: rendered in their language too.
        queue_notification_email(user, note, thread=thread, post=post)  # same transaction: never lost
        # The live toast too: it is worded for the recipient, whoever's request this is.
        pushed = notification_payload(note)
    events.queue_event(f"user:{user.id}", "notification", {
        "room": f"user:{user.id}", "notification": pushed, "unread": unread_count(user),
    })
    return note


def notification_payload(note: Notification) -> dict:
    """The API's notification object; `text` worded in the current locale (the reader's)."""
    return {"id": note.id, "kind": note.kind, "verb": note.verb, "data": note.data or {},
            "text": notices.text_of(note), "url": note.url,
            "thread_id": note.thread_id, "post_id": note.post_id,
            "created_at": iso(note.created_at), "read": note.read_at is not None}


def unread_count(user: User) -> int:
    return db.session.scalar(
        select(db.func.count(Notification.id)).where(Notification.user_id == user.id,
                                                     Notification.read_at.is_(None))
    ) or 0


@action
def mark_read(user: User, notification_id: int | None = None) -> int:
    """Mark one notification (or all of them) read; returns how many changed."""
    stmt = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if notification_id is not None:
        stmt = stmt.where(Notification.id == notification_id)
    changed = db.session.execute(stmt.values(read_at=utcnow())).rowcount or 0
    events.queue_event(f"user:{user.id}", "notification.read", {
        "room": f"user:{user.id}", "id": notification_id, "unread": unread_count(user)})
    return changed
