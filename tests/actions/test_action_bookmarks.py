"""actions.bookmarks: saving a post or a thread with a note and a reminder, a bookmark being its
owner's alone, lists that show only what the owner may still see, and reminders that go out once."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from community.actions.bookmarks import (
    MAX_BOOKMARKS,
    get_bookmark,
    list_bookmarks,
    remind_time,
    remove_bookmark,
    run_reminders,
    save_bookmark,
    update_bookmark,
)
from community.actions.moderation import moderate_post
from community.errors import Invalid, NotFound
from community.extensions import db
from community.models import Bookmark, Notification, OutboxEmail, utcnow
from tests.actions.support import answer, start

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


# --- saving ---------------------------------------------------------------------------------
def test_save_a_post_and_a_thread_with_a_note_and_a_reminder(world, emitted):
    thread, opening = start(world, "member")
    supplier = world.user("supplier")
    soon = utcnow() + timedelta(days=1)

    mark, created = save_bookmark(supplier, post=opening, note="  Read before Monday  ", remind_at=soon)
    assert created and (mark.post_id, mark.thread_id, mark.note) == (opening.id, None, "Read before Monday")
    assert abs((mark.remind_at - soon).total_seconds()) < 1
    whole, created = save_bookmark(supplier, thread=thread)
    assert created and (whole.post_id, whole.thread_id, whole.note, whole.remind_at) == (None, thread.id, "", None)

    own = f"user:{world.ids['supplier']}"
    saved = emitted.named("bookmark.saved", room=own)
    assert len(saved) == 2 and all(e.committed for e in saved)
    assert not [e for e in emitted.events if e.name.startswith("bookmark") and e.room != own]


def test_saving_again_updates_the_one_bookmark(world):
    _thread, opening = start(world, "member")
    supplier = world.user("supplier")
    first, _ = save_bookmark(supplier, post=opening, note="first")
    again, created = save_bookmark(supplier, post=opening, note="second")
    assert not created and again.id == first.id and again.note == "second"
    assert count(Bookmark) == 1


def test_exactly_one_target(world):
    thread, opening = start(world, "member")
    with pytest.raises(Invalid):
        save_bookmark(world.user("supplier"))
    with pytest.raises(Invalid):
        save_bookmark(world.user("supplier"), post=opening, thread=thread)


def test_only_what_one_may_see(world):
    lounge, lounge_opening = start(world, "member", slug="members-lounge")
    with pytest.raises(NotFound):
        save_bookmark(world.user("supplier"), thread=lounge)
    with pytest.raises(NotFound):
        save_bookmark(world.user("supplier"), post=lounge_opening)
    save_bookmark(world.user("member2"), thread=lounge)  # a member may


def test_note_and_reminder_are_checked(world):
    _thread, opening = start(world, "member")
    supplier = world.user("supplier")
    with pytest.raises(Invalid) as err:
        save_bookmark(supplier, post=opening, note="x" * 501)
    assert err.value.field == "note"
    for bad in ("tomorrow", "2026-13-01T00:00", 12, utcnow() - timedelta(minutes=1),
                utcnow() + timedelta(days=4 * 366)):
        with pytest.raises(Invalid) as err:
            save_bookmark(supplier, post=opening, remind_at=bad)
        assert err.value.field == "remind_at"
    assert count(Bookmark) == 0


def test_a_time_without_offset_is_the_owners_own_time(world):
    supplier = world.user("supplier")
    supplier.timezone = "Asia/Kolkata"
    assert remind_time("2026-12-06T09:00", supplier, NOW) == datetime(2026, 12, 6, 3, 30, tzinfo=UTC)
    assert remind_time("2026-12-06T09:00:00Z", supplier, NOW) == datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
    assert remind_time("2026-12-06T09:00:00+01:00", supplier, NOW) == datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
    assert remind_time("", supplier, NOW) is None and remind_time(None, supplier, NOW) is None


def test_a_bound_on_how_many(world, monkeypatch):
    monkeypatch.setattr("community.actions.bookmarks.MAX_BOOKMARKS", 2)
    thread, opening = start(world, "member")
    second = answer(world, "member2", thread)
    supplier = world.user("supplier")
    save_bookmark(supplier, post=opening)
    save_bookmark(supplier, post=second)
    with pytest.raises(Invalid):
        save_bookmark(supplier, thread=thread)
    save_bookmark(supplier, post=second, note="updating is fine")
    assert MAX_BOOKMARKS >= 1000


# --- changing and removing ----------------------------------------------------------------------
def test_change_the_note_keeps_the_reminder_and_a_new_time_rearms_it(world):
    _thread, opening = start(world, "member")
    supplier = world.user("supplier")
    mark, _ = save_bookmark(supplier, post=opening, remind_at=utcnow() + timedelta(hours=1))
    mark.reminded_at = utcnow()
    db.session.commit()
    update_bookmark(supplier, mark, note="only the note")
    assert mark.reminded_at is not None and mark.note == "only the note"
    update_bookmark(supplier, mark, remind_at=utcnow() + timedelta(hours=2))
    assert mark.reminded_at is None
    update_bookmark(supplier, mark, remind_at=None)
    assert mark.remind_at is None


def test_another_persons_bookmark_does_not_exist_for_you(world, emitted):
    _thread, opening = start(world, "member")
    mark, _ = save_bookmark(world.user("supplier"), post=opening, note="mine")
    for who in ("supplier2", "moderator", "admin"):
        with pytest.raises(NotFound) as err:
            get_bookmark(world.user(who), mark.id)
        assert err.value.message == "That bookmark does not exist."
        with pytest.raises(NotFound):
            update_bookmark(world.user(who), mark, note="theirs")
        with pytest.raises(NotFound):
            remove_bookmark(world.user(who), mark)
    with pytest.raises(NotFound) as missing:
        get_bookmark(world.user("supplier2"), 999)
    assert missing.value.message == "That bookmark does not exist."
    remove_bookmark(world.user("supplier"), db.session.get(Bookmark, mark.id))
    assert count(Bookmark) == 0
    assert emitted.named("bookmark.removed", room=f"user:{world.ids['supplier']}")


# --- lists ----------------------------------------------------------------------------------------
def test_the_list_is_newest_first_paged_and_shows_only_what_one_may_still_see(world):
    thread, opening = start(world, "member")
    posts = [answer(world, "member2", thread, f"reply {i}") for i in range(4)]
    supplier = world.user("supplier")
    for post in [opening, *posts]:
        save_bookmark(supplier, post=post)
    moderate_post(world.user("moderator"), posts[1], "hide", "off-topic")

    page, following = list_bookmarks(supplier, limit=3)
    assert [b.post_id for b in page] == [posts[3].id, posts[2].id]  # posts[1] is hidden from them
    rest, end = list_bookmarks(supplier, before_id=following, limit=3)
    assert [b.post_id for b in rest] == [posts[0].id, opening.id] and end is None
    assert count(Bookmark) == 5, "a hidden post's bookmark is kept, for when it comes back"


# --- reminders --------------------------------------------------------------------------------------
def test_a_due_reminder_becomes_one_notification_and_an_email(world):
    thread, opening = start(world, "member", title="Recruitment fees in Malaysia")
    supplier = world.user("supplier")
    due = utcnow() + timedelta(minutes=5)
    mark, _ = save_bookmark(supplier, post=opening, note="ask our agent", remind_at=due)
    later, _ = save_bookmark(supplier, thread=thread, remind_at=due + timedelta(days=1))

    assert run_reminders(due - timedelta(seconds=1)) == 0
    assert run_reminders(due) == 1
    assert run_reminders(due + timedelta(minutes=1)) == 0  # once

    [note] = db.session.scalars(select(Notification).where(Notification.kind == "reminder")).all()
    assert note.user_id == supplier.id
    assert note.text == "Reminder: Recruitment fees in Malaysia. Your note: ask our agent"
    assert note.url == f"/posts/{opening.id}"
    [mail] = db.session.scalars(select(OutboxEmail).where(OutboxEmail.category == "reminders")).all()
    assert mail.to_address == "supplier@example.com"
    assert db.session.get(Bookmark, mark.id).reminded_at is not None
    assert db.session.get(Bookmark, later.id).reminded_at is None


def test_no_reminder_email_when_the_preference_says_no(world):
    from community.actions.watching import update_preferences

    _thread, opening = start(world, "member")
    supplier = world.user("supplier")
    update_preferences(supplier, mentions=True, replies=True, digest="weekly", reminders=False)
    due = utcnow() + timedelta(minutes=1)
    save_bookmark(supplier, post=opening, remind_at=due)
    assert run_reminders(due) == 1
    assert count(Notification, Notification.kind == "reminder") == 1
    assert count(OutboxEmail, OutboxEmail.category == "reminders") == 0


def test_no_reminder_of_what_one_may_no_longer_see(world):
    thread, opening = start(world, "member")
    reply = answer(world, "member2", thread)
    supplier = world.user("supplier")
    due = utcnow() + timedelta(minutes=1)
    save_bookmark(supplier, post=reply, remind_at=due)
    moderate_post(world.user("moderator"), reply, "hide", "spam")
    assert run_reminders(due) == 0
    assert count(Notification, Notification.kind == "reminder") == 0
    assert count(Bookmark, Bookmark.reminded_at.is_not(None)) == 1  # claimed: not tried forever


def test_a_thread_reminder_quotes_its_opening_words_and_never_an_anonymous_name(world):

    thread, _opening = start(world, "supplier2", anonymous=True, title="Unpaid overtime in the spinning unit",
                             body="Our workers did 60 hours last week.")
    owner = world.user("member")
    due = utcnow() + timedelta(minutes=1)
    save_bookmark(owner, thread=thread, remind_at=due)
    assert run_reminders(due) == 1
    [mail] = db.session.scalars(select(OutboxEmail).where(OutboxEmail.category == "reminders")).all()
    assert "60 hours" in mail.body_text
    assert "Anonymous supplier" in mail.body_text
    for secret in ("Supplier2", "Rubber Works", "supplier2@example.com"):
        assert secret not in mail.body_text and secret not in mail.body_html and secret not in mail.subject
