"""actions.reading: the read mark (forward only), unread and new counts, marking read, and
the read.updated events to the user's own room."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from community.actions import reading
from community.actions.moderation import moderate_post
from community.errors import Invalid, NotFound
from community.extensions import db
from community.models import Thread, ThreadRead, utcnow
from community.permissions import Guardian
from tests.actions.support import answer, start


def _replies(world, thread, who="supplier2", n=3):
    return [answer(world, who, thread, f"Reply {i}") for i in range(n)]


def test_mark_read_moves_forward_only_and_tells_the_users_other_tabs(world, emitted):
    thread, opening = start(world, "supplier")
    first, second, third = _replies(world, thread)
    member = world.user("member")
    state = reading.mark_read(member, thread, second.id)
    assert (state.last_read_post_id, state.unread, state.tracked) == (second.id, 1, True)
    (event,) = emitted.named("read.updated")
    assert event.room == f"user:{member.id}" and event.committed
    assert event.payload["thread_id"] == thread.id and event.payload["unread"] == 1
    assert event.payload["last_read_post_id"] == second.id and event.payload["topic"] == "grievance"
    # an older post changes nothing, and announces nothing
    state = reading.mark_read(member, thread, first.id)
    assert state.last_read_post_id == second.id
    assert len(emitted.named("read.updated")) == 1
    assert db.session.scalar(select(func.count()).select_from(ThreadRead)) == 1
    reading.mark_read(member, thread, third.id)
    assert reading.state_of(member, thread).unread == 0


def test_mark_read_refuses_posts_out_of_sight_or_elsewhere(world):
    thread, opening = start(world, "supplier")
    other, other_opening = start(world, "supplier", title="Another thread here")
    held = answer(world, "supplier2", thread, "Held one")
    moderate_post(world.user("moderator"), held, "hide", "spam")
    member = world.user("member")
    for bad in (other_opening.id, 10**6, "x", None, True):
        with pytest.raises(Invalid) as err:
            reading.mark_read(member, thread, bad)
        assert err.value.field == "post_id"
    # A post of the thread hidden while the reader's page showed it: read up to the last post
    # before it that they may see (here the opening), never the hidden one.
    reading.mark_read(member, thread, held.id)
    assert reading.state_of(member, thread).last_read_post_id == opening.id
    with pytest.raises(NotFound):  # a thread the reader may not read is "not there"
        secret, secret_opening = start(world, "supplier", slug="textiles-circle")
        reading.mark_read(world.user("supplier2"), secret, secret_opening.id)


def test_unread_counts_skip_own_and_invisible_posts(world):
    thread, opening = start(world, "supplier")
    member = world.user("member")
    reading.mark_read(member, thread, opening.id)
    answer(world, "member", thread, "My own reply")
    visible = answer(world, "supplier2", thread, "Visible reply")
    hidden = answer(world, "supplier2", thread, "To be hidden")
    moderate_post(world.user("moderator"), hidden, "hide", "spam")
    state = reading.state_of(member, thread)
    assert state.unread == 1
    assert reading.first_unread_post_id(member, thread, state) == visible.id
    assert reading.states_for(member, [thread])[thread.id] == state


def test_new_threads_are_recent_never_opened_and_by_others(app, world):
    mine, _ = start(world, "member", title="My own new thread")
    recent, recent_opening = start(world, "supplier", title="A recent thread")
    old, _ = start(world, "supplier", title="An old thread there")
    old.created_at = old.last_activity_at = utcnow() - timedelta(days=30)
    db.session.commit()
    member = world.user("member")
    states = reading.states_for(member, [mine, recent, old])
    assert [states[t.id].new for t in (mine, recent, old)] == [False, True, False]
    assert reading.topic_counts(Guardian(member)) == {world.topic("grievance").id: (0, 1)}
    reading.mark_read(member, recent, recent_opening.id)
    assert reading.states_for(member, [recent])[recent.id] == reading.ReadState(True, recent_opening.id, 0, False)
    assert reading.topic_counts(Guardian(member)) == {}
    answer(world, "supplier2", recent, "News")
    assert reading.topic_counts(Guardian(member)) == {world.topic("grievance").id: (1, 0)}


def test_mark_topic_read_and_mark_all_read(world, emitted):
    thread, opening = start(world, "supplier")
    lounge, lounge_opening = start(world, "member2", slug="members-lounge", title="Lounge matters here")
    member = world.user("member")
    reading.mark_read(member, thread, opening.id)
    answer(world, "supplier2", thread, "Unread reply")
    start(world, "supplier", title="A second new thread")
    grievance, members_lounge = world.topic("grievance"), world.topic("members-lounge")
    assert reading.topic_counts(Guardian(member)) == {grievance.id: (1, 1), members_lounge.id: (0, 1)}

    reading.mark_topic_read(member, grievance)
    assert reading.topic_counts(Guardian(member)) == {members_lounge.id: (0, 1)}
    last = emitted.named("read.updated")[-1].payload
    assert last == {"room": f"user:{member.id}", "topic": "grievance", "all": True, "cursor": last["cursor"]}
    # a reply after the mark is unread again in the thread the member had opened
    later = answer(world, "supplier2", thread, "After the mark")
    assert reading.state_of(member, thread).unread == 1
    assert reading.first_unread_post_id(member, thread, reading.state_of(member, thread)) == later.id

    reading.mark_all_read(member)
    assert reading.topic_counts(Guardian(member)) == {}
    assert emitted.named("read.updated")[-1].payload["topic"] is None
    # a supplier marking all read touches only the topics they may read
    reading.mark_all_read(world.user("supplier2"))
    with pytest.raises(NotFound):
        reading.mark_topic_read(world.user("supplier2"), world.topic("textiles-circle"))


def test_summary_lists_readable_topics_and_unread_threads(world):
    thread, opening = start(world, "supplier")
    secret, secret_opening = start(world, "supplier", slug="textiles-circle", title="Textiles only thread")
    supplier2 = world.user("supplier2")
    reading.mark_read(supplier2, thread, opening.id)
    answer(world, "member", thread, "Something new")
    data = reading.summary(Guardian(supplier2))
    slugs = [t["slug"] for t in data["topics"]]
    assert "textiles-circle" not in slugs and "members-lounge" not in slugs
    assert {"slug": "grievance", "unread": 1, "new": 0} in data["topics"]
    assert data["threads"] == [{"id": thread.id, "topic": "grievance", "unread": 1}]
    assert data["truncated"] is False
    # the thread moves to a topic the reader cannot read: it leaves their counts
    moved = db.session.get(Thread, thread.id)
    moved.topic_id = world.topic("textiles-circle").id
    db.session.commit()
    assert reading.summary(Guardian(supplier2))["threads"] == []


def test_record_shown_writes_only_when_the_mark_moves(world, emitted):
    thread, opening = start(world, "supplier")
    reply = answer(world, "supplier2", thread)
    member = world.user("member")
    reading.record_shown(member, thread, [opening.id, reply.id])
    reading.record_shown(member, thread, [opening.id])
    reading.record_shown(member, thread, [])
    assert len(emitted.named("read.updated")) == 1
    assert db.session.get(ThreadRead, (member.id, thread.id)).last_read_post_id == reply.id


def test_topic_counts_are_kept_until_a_post_or_the_readers_reading_changes_them(app, world):
    """READ_COUNTS_CACHE_SECONDS: the same counts are answered without counting again, until a
    new post (or thread) or the reader's own reading changes the key."""
    app.config["READ_COUNTS_CACHE_SECONDS"] = 60
    reading._counts_cache.clear()
    thread, opening = start(world, "supplier")
    member = world.user("member")
    guardian = Guardian(member)
    reading.mark_read(member, thread, opening.id)
    topic_id = thread.topic_id
    assert reading.topic_counts(guardian).get(topic_id, (0, 0))[0] == 0
    counted = []
    real = reading._topic_counts
    reading._topic_counts = lambda g: counted.append(1) or real(g)
    try:
        assert reading.topic_counts(guardian).get(topic_id, (0, 0))[0] == 0
        assert counted == []  # kept
        reply = answer(world, "supplier2", thread, "Something new")
        assert reading.topic_counts(guardian)[topic_id][0] == 1 and len(counted) == 1  # a new post: counted again
        reading.mark_read(member, thread, reply.id)
        assert reading.topic_counts(guardian).get(topic_id, (0, 0))[0] == 0 and len(counted) == 2  # read: again
    finally:
        reading._topic_counts = real
        reading._counts_cache.clear()
