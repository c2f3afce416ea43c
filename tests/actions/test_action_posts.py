"""actions.posts: replies, edits, soft delete/restore and flags — the rows written and the events sent."""
from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from community import events
from community.actions import announce, screening
from community.actions.posts import delete_post, edit_post, flag_post, reply, restore_post
from community.errors import Conflict, Forbidden, Invalid, Locked, NotFound, RateLimited
from community.extensions import db
from community.models import Flag, ModerationAction, Notification, Post, PostRevision, RoomEvent, utcnow
from tests.actions.support import assert_names_nobody, start


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


# --- replying ------------------------------------------------------------------------------
def test_reply_writes_the_post_and_announces_it_after_commit(world, emitted):
    thread, _opening = start(world, "member")
    emitted.clear()
    post = reply(world.user("supplier"), thread, "Hello **world**", client_id="c-1")

    row = db.session.get(Post, post.id)
    assert (row.state, row.body, row.client_id, row.is_opening) == ("visible", "Hello **world**", "c-1", False)
    assert "<strong>world</strong>" in row.html
    assert thread.reply_count == 1

    created = emitted.named("post.created")
    assert [e.room for e in created] == [f"thread:{thread.id}"]
    event = created[0]
    assert event.committed, "post.created went out before its transaction committed"
    assert event.payload["post"]["id"] == post.id
    assert event.payload["post"]["author"]["name"] == "Supplier"
    assert isinstance(event.payload["cursor"], int)
    assert "body" not in event.payload["post"], "the Markdown source is for the author and moderators only"
    activity = emitted.named("thread.updated", room="topic:grievance")
    assert activity and activity[0].committed
    # every stored event has its row, and the thread room gets exactly one event
    assert count(RoomEvent, RoomEvent.room == f"thread:{thread.id}") == 1


def test_cursors_increase_within_a_room(world, emitted):
    thread, _ = start(world, "member")
    emitted.clear()
    for i in range(4):
        reply(world.user("supplier"), thread, f"reply {i}")
    cursors = [e.payload["cursor"] for e in emitted.named("post.created")]
    assert len(cursors) == 4
    assert cursors == sorted(cursors) and len(set(cursors)) == 4


def test_nothing_is_emitted_before_the_commit(world, emitted):
    thread, _ = start(world, "member")
    emitted.clear()
    events.queue_event(f"thread:{thread.id}", "post.updated", {"room": f"thread:{thread.id}"})
    db.session.flush()
    assert emitted.events == []
    events.commit()
    assert [e.name for e in emitted.events] == ["post.updated"]
    assert emitted.events[0].committed


def test_an_action_that_fails_after_queueing_emits_nothing(world, emitted, monkeypatch):
    """announce_visible_post queues post.created, then notifications blow up: rollback, silence."""
    thread, _ = start(world, "member")
    emitted.clear()
    before_events = count(RoomEvent)

    def boom(_post):
        raise RuntimeError("mail server on fire")

    monkeypatch.setattr(announce, "notify_about", boom)
    with pytest.raises(RuntimeError):
        reply(world.user("supplier"), thread, "this never happened")
    # the action's unit of work rolled back: nobody has to
    assert emitted.events == []
    assert count(RoomEvent) == before_events
    assert count(Post, Post.body == "this never happened") == 0

    # the next successful commit sends its own events only, never the rolled-back ones
    monkeypatch.undo()
    from community.extensions import socketio
    monkeypatch.setattr(socketio, "emit", emitted)
    thread = db.session.merge(thread)
    post = reply(world.user("supplier"), thread, "this did happen")
    created = emitted.named("post.created")
    assert [e.payload["post"]["id"] for e in created] == [post.id]
    assert "this never happened" not in json.dumps([e.payload for e in emitted.events])


def test_queued_then_rolled_back_directly(world, emitted):
    thread, _ = start(world, "member")
    emitted.clear()
    events.queue_event(f"thread:{thread.id}", "post.updated", {"room": "x", "secret": "rolled back"})
    db.session.flush()
    db.session.rollback()
    thread = db.session.merge(thread)
    thread.pinned = True
    events.commit()
    assert emitted.events == []


