"""actions.moderation: post and thread actions, each with its audit row and events."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from community.actions.moderation import (
    assign_moderator,
    held_and_flagged,
    moderate_post,
    moderate_thread,
    remove_moderator,
)
from community.actions.posts import flag_post, reply
from community.errors import Conflict, Forbidden, Invalid, Locked
from community.extensions import db
from community.models import Flag, ModerationAction, Notification, TopicModerator
from community.permissions import Guardian
from tests.actions.support import answer, start


def audits(action: str | None = None) -> list[ModerationAction]:
    stmt = select(ModerationAction).order_by(ModerationAction.id)
    if action:
        stmt = stmt.where(ModerationAction.action == action)
    return list(db.session.scalars(stmt))


@pytest.fixture
def held(world):
    """A held reply by supplier2 in a grievance thread (topic on hold-all)."""
    thread, _ = start(world, "moderator")
    topic = world.topic("grievance")
    topic.moderation = "all"
    db.session.commit()
    return reply(world.user("supplier2"), thread, "held words")


# --- posts ---------------------------------------------------------------------------------
def test_approve_makes_a_held_post_appear(world, emitted, held):
    emitted.clear()
    moderator = world.user("moderator")
    moderate_post(moderator, held, "approve", reason="fine")
    assert held.state == "visible"
    (created,) = emitted.named("post.created", room=f"thread:{held.thread_id}")
    assert created.payload["post"]["id"] == held.id and created.committed
    (handled,) = emitted.named("moderation.queue", room="mods:grievance")
    assert handled.payload["change"] == "handled" and handled.payload["action"] == "approve"
    (row,) = audits("approve_post")
    assert (row.actor_id, row.target_type, row.target_id, row.topic_id, row.target_user_id) == (
        moderator.id, "post", held.id, world.topic("grievance").id, world.user("supplier2").id)
    assert (row.before, row.after, row.reason) == ({"state": "held"}, {"state": "visible"}, "fine")
    kinds = db.session.scalars(select(Notification.kind).where(
        Notification.user_id == world.user("supplier2").id)).all()
    assert "moderation" in kinds
    with pytest.raises(Conflict):
        moderate_post(moderator, held, "approve")
    assert len(audits("approve_post")) == 1


def test_reject_a_held_post(world, emitted, held):
    moderator = world.user("moderator")
    with pytest.raises(Invalid) as err:
        moderate_post(moderator, held, "reject")
    assert err.value.field == "reason"
    emitted.clear()
    moderate_post(moderator, held, "reject", reason="Please remove the names")
    assert held.state == "hidden" and held.state_cause == "rejected" and held.state_reason == "Please remove the names"
    assert emitted.to(f"thread:{held.thread_id}") == []  # readers never saw it
    (row,) = audits("reject_post")
    assert (row.before, row.after) == ({"state": "held"}, {"state": "hidden"})
    note = db.session.scalars(select(Notification).where(
        Notification.user_id == world.user("supplier2").id)).all()[-1]
    assert "Please remove the names" in note.text
    with pytest.raises(Conflict):
        moderate_post(moderator, held, "reject", reason="again")


def test_hide_and_restore_a_visible_post(world, emitted):
    thread, _ = start(world, "member")
    post = reply(world.user("supplier"), thread, "rude words")
    flag_post(world.user("member2"), post, "abusive")
    moderator = world.user("moderator")
    with pytest.raises(Invalid):
        moderate_post(moderator, post, "reject", reason="only held posts")
    emitted.clear()
    moderate_post(moderator, post, "hide", reason="abusive")
    assert post.state == "hidden" and thread.reply_count == 0
    (hidden,) = emitted.named("post.hidden", room=f"thread:{thread.id}")
    assert hidden.payload["post_id"] == post.id
    assert db.session.scalar(select(Flag.status)) == "upheld"
    with pytest.raises(Conflict):
        moderate_post(moderator, post, "hide", reason="again")
    emitted.clear()
    moderate_post(moderator, post, "restore", reason="on appeal")
    assert post.state == "visible" and thread.reply_count == 1
    (restored,) = emitted.named("post.restored", room=f"thread:{thread.id}")
    assert restored.payload["post"]["id"] == post.id
    with pytest.raises(Conflict):
        moderate_post(moderator, post, "restore")
    assert [(r.action, r.before, r.after) for r in audits()] == [
        ("hide_post", {"state": "visible"}, {"state": "hidden"}),
        ("restore_post", {"state": "hidden"}, {"state": "visible"}),
    ]


def test_approving_a_flag_hidden_post_dismisses_the_flags(app, world, emitted):
    thread, _ = start(world, "member")
    post = reply(world.user("supplier"), thread, "borderline")
    for name in ("member2", "supplier2", "admin"):
        flag_post(world.user(name), post, "off_topic")
    assert post.state == "hidden"
    emitted.clear()
    moderate_post(world.user("moderator"), post, "approve")
    assert post.state == "visible"
    assert set(db.session.scalars(select(Flag.status))) == {"dismissed"}
    assert emitted.named("post.restored", room=f"thread:{thread.id}")


def test_moderator_of_another_topic_cannot_moderate(world):
    lounge, _ = start(world, "member", slug="members-lounge")
    post = reply(world.user("member2"), lounge, "lounge talk")
    with pytest.raises(Forbidden):
        moderate_post(world.user("moderator"), post, "hide", reason="no")
    with pytest.raises(Forbidden):
        moderate_thread(world.user("moderator"), lounge, "lock")
    with pytest.raises(Forbidden):
        moderate_post(world.user("member"), post, "hide", reason="no")
    moderate_post(world.user("admin"), post, "hide", reason="admins moderate everywhere")
    assert post.state == "hidden"
    with pytest.raises(Invalid):
        moderate_post(world.user("admin"), post, "obliterate")
    assert [r.action for r in audits()] == ["hide_post"]


# --- threads -------------------------------------------------------------------------------
def test_lock_unlock_pin_unpin_are_audited_and_announced(world, emitted):
    thread, _ = start(world, "supplier")
    moderator = world.user("moderator")
    for action in ("lock", "pin", "unpin", "unlock"):
        emitted.clear()
        moderate_thread(moderator, thread, action, reason=f"{action} it")
        rooms = {e.room for e in emitted.named("thread.updated")}
        # A lock reaches its author's own room too (their open pages follow it); a pin does not.
        author = {f"user:{world.ids['supplier']}"} if action in ("lock", "unlock") else set()
        assert rooms == {f"thread:{thread.id}", "topic:grievance"} | author
        assert all(e.payload["change"] == action and e.committed for e in emitted.named("thread.updated"))
    rows = audits()
    assert [r.action for r in rows] == ["lock_thread", "pin_thread", "unpin_thread", "unlock_thread"]
    assert rows[0].before == {"locked": False, "pinned": False, "topic": "grievance"}
    assert rows[0].after == {"locked": True, "pinned": False, "topic": "grievance"}
    assert rows[0].reason == "lock it" and rows[0].target_user_id == world.user("supplier").id


def test_locking_twice_is_a_conflict_and_locked_threads_refuse_replies(world):
    thread, _ = start(world, "supplier")
    moderator = world.user("moderator")
    moderate_thread(moderator, thread, "lock")
    with pytest.raises(Conflict):
        moderate_thread(moderator, thread, "lock")
    with pytest.raises(Locked):
        reply(world.user("member"), thread, "too late")
    assert reply(moderator, thread, "closing note").state == "visible"
    assert len(audits("lock_thread")) == 1


def test_move_thread(world, emitted):
    thread, opening = start(world, "supplier")
    admin = world.user("admin")
    emitted.clear()
    moved = moderate_thread(admin, thread, "move", reason="belongs with members", topic_slug="members-lounge")
    # the caller's unit of work survives the move: its objects stay attached and usable
    assert moved.topic.slug == "members-lounge"
    assert opening in db.session and admin in db.session
    assert opening.body == "Opening post body"
    rooms = {e.room for e in emitted.named("thread.updated")}
    assert rooms == {f"thread:{thread.id}", "topic:members-lounge", f"user:{world.ids['supplier']}"}
    # the old topic learns the thread left, not where it went
    (removed,) = emitted.named("thread.removed")
    assert removed.room == "topic:grievance" and removed.payload == {
        "room": "topic:grievance", "thread_id": thread.id, "change": "moved", "cursor": removed.payload["cursor"]}
    (row,) = audits("move_thread")
    assert row.before["topic"] == "grievance" and row.after["topic"] == "members-lounge"
    # the supplier who started it can no longer read it there
    assert not Guardian(world.user("supplier")).can_read_thread(moved)


def test_move_needs_moderation_rights_in_both_topics(world):
    thread, _ = start(world, "supplier")
    moderator = world.user("moderator")
    answers = []
    for slug in ("members-lounge", "no-such-topic"):  # not theirs, and missing: one answer
        with pytest.raises(Invalid) as refused:
            moderate_thread(moderator, thread, "move", topic_slug=slug)
        answers.append(refused.value.message)
    assert answers == ["Choose a topic you moderate."] * 2
    with pytest.raises(Invalid):
        moderate_thread(moderator, thread, "move", topic_slug="grievance")
    db.session.rollback()
    assert db.session.merge(thread).topic.slug == "grievance"
    assert audits() == []


# --- moderators and the queue -----------------------------------------------------------------
def test_assign_and_remove_moderators(world):
    admin, member2, lounge = world.user("admin"), world.user("member2"), world.topic("members-lounge")
    with pytest.raises(Forbidden):
        assign_moderator(world.user("moderator"), lounge, member2)
    assign_moderator(admin, lounge, member2)
    assign_moderator(admin, lounge, member2)  # idempotent
    assert db.session.get(TopicModerator, (lounge.id, member2.id)) is not None
    assert Guardian(member2).can_moderate(lounge)
    remove_moderator(admin, lounge, member2)
    assert not Guardian(member2).can_moderate(world.topic("members-lounge"))
    with pytest.raises(Conflict):
        remove_moderator(admin, world.topic("members-lounge"), member2)
    assert [r.action for r in audits()] == ["assign_moderator", "remove_moderator"]


def test_review_queue_lists_held_and_flagged_posts(world, held):
    thread = held.thread
    world.topic("grievance").moderation = "post"
    db.session.commit()
    flagged = answer(world, "supplier", thread, "flag me")
    answer(world, "member", thread, "leave me")
    flag_post(world.user("member2"), flagged, "spam")
    queue = held_and_flagged(world.topic("grievance"))
    assert [p.id for p in queue] == [held.id, flagged.id]
    assert held_and_flagged(world.topic("members-lounge")) == []
