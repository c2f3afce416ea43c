"""The unit of work (community/events.py): the outermost action owns the transaction; actions
called inside it join it; an error rolls everything back once; control events reach the
socket layer before the room events of the same transaction."""
from __future__ import annotations

import pytest
from sqlalchemy import event, select

from community import events
from community.errors import Conflict
from community.events import action, unit_of_work
from community.extensions import db, socketio
from community.models import RoomEvent, Topic


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


@pytest.fixture
def sent(monkeypatch):
    calls = []
    monkeypatch.setattr(socketio, "emit", lambda name, payload, **kw: calls.append((name, kw.get("to"))))
    return calls


@pytest.fixture
def commits(ctx):
    count = []
    session = db.session()

    def seen(_session):
        count.append(1)

    event.listen(session, "after_commit", seen)
    yield count
    event.remove(session, "after_commit", seen)


def _topic(slug: str) -> Topic:
    return Topic(slug=slug, name=slug.title(), visibility="all")


@action
def _add_topic(slug: str) -> None:
    db.session.add(_topic(slug))
    events.queue_event(f"topic:{slug}", "topic.created", {"room": f"topic:{slug}"})


@action
def _add_two(first: str, second: str, fail: bool = False) -> None:
    _add_topic(first)
    _add_topic(second)
    if fail:
        raise Conflict("no")


def _slugs() -> list[str]:
    return sorted(db.session.scalars(select(Topic.slug)))


def test_inner_actions_join_the_outer_one_which_commits_once(ctx, sent, commits):
    _add_two("one", "two")
    assert len(commits) == 1
    assert _slugs() == ["one", "two"]
    assert sent == [("topic.created", "topic:one"), ("topic.created", "topic:two")]


def test_an_error_rolls_the_whole_unit_back_once_and_emits_nothing(ctx, sent, commits):
    with pytest.raises(Conflict):
        _add_two("one", "two", fail=True)
    assert commits == [] and sent == []
    assert _slugs() == [] and db.session.scalars(select(RoomEvent)).all() == []
    _add_topic("three")  # the session is usable at once: nobody had to roll back by hand
    assert _slugs() == ["three"]


def test_a_face_can_compose_actions_in_one_unit(ctx, sent, commits):
    with unit_of_work():
        _add_topic("one")
        assert events.in_unit_of_work() and sent == []
        _add_topic("two")
    assert len(commits) == 1 and _slugs() == ["one", "two"] and len(sent) == 2
    assert not events.in_unit_of_work()


def test_control_events_go_to_the_socket_layer_before_the_room_events(ctx, monkeypatch, sent):
    delivered = []
    monkeypatch.setattr(events, "_delivery", lambda control, ready: delivered.append((control, ready)))

    @action
    def shut_out():
        _add_topic("closed")
        events.queue_control("recheck_room", room="topic:closed")

    shut_out()
    ((control, ready),) = delivered
    assert control == [{"op": "recheck_room", "room": "topic:closed"}]
    assert [(room, name) for room, name, _payload in ready] == [("topic:closed", "topic.created")]
    assert sent == []  # the socket layer emits them, after applying the control events


def test_realtime_applies_control_before_it_emits(ctx, monkeypatch):
    from community.realtime import control

    order = []
    monkeypatch.setattr(control, "_apply_control", lambda message: order.append(message["op"]))
    monkeypatch.setattr(socketio, "emit", lambda name, payload, **kw: order.append(name))
    control.deliver([{"op": "recheck_room", "room": "thread:1"}], [("thread:1", "thread.updated", {})])
    assert order == ["recheck_room", "thread.updated"]


def test_a_rolled_back_control_event_is_never_applied(ctx, monkeypatch):
    delivered = []
    monkeypatch.setattr(events, "_delivery", lambda control, ready: delivered.append(control))

    @action
    def refused():
        events.queue_control("disconnect_user", user_id=1, reason="bye")
        raise Conflict("no")

    with pytest.raises(Conflict):
        refused()
    events.commit()
    assert delivered == []


def test_an_unknown_control_event_is_a_programming_error(ctx):
    with pytest.raises(ValueError):
        events.queue_control("cut_everything")
    with pytest.raises(ValueError):
        events.queue_control("recheck_room", rooms=["thread:1"])


def test_coalesced_updates_wait_for_the_commit(ctx, monkeypatch):
    now = []
    monkeypatch.setattr(events, "_coalesce_now", lambda *args: now.append(args[0]))

    @action
    def vote(fail: bool):
        events.emit_coalesced("live:1", "q1", "live.question.updated", {"votes": 1})
        assert now == []  # not before the commit
        if fail:
            raise Conflict("no")

    with pytest.raises(Conflict):
        vote(True)
    assert now == []
    vote(False)
    assert now == ["live:1"]