def test_reply_validates_input(world):
    thread, opening = start(world, "member")
    supplier = world.user("supplier")
    with pytest.raises(Invalid) as err:
        reply(supplier, thread, "   ")
    assert err.value.field == "body"
    with pytest.raises(Invalid):
        reply(supplier, thread, "x" * 20_001)
    with pytest.raises(Invalid):
        reply(supplier, thread, {"not": "text"})
    with pytest.raises(Invalid):
        reply(supplier, thread, "ok", reply_to="abc")
    with pytest.raises(Invalid):
        reply(supplier, thread, "ok", anonymous="perhaps")
    other, _ = start(world, "member", title="Another thread here")
    with pytest.raises(Invalid):
        reply(supplier, thread, "ok", reply_to=other.id)  # a post id from elsewhere
    assert count(Post) == 2


def test_reply_refusals(world):
    thread, _ = start(world, "member", slug="members-lounge")
    with pytest.raises(NotFound):
        reply(world.user("supplier"), thread, "let me in")
    with pytest.raises(Forbidden):
        reply(world.user("suspended"), thread, "still here")
    with pytest.raises(Forbidden):
        reply(world.user("member"), thread, "anon", anonymous=True)  # members-lounge: no anonymity
    thread.locked = True
    db.session.commit()
    with pytest.raises(Locked):
        reply(world.user("member2"), thread, "too late")


def test_reply_to_a_held_parent_is_refused_to_others(world):
    thread, _ = start(world, "member")
    topic = world.topic("grievance")
    topic.moderation = "all"
    db.session.commit()
    held = reply(world.user("supplier"), thread, "held one")
    assert held.state == "held"
    with pytest.raises(Invalid):
        reply(world.user("member2"), thread, "x", reply_to=held.id)
    # the thread's moderator may answer it
    assert reply(world.user("moderator"), thread, "x", reply_to=held.id).reply_to_id == held.id


# --- anonymous posts ----------------------------------------------------------------------
def test_anonymous_reply_never_names_the_author_in_room_payloads(world, emitted):
    thread, opening = start(world, "supplier")
    emitted.clear()
    author = world.user("supplier2")
    post = reply(author, thread, "I would rather not say who I am", anonymous=True, reply_to=opening.id)
    assert post.anonymous
    room_events = [e for e in emitted.events if not e.room.startswith("mods:")]
    assert {e.room for e in room_events} >= {f"thread:{thread.id}", "topic:grievance"}
    for event in room_events:
        if event.room.startswith("user:"):
            continue  # checked below
        assert_names_nobody(event.json(), author)
    created = emitted.named("post.created")[0]
    assert created.payload["post"]["author"] == {"anonymous": True, "label": "Anonymous supplier"}
    # the notification to the parent's author does not name them either
    notes = emitted.named("notification")
    assert notes and all(e.room == f"user:{world.user('supplier').id}" for e in notes)
    for note in notes:
        assert_names_nobody(note.json(), author)
    stored = db.session.scalars(select(Notification)).all()
    assert stored and all("Supplier2" not in n.text for n in stored)
    # stored replay rows are what reconnecting clients get: same rule
    for row in db.session.scalars(select(RoomEvent).where(~RoomEvent.room.startswith("mods:"),
                                                          ~RoomEvent.room.startswith("user:"))):
        assert_names_nobody(json.dumps(row.payload), author)


def test_anonymous_edit_delete_restore_events_stay_anonymous(world, emitted):
    thread, _ = start(world, "supplier")
    author = world.user("supplier2")
    post = reply(author, thread, "anonymous words", anonymous=True)
    edit_post(author, post, "anonymous words, edited")
    delete_post(author, post)
    restore_post(author, post)
    names = [e.name for e in emitted.to(f"thread:{thread.id}")]
    assert names == ["post.created", "post.updated", "post.deleted", "post.restored"]
    for event in emitted.to(f"thread:{thread.id}"):
        assert_names_nobody(event.json(), author)


