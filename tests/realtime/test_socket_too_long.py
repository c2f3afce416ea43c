"""The same clear "too long" message at any length (issue #15): a socket message carrying a
post, a question or a chat message over its limit gets the error ack the API and the forms
give for that text, with its count and the limit (no "The event data is too large." at
60,000 characters and something else at 100,000). Messages past the transport's limit
(MAX_CONTENT_LENGTH bytes) close that socket: tests/resilience/test_live_limits.py."""
from __future__ import annotations

import pytest

from community.actions import live
from community.extensions import db
from tests.actions.support import start
from tests.api.helpers import Api


@pytest.fixture
def api(client, token_for) -> Api:
    return Api(client, token_for)


@pytest.fixture
def thread_id(app, world):
    with app.app_context():
        thread, _ = start(world, "member")
        return thread.id


@pytest.fixture
def session_id(app, world):
    from tests.live.conftest import iso_in

    with app.app_context():
        session = live.schedule(world.user("member"), world.topic("grievance"), title="Too long session",
                                starts_at=iso_in(-5), ends_at=iso_in(60))
        live.start(world.user("member"), session)
        session_id = session.id
        db.session.remove()
        return session_id


@pytest.mark.parametrize("count", [20_001, 59_999, 60_000, 64_001, 100_000, 400_000])
def test_a_post_too_long_gets_the_same_message_as_the_api_at_any_length(socket_for, api, thread_id, count):
    body = "x" * count
    ack = socket_for("supplier").emit("post", {"thread_id": thread_id, "body": body}, callback=True)
    from_api = api.post(f"/threads/{thread_id}/posts", "supplier", json={"body": body}).get_json()["error"]
    assert ack["ok"] is False and ack["error"] == from_api, (ack, from_api)
    assert ack["error"]["code"] == "invalid" and ack["error"]["field"] == "body"
    assert ack["error"]["message"] == f"Your post is too long: {count:,} characters, the limit is 20,000."


@pytest.mark.parametrize("event, limit, label", [("live.ask", 2000, "Your question"),
                                                 ("live.chat", 1000, "Your message")])
@pytest.mark.parametrize("count", [60_000, 100_000])
def test_live_texts_too_long_say_so_at_any_length(socket_for, session_id, event, limit, label, count):
    ack = socket_for("supplier").emit(event, {"session_id": session_id, "body": "é" * count}, callback=True)
    assert ack["ok"] is False
    assert ack["error"]["message"] == f"{label} is too long: {count:,} characters, the limit is {limit:,}."


def test_the_old_size_message_is_gone(socket_for, thread_id):
    ack = socket_for("supplier").emit("post", {"thread_id": thread_id, "body": "y" * 70_000}, callback=True)
    assert "event data" not in ack["error"]["message"]
