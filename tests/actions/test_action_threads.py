"""actions.threads: starting threads and accepting answers — rows and events."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.actions.moderation import moderate_post
from community.actions.threads import accept_answer, get_thread, get_topic, start_thread
from community.errors import Forbidden, Invalid, NotFound
from community.extensions import db
from community.models import Notification, Post, Thread
from tests.actions.support import answer, assert_names_nobody, start


def test_start_thread_writes_thread_and_opening_post(world, emitted):
    thread, opening = start(world, "supplier", title="  Recruitment fees in Malaysia  ",
                            body="Who pays?", kind="question", tags="fees, Recruitment,fees")
    assert (thread.title, thread.kind, thread.state, thread.tags) == (
        "Recruitment fees in Malaysia", "question", "visible", "fees,recruitment")
    assert opening.is_opening and opening.thread_id == thread.id and opening.state == "visible"
    assert thread.reply_count == 0
    (created,) = emitted.named("thread.created")
    assert created.room == "topic:grievance" and created.committed
    assert created.payload["thread"]["id"] == thread.id
    assert emitted.named("post.created") == []  # the opening post arrives with the thread


def test_start_thread_validates(world):
    supplier, topic = world.user("supplier"), world.topic("grievance")
    with pytest.raises(Invalid) as err:
        start_thread(supplier, topic, title="Hi", body="too short a title")
    assert err.value.field == "title"
    with pytest.raises(Invalid):
        start_thread(supplier, topic, title="A fine title", body="")
    with pytest.raises(Invalid):
        start_thread(supplier, topic, title="A fine title", body="x", kind="archive")
    with pytest.raises(Invalid):
        start_thread(supplier, topic, title="A fine title", body="x", tags=["a", "b", "c", "d", "e", "f"])
    assert db.session.scalar(select(func.count(Thread.id))) == 0


def test_who_may_start_what(world):
    with pytest.raises(Forbidden):
        start(world, "supplier", slug="announcements")
    with pytest.raises(Forbidden):
        start(world, "supplier", kind="announcement")
    with pytest.raises(NotFound):
        start(world, "supplier2", slug="textiles-circle")
    with pytest.raises(Forbidden):
        start(world, "pending")
    with pytest.raises(Invalid):
        start(world, "member", kind="announcement", anonymous=True)
    with pytest.raises(Forbidden):
        start(world, "member", slug="members-lounge", anonymous=True)
    thread, _ = start(world, "member", slug="announcements", kind="announcement")
    assert thread.kind == "announcement"


def test_anonymous_thread_is_announced_without_a_name(world, emitted):
    author = world.user("supplier2")
    thread, opening = start(world, "supplier2", anonymous=True, title="A sensitive question here")
    assert thread.anonymous and opening.anonymous
    (created,) = emitted.named("thread.created")
    assert created.payload["thread"]["author"] == {"anonymous": True, "label": "Anonymous supplier"}
    assert_names_nobody(created.json(), author)


def test_start_thread_is_idempotent_by_client_id(world, emitted):
    first, p1 = start(world, "supplier", client_id="new-thread-1")
    again, p2 = start(world, "supplier", client_id="new-thread-1")
    assert (first.id, p1.id) == (again.id, p2.id)
    assert db.session.scalar(select(func.count(Thread.id))) == 1
    assert len(emitted.named("thread.created")) == 1


def test_held_thread_waits_for_approval(world, emitted):
    topic = world.topic("grievance")
    topic.moderation = "all"
    db.session.commit()
    thread, opening = start(world, "supplier")
    assert (thread.state, opening.state) == ("held", "held")
    assert emitted.to("topic:grievance") == []
    (queued,) = emitted.named("moderation.queue", room="mods:grievance")
    assert queued.payload["post"]["id"] == opening.id
    emitted.clear()
    moderate_post(world.user("moderator"), opening, "approve")
    assert thread.state == "visible" and opening.state == "visible"
    (created,) = emitted.named("thread.created", room="topic:grievance")
    assert created.payload["thread"]["id"] == thread.id and created.committed


def test_accept_answer(world, emitted):
    thread, opening = start(world, "supplier", kind="question")
    good = answer(world, "member", thread, "the answer")
    emitted.clear()
    accept_answer(world.user("supplier"), thread, good.id)
    assert thread.accepted_post_id == good.id and thread.answered
    rooms = {e.room for e in emitted.named("thread.updated")}
    assert rooms == {f"thread:{thread.id}", "topic:grievance"}
    for event in emitted.named("thread.updated"):
        assert event.payload["change"] == "accepted" and event.payload["accepted_post_id"] == good.id
        assert event.committed
    # the moderator can change it; the asker can take it back
    better = answer(world, "member2", thread, "a better answer")
    accept_answer(world.user("moderator"), thread, str(better.id))
    assert thread.accepted_post_id == better.id
    accept_answer(world.user("supplier"), thread, None)
    assert thread.accepted_post_id is None


def test_accept_answer_refusals(world):
    thread, opening = start(world, "supplier", kind="question")
    good = answer(world, "member", thread, "the answer")
    with pytest.raises(Forbidden):
        accept_answer(world.user("member2"), thread, good.id)
    with pytest.raises(Forbidden):
        accept_answer(world.user("supplier"), thread, opening.id)
    other, _ = start(world, "supplier", kind="question", title="Another question here")
    elsewhere = answer(world, "member", other, "elsewhere")
    with pytest.raises(Invalid):
        accept_answer(world.user("supplier"), thread, elsewhere.id)
    with pytest.raises(Invalid):
        accept_answer(world.user("supplier"), thread, "not-a-number")
    discussion, _ = start(world, "supplier", title="Just a discussion")
    reply_ = answer(world, "member", discussion, "a reply")
    with pytest.raises(Forbidden):
        accept_answer(world.user("supplier"), discussion, reply_.id)
    assert thread.accepted_post_id is None


def test_get_thread_and_topic(world):
    thread, _ = start(world, "supplier")
    assert get_thread(thread.id) is thread
    assert get_topic("grievance").slug == "grievance"
    for bad in ("1", None, 10**6):
        with pytest.raises(NotFound):
            get_thread(bad)
    with pytest.raises(NotFound):
        get_topic("nope")
    with pytest.raises(NotFound):
        get_topic(5)


def test_notifications_of_a_new_question_mention(world):
    start(world, "supplier", kind="question", body="@member could you help?")
    notes = db.session.scalars(select(Notification)).all()
    assert [(n.user_id, n.kind) for n in notes] == [(world.user("member").id, "mention")]
    assert db.session.scalar(select(func.count(Post.id))) == 1