# --- moderation policies -----------------------------------------------------------------
def test_held_post_goes_to_the_moderators_room_only(world, emitted):
    topic = world.topic("grievance")
    topic.moderation = "all"
    db.session.commit()
    thread, _ = start(world, "moderator")  # moderators are never held
    emitted.clear()
    author = world.user("supplier2")
    post = reply(author, thread, "please approve me", anonymous=True)
    assert post.state == "held"
    assert emitted.to(f"thread:{thread.id}") == []
    assert emitted.to("topic:grievance") == []
    queue = emitted.named("moderation.queue", room="mods:grievance")
    assert len(queue) == 1 and queue[0].committed
    # the moderators get what they need to decide, not who it is (that takes a logged reveal)
    assert queue[0].payload["post"]["author"] == {"anonymous": True, "label": "Anonymous supplier"}
    assert queue[0].payload["post"]["body"] == "please approve me"
    assert thread.reply_count == 0
    assert count(Notification) == 0  # nobody hears of a held post yet


def test_hold_first_n_posts_of_new_users(world):
    topic = world.topic("grievance")
    topic.moderation, topic.hold_first_n = "first_n", 2
    db.session.commit()
    from community.actions.moderation import moderate_post

    thread, _ = start(world, "moderator")
    supplier, moderator = world.user("supplier"), world.user("moderator")
    first = reply(supplier, thread, "first")
    assert first.state == "held"
    moderate_post(moderator, first, "approve")
    second = reply(supplier, thread, "second")
    assert second.state == "held"
    moderate_post(moderator, second, "approve")
    third = reply(supplier, thread, "third")
    assert third.state == "visible"
    assert reply(moderator, thread, "mods are never held").state == "visible"


def test_hold_all_holds_every_post_but_the_moderators(world):
    topic = world.topic("grievance")
    topic.moderation = "all"
    db.session.commit()
    thread, opening = start(world, "member")
    assert (thread.state, opening.state) == ("held", "held")
    mod_thread, _ = start(world, "moderator", title="Moderator's own thread")
    for _ in range(3):
        assert reply(world.user("member2"), mod_thread, "again").state == "held"
    assert reply(world.user("admin"), mod_thread, "admin").state == "visible"


# --- slow mode ---------------------------------------------------------------------------------
def test_slow_mode_says_how_long_to_wait(world, monkeypatch):
    topic = world.topic("grievance")
    topic.slow_mode_seconds = 60
    db.session.commit()
    thread, _ = start(world, "moderator")
    supplier = world.user("supplier")
    reply(supplier, thread, "first")
    with pytest.raises(RateLimited) as err:
        reply(supplier, thread, "second")
    assert err.value.code == "rate_limited" and err.value.status == 429
    seconds = int(re.search(r"(\d+) seconds?", err.value.message).group(1))
    assert 1 <= seconds <= 60
    assert count(Post, Post.body == "second") == 0
    # moderators are not slowed down; others are free again once the time has passed
    reply(world.user("moderator"), thread, "mod 1")
    reply(world.user("moderator"), thread, "mod 2")
    later = utcnow() + timedelta(seconds=61)
    monkeypatch.setattr(screening, "utcnow", lambda: later)
    assert reply(supplier, thread, "second").state == "visible"


def test_slow_mode_does_not_block_an_idempotent_retry(world):
    topic = world.topic("grievance")
    topic.slow_mode_seconds = 60
    db.session.commit()
    thread, _ = start(world, "moderator")
    first = reply(world.user("supplier"), thread, "once", client_id="k1")
    again = reply(world.user("supplier"), thread, "once", client_id="k1")
    assert again.id == first.id


