"""events.py's tick (EVENT_BATCH_SECONDS): the leading edge at once, the rest of the tick as one
`batch` in order, each room on its own, a single held event as itself, ephemeral events never
held, and what a room holds sent before a transaction with control events is delivered."""
from __future__ import annotations

import time

import pytest

from community import events
from community.extensions import socketio

# Long enough that the puts of one test fall within one tick on a loaded machine (a commit on
# PostgreSQL under a full test run took over 50 ms); the server runs with 50 ms.
TICK = 0.3


@pytest.fixture
def ctx(app, monkeypatch):
    monkeypatch.setitem(app.config, "EVENT_BATCH_SECONDS", TICK)
    monkeypatch.setattr(events, "_batch_sent", {})  # rooms of earlier tests start idle
    with app.app_context():
        yield


@pytest.fixture
def sent(monkeypatch):
    calls = []
    monkeypatch.setattr(socketio, "emit", lambda name, payload, **kw: calls.append((name, payload, kw.get("to"))))
    return calls


def put(room: str, n: int) -> None:
    events.queue_event(room, "post.created", {"room": room, "n": n})
    events.commit()


def settle() -> None:
    time.sleep(TICK * 2.5)


def test_the_first_goes_at_once_the_rest_of_the_tick_as_one_batch(ctx, sent):
    for n in range(5):
        put("thread:1", n)
    assert [(name, payload["n"]) for name, payload, _room in sent] == [("post.created", 0)]  # the leading edge
    settle()
    assert [name for name, _payload, _room in sent] == ["post.created", "batch"]
    batch = sent[1][1]
    assert sent[1][2] == "thread:1" and batch["room"] == "thread:1"
    assert [e["data"]["n"] for e in batch["events"]] == [1, 2, 3, 4]
    assert {e["name"] for e in batch["events"]} == {"post.created"}
    cursors = [sent[0][1]["cursor"]] + [e["data"]["cursor"] for e in batch["events"]]
    assert cursors == sorted(cursors) and len(set(cursors)) == 5


def test_rooms_tick_on_their_own_and_one_held_event_goes_as_itself(ctx, sent):
    put("thread:7", 1)
    put("thread:8", 1)  # another room: its own leading edge
    put("thread:7", 2)  # held: thread:7 sent within the tick
    assert [(room, payload["n"]) for _name, payload, room in sent] == [("thread:7", 1), ("thread:8", 1)]
    settle()
    assert [(name, room, payload["n"]) for name, payload, room in sent][2:] == [("post.created", "thread:7", 2)]
    settle()
    put("thread:7", 3)  # a tick later: at once again
    assert sent[-1][1]["n"] == 3 and len(sent) == 4


def test_ephemeral_events_are_never_held(ctx, sent):
    put("live:3", 1)
    put("live:3", 2)  # held
    events.emit_now("live:3", "presence", {"room": "live:3", "count": 2})
    assert [name for name, _payload, _room in sent] == ["post.created", "presence"]
    settle()
    assert [name for name, _payload, _room in sent] == ["post.created", "presence", "post.created"]


def test_what_a_room_holds_goes_before_a_transaction_with_control_events(ctx, sent, monkeypatch):
    delivered = []
    monkeypatch.setattr(events, "_delivery", lambda control, ready: delivered.append((len(sent), ready)))
    put("thread:9", 1)
    put("thread:9", 2)  # held
    events.queue_event("thread:9", "thread.updated", {"room": "thread:9", "n": 3})
    events.queue_control("recheck_room", room="thread:9")
    events.commit()
    # the held event went out first (one held: as itself), then the controlled transaction
    assert [payload["n"] for _name, payload, _room in sent] == [1, 2]
    assert delivered and delivered[0][0] == 2 and [p["n"] for _r, _n, p in delivered[0][1]] == [3]
    settle()
    assert len(sent) == 2  # nothing was left behind to go twice
