"""On the real eventlet server (issue #15): a post of 100,000 characters sent over a websocket
gets the same "too long" ack as one just over the limit, and the connection lives on.
(python-socketio writes "é" as "\\u00e9": 60,000 of them are 360 KB, within MAX_CONTENT_LENGTH.)"""
from __future__ import annotations

from tests.resilience.test_live_limits import _open_thread


def test_long_socket_posts_get_the_too_long_ack_at_any_length(live_server, tokens):
    import socketio

    client = socketio.Client(reconnection=False)
    client.connect(live_server.url, auth={"token": tokens["poster"]}, transports=["websocket"], wait_timeout=20)
    try:
        thread_id = _open_thread(live_server, tokens)
        for body in ("x" * 20_001, "x" * 60_000, "x" * 100_000, "é" * 60_000, "x" * 400_000):
            ack = client.call("post", {"thread_id": thread_id, "body": body}, timeout=30)
            assert ack["ok"] is False, ack
            assert ack["error"]["message"] == \
                f"Your post is too long: {len(body):,} characters, the limit is 20,000.", ack
        assert client.connected
        assert client.call("join", {"room": f"thread:{thread_id}"}, timeout=20)["ok"]
    finally:
        client.disconnect()