# --- idempotency ---------------------------------------------------------------------------------
def test_same_client_id_twice_makes_one_post(world, emitted):
    thread, _ = start(world, "member")
    emitted.clear()
    supplier = world.user("supplier")
    first = reply(supplier, thread, "only once", client_id="tab-1:42")
    second = reply(supplier, thread, "only once", client_id="tab-1:42")
    assert first.id == second.id
    assert count(Post, Post.client_id == "tab-1:42") == 1
    assert len(emitted.named("post.created")) == 1
    # another author may use the same key; the same author may not reuse it in another thread
    assert reply(world.user("member2"), thread, "mine", client_id="tab-1:42").id != first.id
    other, _ = start(world, "member", title="Some other thread")
    with pytest.raises(Conflict):
        reply(supplier, other, "only once", client_id="tab-1:42")
    with pytest.raises(Invalid):
        reply(supplier, thread, "x", client_id="k" * 65)


# --- notifications --------------------------------------------------------------------------------
def notes_of(world, name):
    return db.session.scalars(select(Notification).where(Notification.user_id == world.user(name).id)
                              .order_by(Notification.id)).all()


def test_reply_notifies_the_parent_author(world, emitted):
    thread, opening = start(world, "supplier")
    emitted.clear()
    post = reply(world.user("member"), thread, "an answer", reply_to=opening.id)
    (note,) = notes_of(world, "supplier")
    assert (note.kind, note.post_id, note.thread_id) == ("reply", post.id, thread.id)
    assert "Member" in note.text
    pushed = emitted.named("notification", room=f"user:{world.user('supplier').id}")
    assert len(pushed) == 1 and pushed[0].committed
    assert pushed[0].payload["notification"]["id"] == note.id
    assert pushed[0].payload["unread"] == 1


def test_answer_notifies_the_asker_once(world):
    thread, opening = start(world, "supplier", kind="question")
    reply(world.user("member"), thread, "an answer")
    reply(world.user("member2"), thread, "reply to the question post", reply_to=opening.id)
    kinds = [n.kind for n in notes_of(world, "supplier")]
    assert kinds == ["answer", "reply"]  # one each, never two for the same post


def test_mentions_notify_by_handle(world):
    thread, _ = start(world, "member")
    reply(world.user("supplier"), thread, "Thanks @member2 and @supplier2, see `@admin` too.")
    assert [n.kind for n in notes_of(world, "member2")] == ["mention"]
    assert [n.kind for n in notes_of(world, "supplier2")] == ["mention"]


def test_no_notification_to_self_or_to_someone_who_cannot_read(world):
    thread, opening = start(world, "supplier", slug="textiles-circle", kind="question")
    reply(world.user("supplier"), thread, "replying to myself @supplier", reply_to=opening.id)
    assert notes_of(world, "supplier") == []
    # supplier2 (Rubber Works) cannot read textiles-circle: no mention notification
    reply(world.user("admin"), thread, "hello @supplier2 and @pending and @suspended")
    assert notes_of(world, "supplier2") == []
    assert notes_of(world, "pending") == [] and notes_of(world, "suspended") == []
    lounge, _ = start(world, "member", slug="members-lounge")
    reply(world.user("member2"), lounge, "@supplier should not hear about this")
    assert [n.kind for n in notes_of(world, "supplier")] == ["answer"]  # only the admin's answer


def test_accepted_answer_notifies_its_author(world):
    from community.actions.threads import accept_answer

    thread, _ = start(world, "supplier", kind="question")
    post = reply(world.user("member"), thread, "the answer")
    accept_answer(world.user("supplier"), thread, post.id)
    assert [n.kind for n in notes_of(world, "member")] == ["accepted"]
    own = reply(world.user("supplier"), thread, "my own answer")
    accept_answer(world.user("supplier"), thread, own.id)
    assert [n.kind for n in notes_of(world, "supplier")] == ["answer"]  # no "accepted" to self


def test_mark_read(world):
    from community.actions.notifications import mark_read, unread_count

    thread, opening = start(world, "supplier")
    reply(world.user("member"), thread, "one", reply_to=opening.id)
    reply(world.user("member2"), thread, "two", reply_to=opening.id)
    supplier = world.user("supplier")
    assert unread_count(supplier) == 2
    first = notes_of(world, "supplier")[0]
    assert mark_read(supplier, first.id) == 1
    assert unread_count(supplier) == 1
    assert mark_read(world.user("member"), None) == 0  # nothing of someone else's changes
    assert mark_read(supplier) == 1
    assert unread_count(supplier) == 0


