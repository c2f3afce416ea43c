"""Bookmarks: a person saves a post or a thread for later, with an optional note and reminder.

A bookmark is its owner's alone: nobody else learns it exists (another person's bookmark is
"not found"), and it shows only what its owner may still see (a post hidden since, or a topic
closed to them, drops out of their list until it is back). Saving what is already saved
updates the note and the reminder, so "save" is safe to repeat.

Reminders: `run_reminders(now)` (every round of the server's email task, or `flask mail
reminders` from cron) turns the due ones into notifications, and emails them to people whose
preferences ask for it. Setting `reminded_at` is the claim: an UPDATE that matches only a
reminder still due, so two senders never remind twice. A new reminder time clears it.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from .. import dates, events, notices
from ..errors import Invalid, NotFound
from ..events import action
from ..extensions import db
from ..models import Bookmark, Post, Thread, User, utcnow
from ..models.base import iso
from ..permissions import Guardian
from . import validate
from .notifications import notify

NOTE_MAX_CHARS = 500
# Enough for anyone's reading list; a bound on what one account can store.
MAX_BOOKMARKS = 2000
REMINDER_HORIZON = timedelta(days=3 * 366)
REMINDERS_PER_ROUND = 500
_UNSET = object()


def _note(value) -> str:
    return validate.text(value, "note", label=_l("The note"), max_chars=NOTE_MAX_CHARS, min_chars=0)


def remind_time(value, user: User, now: datetime | None = None) -> datetime | None:
    """A reminder time: None or "" for none; a datetime; or ISO 8601 text ("2026-12-01T09:00:00Z").
    A time without an offset is the user's own time (their time zone in their settings).
    It must be in the future, and within three years."""
    now = now or utcnow()
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and len(value) <= 40:
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            moment = None
    else:
        moment = None
    if moment is None:
        raise Invalid(_("The reminder must be a date and time, such as %(example)s.", example="2026-12-01T09:00:00Z"),
                      field="remind_at")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dates.zone_of(user))
    moment = moment.astimezone(UTC)
    if moment <= now:
        raise Invalid(_("Choose a reminder time in the future."), field="remind_at")
    if moment - now > REMINDER_HORIZON:
        raise Invalid(_("Choose a reminder time within the next three years."), field="remind_at")
    return moment


def _target(guardian: Guardian, post: Post | None, thread: Thread | None):
    if (post is None) == (thread is None):
        raise Invalid(_("Say what to save: a post (post_id) or a thread (thread_id)."), field="post_id")
    target = post if post is not None else thread
    guardian.ensure_bookmark(target)
    return target


# --- changes ------------------------------------------------------------------------------
@action
def save_bookmark(actor: User, *, post: Post | None = None, thread: Thread | None = None, note="",
                  remind_at=None, now: datetime | None = None) -> tuple[Bookmark, bool]:
    """Save a post or a thread (exactly one of them); returns (bookmark, created).

    Saving something already saved sets its note and reminder to the ones given."""
    guardian = Guardian(actor)
    _target(guardian, post, thread)
    note = _note(note)
    when = remind_time(remind_at, actor, now)
    existing = db.session.scalar(select(Bookmark).where(
        Bookmark.user_id == actor.id,
        Bookmark.post_id == post.id if post is not None else Bookmark.thread_id == thread.id))
    if existing is not None:
        return _apply(existing, note, when), False
    count = db.session.scalar(select(func.count(Bookmark.id)).where(Bookmark.user_id == actor.id)) or 0
    if count >= MAX_BOOKMARKS:
        raise Invalid(ngettext("You have saved %(num)d bookmark, the most one can keep: remove some first.",
                               "You have saved %(num)d bookmarks, the most one can keep: remove some first.",
                               count), field="post_id" if post is not None else "thread_id")
    bookmark = Bookmark(user_id=actor.id, post_id=post.id if post is not None else None,
                        thread_id=thread.id if thread is not None else None, note=note, remind_at=when)
    try:
        with db.session.begin_nested():  # a savepoint: a clash undoes this insert only
            db.session.add(bookmark)
            db.session.flush()
    except IntegrityError:  # the same person's other tab saved it at the same moment
        existing = bookmark_of(actor, post=post, thread=thread)
        if existing is None:
            raise
        return _apply(existing, note, when), False
    _queue_saved(bookmark)
    return bookmark, True


@action
def update_bookmark(actor: User, bookmark: Bookmark, *, note=_UNSET, remind_at=_UNSET,
                    now: datetime | None = None) -> Bookmark:
    """Change a bookmark's note and/or reminder (a value left out stays; None clears it)."""
    _own(actor, bookmark)
    note = bookmark.note if note is _UNSET else _note(note)
    when = bookmark.remind_at if remind_at is _UNSET else remind_time(remind_at, actor, now)
    return _apply(bookmark, note, when, keep_reminded=remind_at is _UNSET)


def _apply(bookmark: Bookmark, note: str, when: datetime | None, keep_reminded: bool = False) -> Bookmark:
    bookmark.note = note
    if not keep_reminded:
        bookmark.remind_at = when
        bookmark.reminded_at = None  # a new reminder time: the reminder is due again
    bookmark.updated_at = utcnow()
    _queue_saved(bookmark)
    return bookmark


