"""Small helpers for reading what a Socket.IO test client received."""
from __future__ import annotations


def drain(sock) -> list[tuple[str, dict]]:
    """Everything this client received since the last drain, as (event name, payload)."""
    return [(item["name"], item["args"][0] if item["args"] else None) for item in sock.get_received()]


def only(items: list[tuple[str, dict]], name: str) -> list[dict]:
    return [payload for event, payload in items if event == name]


def events_named(sock, name: str) -> list[dict]:
    """The payloads of the `name` events this client received (the rest is drained too)."""
    return only(drain(sock), name)


def joined(sock, room: str, **extra) -> dict:
    ack = sock.emit("join", {"room": room, **extra}, callback=True)
    assert ack["ok"] is True, ack
    return ack
