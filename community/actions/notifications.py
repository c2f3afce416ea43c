"""Notifications to one user: stored, then pushed live to the user's own room.

A notification's text is stored once, so it is written in its recipient's
language: callers pass it lazily translated (lazy_gettext with its values) and
notify() resolves it under the recipient's locale.
"""
from __future__ import annotations

from sqlalchemy import select, update

from .. import events
from ..events import action
from ..extensions import db
from ..i18n import recipient_locale
from ..mail import queue_notification_email
from ..models import Notification, User, utcnow
from ..models.base import iso
from ..permissions import Guardian


def notify(user: User, kind: str, text, *, url: str = "", thread=None, post=None) -> Notification | None:
    """Queue a notification in the current unit of work (the caller commits).

    `text` is a lazy_gettext string (or plain text): it is worded here, in the recipient's
    language (English when they have none). Nothing is sent to someone who may not read
    the thread it points to.
    """
    if thread is not None and not Guardian(user).can_read_thread(thread):
        return None
    if post is not None and not Guardian(user).can_see_post(post):
        return None
    with recipient_locale(user):
        note = Notification(user_id=user.id, kind=kind, text=str(text)[:300], url=url,
                            thread_id=thread.id if thread is not None else None,
                            post_id=post.id if post is not None else None)
        db.session.add(note)
        db.session.flush()
        # The email goes to the same person: rendered in their language too.
        queue_notification_email(user, note, thread=thread, post=post)  # same transaction: never lost
    events.queue_event(f"user:{user.id}", "notification", {
        "room": f"user:{user.id}", "notification": notification_payload(note),
        "unread": unread_count(user) ,
    })
    return note


def notification_payload(note: Notification) -> dict:
    return {"id": note.id, "kind": note.kind, "text": note.text, "url": note.url,
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