@action
def remove_bookmark(actor: User, bookmark: Bookmark) -> None:
    _own(actor, bookmark)
    room = f"user:{actor.id}"
    events.queue_event(room, "bookmark.removed", {"room": room, "id": bookmark.id, "post_id": bookmark.post_id,
                                                  "thread_id": bookmark.thread_id})
    db.session.delete(bookmark)


def _queue_saved(bookmark: Bookmark) -> None:
    """The owner's other tabs learn it (their own room only: a bookmark is nobody else's)."""
    room = f"user:{bookmark.user_id}"
    events.queue_event(room, "bookmark.saved", {
        "room": room, "id": bookmark.id, "post_id": bookmark.post_id, "thread_id": bookmark.thread_id,
        "note": bookmark.note, "remind_at": iso(bookmark.remind_at), "reminded_at": iso(bookmark.reminded_at)})


# --- reads ----------------------------------------------------------------------------------
def _own(actor: User, bookmark: Bookmark | None) -> Bookmark:
    Guardian(actor).ensure_use_site()
    if bookmark is None or bookmark.user_id != actor.id:
        raise NotFound(_("That bookmark does not exist."))
    return bookmark


def get_bookmark(actor: User, bookmark_id) -> Bookmark:
    """One of `actor`'s bookmarks; anyone else's is "not found", as a missing one is."""
    bookmark_id = validate.as_id(bookmark_id)
    return _own(actor, db.session.get(Bookmark, bookmark_id) if bookmark_id else None)


def bookmark_of(actor: User, *, post: Post | None = None, thread: Thread | None = None) -> Bookmark | None:
    """The actor's bookmark of this post or thread, if they saved it."""
    if post is not None:
        return db.session.scalar(select(Bookmark).where(Bookmark.user_id == actor.id, Bookmark.post_id == post.id))
    return db.session.scalar(select(Bookmark).where(Bookmark.user_id == actor.id, Bookmark.thread_id == thread.id))


def visible(guardian: Guardian, bookmark: Bookmark) -> bool:
    """May its owner still see what it points at?"""
    target = bookmark.post if bookmark.post_id is not None else bookmark.thread
    return target is not None and guardian.can_bookmark(target)


def list_bookmarks(actor: User, *, before_id: int | None = None, limit: int = 30) -> tuple[list[Bookmark], int | None]:
    """The actor's bookmarks, newest first, that they may still see, and where the next page
    starts (`before_id` of the next call; None at the end).

    Pages by id; a page may hold fewer than `limit` when some lead where the actor may no
    longer look (they stay saved, and come back if it does)."""
    guardian = Guardian(actor)
    guardian.ensure_use_site()
    query = select(Bookmark).where(Bookmark.user_id == actor.id)
    if before_id is not None:
        query = query.where(Bookmark.id < before_id)
    rows = list(db.session.scalars(query.order_by(Bookmark.id.desc()).limit(limit + 1)))
    page = rows[:limit]
    following = page[-1].id if len(rows) > limit else None
    return [b for b in page if visible(guardian, b)], following


# --- reminders --------------------------------------------------------------------------------
def _reminder_data(bookmark: Bookmark) -> dict:
    """What the reminder is about (notices.py words it in the reader's language): the thread, the
    post if one was saved, and the owner's own note."""
    data = {"thread": notices.thread_ref(bookmark.target_thread)}
    if bookmark.post_id is not None:
        data["post"] = {"id": bookmark.post_id}
    if bookmark.note:
        data["note"] = bookmark.note
    return data


def _remind(bookmark: Bookmark):
    thread = bookmark.target_thread
    post = bookmark.post
    url = f"/posts/{post.id}" if post is not None else f"/threads/{thread.id}"
    if post is None:  # the email quotes a thread's opening words, when its owner may see them
        opening = db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.is_opening.is_(True)))
        post = opening if opening is not None and Guardian(bookmark.user).can_see_post(opening) else None
    # notify() asks the Guardian: what the owner may no longer see reminds them of nothing.
    return notify(bookmark.user, verb="reminder", data=_reminder_data(bookmark), url=url, thread=thread, post=post)


def run_reminders(now: datetime | None = None, limit: int = REMINDERS_PER_ROUND) -> int:
    """Send the reminders due at `now` (oldest first, at most `limit`); returns how many went out."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Bookmark.id).where(Bookmark.reminded_at.is_(None), Bookmark.remind_at <= now)
        .order_by(Bookmark.remind_at).limit(limit)).all()
    # One unit of work per reminder: a failure leaves reminded_at as it was (tried next round).
    return sum(_remind_one(bookmark_id, now) for bookmark_id in due)


@action
def _remind_one(bookmark_id: int, now: datetime) -> bool:
    claimed = db.session.execute(
        update(Bookmark.__table__)
        .where(Bookmark.id == bookmark_id, Bookmark.reminded_at.is_(None), Bookmark.remind_at <= now)
        .values(reminded_at=now)).rowcount
    if claimed != 1:  # another sender got there first, or the owner changed it meanwhile
        return False
    bookmark = db.session.get(Bookmark, bookmark_id)
    return bookmark is not None and _remind(bookmark) is not None