# --- editing --------------------------------------------------------------------------------------
def test_edit_keeps_a_revision_and_announces_the_update(world, emitted):
    thread, _ = start(world, "member")
    supplier = world.user("supplier")
    post = reply(supplier, thread, "first version")
    emitted.clear()
    edit_post(supplier, post, "second version", reason="typo")
    (revision,) = db.session.scalars(select(PostRevision).where(PostRevision.post_id == post.id)).all()
    assert (revision.body, revision.editor_id, revision.reason) == ("first version", supplier.id, "typo")
    assert post.body == "second version" and "second version" in post.html and post.edited_at is not None
    (updated,) = emitted.named("post.updated", room=f"thread:{thread.id}")
    assert updated.committed and "second version" in updated.payload["post"]["html"]
    assert count(ModerationAction) == 0  # authors editing their own words are not audited
    edit_post(supplier, post, "second version")  # no change, no revision
    assert count(PostRevision) == 1


def test_moderator_edit_is_audited_with_before_and_after(world):
    thread, _ = start(world, "member")
    post = reply(world.user("supplier"), thread, "call me on +1 555 0100")
    edit_post(world.user("moderator"), post, "call me (number removed)", reason="personal data")
    (audit,) = db.session.scalars(select(ModerationAction)).all()
    assert audit.action == "edit_post" and audit.actor_id == world.user("moderator").id
    assert audit.before == {"body": "call me on +1 555 0100"}
    assert audit.after == {"body": "call me (number removed)"}
    with pytest.raises(Forbidden):
        edit_post(world.user("member2"), post, "not mine")


# --- delete and restore -------------------------------------------------------------------------
def test_delete_restore_round_trip_of_a_visible_post(world, emitted):
    thread, _ = start(world, "member")
    supplier = world.user("supplier")
    post = reply(supplier, thread, "regret")
    emitted.clear()
    delete_post(supplier, post)
    assert (post.state, post.deleted_from) == ("deleted", "visible")
    assert thread.reply_count == 0
    assert db.session.get(Post, post.id).body == "regret"  # soft: nothing destroyed
    (deleted,) = emitted.named("post.deleted", room=f"thread:{thread.id}")
    assert deleted.payload["post_id"] == post.id and deleted.committed
    with pytest.raises(Forbidden):
        delete_post(supplier, post)  # already deleted
    restore_post(supplier, post)
    assert (post.state, post.deleted_from) == ("visible", None)
    assert thread.reply_count == 1
    (restored,) = emitted.named("post.restored", room=f"thread:{thread.id}")
    assert restored.payload["post"]["id"] == post.id
    assert restored.payload["cursor"] > deleted.payload["cursor"]


@pytest.mark.parametrize("start_state", ["held", "hidden"])
def test_restore_returns_to_the_previous_state(world, emitted, start_state):
    thread, _ = start(world, "member")
    supplier = world.user("supplier")
    post = reply(supplier, thread, "words")
    post.state = start_state
    db.session.commit()
    emitted.clear()
    delete_post(supplier, post)
    restore_post(supplier, post)
    assert post.state == start_state
    assert emitted.to(f"thread:{thread.id}") == []  # readers never saw it, they hear nothing


def test_moderator_delete_and_restore_are_audited(world):
    thread, _ = start(world, "member")
    post = reply(world.user("supplier"), thread, "words")
    moderator = world.user("moderator")
    delete_post(moderator, post, reason="off topic")
    restore_post(moderator, post, reason="on reflection fine")
    rows = db.session.scalars(select(ModerationAction).order_by(ModerationAction.id)).all()
    assert [(r.action, r.before, r.after) for r in rows] == [
        ("delete_post", {"state": "visible"}, {"state": "deleted"}),
        ("undelete_post", {"state": "deleted"}, {"state": "visible"}),
    ]
    assert rows[0].reason == "off topic"
    with pytest.raises(Forbidden):
        delete_post(world.user("member2"), post)


