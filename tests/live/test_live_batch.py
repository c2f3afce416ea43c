"""The `batch` event (docs/socket-events.md): a room whose events come faster than the tick gets
the first at once and the rest as one `batch` per tick, in order, each with its own cursor;
a paced room gets every event on its own; a client resuming mid-batch misses nothing."""
from __future__ import annotations

import time

import pytest

from community import events

TICK = 0.05


@pytest.fixture
def batching(app, monkeypatch):
    monkeypatch.setitem(app.config, "EVENT_BATCH_SECONDS", TICK)
    monkeypatch.setattr(events, "_batch_sent", {})  # rooms of earlier tests start idle


def flattened(inbox, room: str) -> list[tuple[str, dict, str]]:
    """Every room event received, batches opened: (name, data, how it came: "single" / "batch")."""
    out = []
    for event in inbox.drain():
        data = event["args"][0]
        if event["name"] == "batch":
            assert data["room"] == room and len(data["events"]) >= 2
            out.extend((inner["name"], inner["data"], "batch") for inner in data["events"])
        elif event["name"].startswith("live.chat"):
            out.append((event["name"], data, "single"))
    return out


def wait_for_chat(inbox, room: str, count: int, timeout: float = 3.0) -> list[tuple[str, dict, str]]:
    deadline = time.monotonic() + timeout
    while True:
        got = flattened(inbox, room)
        if len([g for g in got if g[0] == "live.chat"]) >= count or time.monotonic() > deadline:
            return got
        time.sleep(0.02)


def test_a_burst_arrives_as_the_first_event_then_batches_in_order(batching, make_session, live_socket):
    sid = make_session()
    room = f"live:{sid}"
    sender, _, _ = live_socket("member", sid)
    _, _, inbox = live_socket("supplier", sid)
    time.sleep(2 * TICK)  # the session's own events (started, joined) are a tick old: the room is idle
    sent = []
    for i in range(25):
        ack = sender.emit("live.chat", {"session_id": sid, "body": f"Burst line {i}"}, callback=True)
        assert ack["ok"], ack
        sent.append(ack["message"]["id"])
    got = wait_for_chat(inbox, room, len(sent))
    assert [data["message"]["id"] for _name, data, _how in got] == sent  # none lost, none twice, in order
    cursors = [data["cursor"] for _name, data, _how in got]
    assert cursors == sorted(cursors) and len(set(cursors)) == len(cursors)
    assert all(data["room"] == room for _name, data, _how in got)
    assert got[0][2] == "single"  # the leading edge is not held
    assert "batch" in {how for _name, _data, how in got}
    assert len(inbox.events) < len(sent)  # fewer emits than events


def test_paced_events_arrive_unbatched(batching, make_session, live_socket):
    sid = make_session()
    sender, _, _ = live_socket("member", sid)
    _, _, inbox = live_socket("supplier", sid)
    for i in range(4):
        assert sender.emit("live.chat", {"session_id": sid, "body": f"Paced {i}"}, callback=True)["ok"]
        time.sleep(TICK * 1.6)
    got = wait_for_chat(inbox, f"live:{sid}", 4)
    assert [how for _name, _data, how in got] == ["single"] * 4
    assert not [e for e in inbox.events if e["name"] == "batch"]


def test_resuming_from_a_cursor_in_the_middle_of_a_batch_misses_nothing(batching, make_session, live_socket,
                                                                          socket_for):
    sid = make_session()
    room = f"live:{sid}"
    sender, _, _ = live_socket("member", sid)
    _, _, inbox = live_socket("supplier", sid)
    for i in range(12):
        assert sender.emit("live.chat", {"session_id": sid, "body": f"Line {i}"}, callback=True)["ok"]
    got = wait_for_chat(inbox, room, 12)
    in_batches = [data["cursor"] for _name, data, how in got if how == "batch"]
    assert len(in_batches) >= 2
    middle = in_batches[len(in_batches) // 2 - 1]  # a cursor with more of its batch after it
    ack = socket_for("supplier2").emit("join", {"room": room, "since": middle}, callback=True)
    assert ack["ok"], ack
    expected = [data["cursor"] for _name, data, _how in got if data["cursor"] > middle]
    assert [m["data"]["cursor"] for m in ack["missed"]] == expected
    assert {m["name"] for m in ack["missed"]} == {"live.chat"}


def test_without_a_tick_every_event_goes_on_its_own(make_session, live_socket):
    sid = make_session()
    sender, _, _ = live_socket("member", sid)
    _, _, inbox = live_socket("supplier", sid)
    for i in range(5):
        assert sender.emit("live.chat", {"session_id": sid, "body": f"Line {i}"}, callback=True)["ok"]
    assert len(inbox.named("live.chat")) == 5 and not inbox.named("batch")
