"""community.events: storage, emission after commit, replay with cursors, reset, prune and retention."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from community import events
from community.extensions import db, socketio
from community.models import RoomEvent, utcnow


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


@pytest.fixture
def sent(monkeypatch):
    calls = []
    monkeypatch.setattr(socketio, "emit", lambda name, payload, **kw: calls.append((name, payload, kw)))
    return calls


def put(room: str, name: str = "post.created", **payload) -> int:
    events.queue_event(room, name, {"room": room, **payload})
    events.commit()
    return events.latest_cursor(room)


def test_commit_emits_with_the_cursor_of_the_stored_row(ctx, sent):
    events.queue_event("thread:1", "post.created", {"room": "thread:1", "n": 1})
    events.queue_event("thread:2", "post.created", {"room": "thread:2", "n": 2})
    assert sent == []
    events.commit()
    rows = db.session.scalars(select(RoomEvent).order_by(RoomEvent.id)).all()
    assert [(name, payload["n"], kw["to"], payload["cursor"]) for name, payload, kw in sent] == [
        ("post.created", 1, "thread:1", rows[0].id), ("post.created", 2, "thread:2", rows[1].id)]
    assert "cursor" not in rows[0].payload  # the id is the cursor; it is not stored twice


def test_rollback_emits_and_stores_nothing(ctx, sent):
    events.queue_event("thread:1", "post.created", {"n": 1})
    db.session.rollback()
    events.commit()
    assert sent == [] and db.session.scalars(select(RoomEvent)).all() == []


def test_emit_now_is_not_stored_and_has_no_cursor(ctx, sent):
    events.emit_now("thread:1", "typing", {"user": "x"}, skip_sid="abc")
    assert sent == [("typing", {"user": "x", "cursor": None}, {"to": "thread:1", "skip_sid": "abc"})]
    assert db.session.scalars(select(RoomEvent)).all() == []


def test_replay_gives_what_was_missed_in_order(ctx, sent):
    a1 = put("thread:1", n=1)
    put("thread:2", n=99)
    a2 = put("thread:1", n=2)
    a3 = put("thread:1", "post.updated", n=3)
    missed, reset = events.replay("thread:1", 0)
    assert not reset
    assert [(m["name"], m["data"]["n"], m["data"]["cursor"]) for m in missed] == [
        ("post.created", 1, a1), ("post.created", 2, a2), ("post.updated", 3, a3)]
    missed, reset = events.replay("thread:1", a1)
    assert [m["data"]["n"] for m in missed] == [2, 3] and not reset
    assert events.replay("thread:1", a3) == ([], False)
    assert events.latest_cursor("thread:1") == a3
    assert events.latest_cursor("thread:404") == 0
    assert a1 < a2 < a3


def test_too_many_missed_events_means_reset(ctx, sent):
    first = put("thread:1", n=0)
    for n in range(1, 6):
        put("thread:1", n=n)
    missed, reset = events.replay("thread:1", first, limit=3)
    assert (missed, reset) == ([], True)
    missed, reset = events.replay("thread:1", first, limit=5)
    assert len(missed) == 5 and not reset


def test_unknown_cursor_means_reset(ctx, sent):
    put("thread:1", n=1)
    assert events.replay("thread:1", 10**9) == ([], True)


def test_prune_keeps_the_retention_window_and_old_cursors_reset(app, ctx, sent):
    old = put("thread:1", n=1)
    newer = put("thread:1", n=2)
    hours = app.config["EVENT_RETENTION_HOURS"]
    assert hours == 48
    db.session.get(RoomEvent, old).created_at = utcnow() - timedelta(hours=hours, minutes=1)
    db.session.get(RoomEvent, newer).created_at = utcnow() - timedelta(hours=hours - 1)
    db.session.commit()
    assert events.prune() == 1
    assert db.session.get(RoomEvent, old) is None and db.session.get(RoomEvent, newer) is not None
    # a client that last saw the pruned event cannot be caught up: it must reload
    assert events.replay("thread:1", old) == ([], True)
    # one that saw the surviving event is caught up normally
    latest = put("thread:1", n=3)
    missed, reset = events.replay("thread:1", newer)
    assert not reset and [m["data"]["cursor"] for m in missed] == [latest]
    # "now" can be given: two days on, everything older goes
    assert events.prune(now=utcnow() + timedelta(hours=hours + 1)) == 2
    assert db.session.scalars(select(RoomEvent)).all() == []


def test_cursors_are_never_reused_after_pruning(ctx, sent):
    before = put("thread:1", n=1)
    events.prune(now=utcnow() + timedelta(days=30))
    after = put("thread:1", n=2)
    assert after > before


def test_teardown_emits_what_a_plain_commit_left(app, sent):
    """A commit made outside events.commit() still announces its events, when the context ends."""
    with app.app_context():
        events.queue_event("thread:7", "post.created", {"n": 7})
        db.session.commit()
        assert sent == []
    assert [(name, kw["to"]) for name, _payload, kw in sent] == [("post.created", "thread:7")]


def test_replay_never_brings_back_what_was_hidden_or_edited(app, world, monkeypatch):
    """A reconnecting client gets posts as they are now: hidden/deleted ones as gone, edits as edited."""
    from community.actions.moderation import moderate_post
    from community.actions.posts import delete_post, edit_post, reply
    from community.actions.threads import start_thread
    monkeypatch.setattr(socketio, "emit", lambda *a, **k: None)
    with app.app_context():
        thread, _ = start_thread(world.user("member"), world.topic("grievance"), title="A thread title",
                                 body="opening")
        room = f"thread:{thread.id}"
        start = events.latest_cursor(room)
        secret = reply(world.user("supplier"), thread, "my employer's confidential price list")
        moderate_post(world.user("moderator"), secret, "hide", reason="confidential")
        edited = reply(world.user("supplier2"), thread, "phone me on 555-0100")
        edit_post(world.user("supplier2"), edited, "message me here instead")
        gone = reply(world.user("member2"), thread, "I regret this")
        delete_post(world.user("member2"), gone)
        kept = reply(world.user("admin"), thread, "still here")
        missed, reset = events.replay(room, start)
        text = repr(missed)
        assert not reset
        assert "confidential price list" not in text and "555-0100" not in text and "I regret this" not in text
        assert "message me here instead" in text and "still here" in text
        # the order and the cursors are kept, so a client resumes exactly where it stopped
        cursors = [m["data"]["cursor"] for m in missed]
        assert cursors == sorted(cursors) and len(cursors) == len(set(cursors))
        by_post = {}
        for m in missed:
            pid = m["data"].get("post_id") or m["data"]["post"]["id"]
            by_post.setdefault(pid, []).append(m["name"])
        assert by_post[secret.id] == ["post.hidden", "post.hidden"]
        assert by_post[gone.id] == ["post.deleted", "post.deleted"]
        assert by_post[edited.id] == ["post.created", "post.updated"]
        assert by_post[kept.id] == ["post.created"]
