"""Presence in big rooms goes out coalesced (one update per interval), small rooms stay immediate.

Without it, N people joining a live session send the room N presence updates of up to N
deliveries each (bench/fanout.py: 2,000 participants took minutes to join).
"""
from __future__ import annotations

import time

import pytest

from community.realtime import presence
from tests.realtime.support import events_named, joined


@pytest.fixture
def big_room_at_three(monkeypatch):
    monkeypatch.setattr(presence, "PRESENCE_BIG_ROOM", 3)
    monkeypatch.setattr(presence, "PRESENCE_INTERVAL", 1.0)  # longer than a join takes on a busy machine


def _wait_for_presence(sock, timeout: float = 5.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    seen: list[dict] = []
    while time.monotonic() < deadline and not seen:
        time.sleep(0.05)
        seen = events_named(sock, "presence")
    return seen


def test_a_big_room_gets_one_coalesced_update_with_the_latest_count(big_room_at_three, world, socket_for,
                                                                     make_thread):
    room = f"thread:{make_thread('member', 'announcements')}"
    first = socket_for("member")
    joined(first, room)
    second = socket_for("supplier")
    joined(second, room)
    assert events_named(first, "presence")[-1]["count"] == 2  # small room: immediate
    third = socket_for("member2")
    joined(third, room)
    fourth = socket_for("supplier2")
    joined(fourth, room)
    assert events_named(first, "presence") == []  # big room: not on every join...
    updates = _wait_for_presence(first)
    assert len(updates) == 1 and updates[0]["count"] == 4  # ...but once, with both joins counted
    assert updates[0]["room"] == room
    time.sleep(1.2)
    assert events_named(first, "presence") == []  # nothing more is due


def test_leaving_a_big_room_is_counted_too(big_room_at_three, world, socket_for, make_thread):
    room = f"thread:{make_thread('member', 'announcements')}"
    socks = [socket_for(name) for name in ("member", "supplier", "member2", "supplier2")]
    for sock in socks:
        joined(sock, room)
    socks[3].emit("leave", {"room": room}, callback=True)
    # the update due (one or two of them, depending on timing) ends with the count after the leave
    deadline, counts = time.monotonic() + 5, []
    while time.monotonic() < deadline and counts[-1:] != [3]:
        time.sleep(0.05)
        counts += [p["count"] for p in events_named(socks[0], "presence")]
    assert counts[-1:] == [3], counts