# --- flags ------------------------------------------------------------------------------------
def test_flag_once_per_user(world, emitted):
    thread, _ = start(world, "member")
    post = reply(world.user("supplier"), thread, "questionable")
    flag = flag_post(world.user("member2"), post, "spam")
    assert (flag.reason, flag.status, flag.user_id) == ("spam", "open", world.user("member2").id)
    with pytest.raises(Conflict):
        flag_post(world.user("member2"), post, "abusive")
    assert count(Flag) == 1
    queue = emitted.named("moderation.queue", room="mods:grievance")
    assert queue[-1].payload["change"] == "flagged" and queue[-1].payload["flags"] == 1
    with pytest.raises(Forbidden):
        flag_post(world.user("supplier"), post, "spam")  # own post
    with pytest.raises(Invalid):
        flag_post(world.user("admin"), post, "because")
    with pytest.raises(Invalid):
        flag_post(world.user("admin"), post, "other")  # "other" needs a note
    flag_post(world.user("admin"), post, "other", note="it is an advert")


def test_enough_distinct_flags_hide_the_post(app, world, emitted):
    assert app.config["FLAGS_TO_HIDE"] == 3
    thread, _ = start(world, "member")
    post = reply(world.user("supplier"), thread, "spam spam spam")
    emitted.clear()
    flag_post(world.user("member2"), post, "spam")
    flag_post(world.user("supplier2"), post, "spam")
    assert post.state == "visible"
    assert emitted.named("post.hidden") == []
    flag_post(world.user("moderator"), post, "spam")
    assert post.state == "hidden" and post.state_cause == "flags"
    assert thread.reply_count == 0
    (hidden,) = emitted.named("post.hidden", room=f"thread:{thread.id}")
    assert hidden.payload["post_id"] == post.id and hidden.committed
    assert "spam spam spam" not in hidden.json()
    assert emitted.named("moderation.queue")[-1].payload["hidden"] is True
    with pytest.raises(Forbidden):  # a fourth reader can no longer see, so cannot flag, it
        flag_post(world.user("admin"), post, "spam")


def test_an_author_cannot_undo_a_moderators_delete(world):
    thread, _ = start(world, "member")
    supplier, moderator = world.user("supplier"), world.user("moderator")
    post = reply(supplier, thread, "against the rules")
    delete_post(moderator, post, reason="breaks rule 3")
    with pytest.raises(Forbidden):
        restore_post(supplier, post)
    assert post.state == "deleted"
    restore_post(moderator, post)
    assert post.state == "visible"
    # what the author deleted themselves, they may restore
    delete_post(supplier, post)
    restore_post(supplier, post)
    assert post.state == "visible"


def test_deleting_the_accepted_answer_is_announced(world, emitted):
    from community.actions.threads import accept_answer

    thread, _ = start(world, "supplier", kind="question")
    post = reply(world.user("member"), thread, "the answer")
    accept_answer(world.user("supplier"), thread, post.id)
    emitted.clear()
    delete_post(world.user("member"), post)
    assert thread.accepted_post_id is None
    updates = emitted.named("thread.updated")
    assert {e.room for e in updates} == {f"thread:{thread.id}", "topic:grievance"}
    assert all(e.payload["thread"]["accepted_post_id"] is None for e in updates)


def test_activity_in_a_held_thread_stays_out_of_the_topic_room(world, emitted):
    """A thread awaiting review (hold policy, watched word) is not announced before approval."""
    thread, opening = start(world, "supplier", title="Title awaiting review")
    thread.state, opening.state = "held", "held"
    db.session.commit()
    emitted.clear()
    reply(world.user("moderator"), thread, "please remove the names and I will approve")
    reply(world.user("supplier"), thread, "done")
    assert emitted.to("topic:grievance") == []
    assert "Title awaiting review" not in json.dumps([e.payload for e in emitted.events
                                                       if not e.room.startswith(("mods:", "thread:"))])
