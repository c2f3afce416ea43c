"""One answer for "not yours to see" and "not there" (issue #11): the same status and the
same words on pages, the API and sockets, for what exists out of sight (a held post, a closed
topic's thread, topic and live session, another topic's moderation pages, a merge target in
another topic) and for what does not exist at all."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from community.actions import live
from community.actions.posts import reply
from community.actions.threads import start_thread
from community.extensions import db
from tests.realtime.support import drain

MISSING = 999_999


@pytest.fixture
def hidden(app, world):
    """Out of the supplier2's sight: a thread, topic and live session of textiles-circle (the
    supplier's organisation only), and a held reply in an open grievance thread."""
    now = datetime.now(UTC)
    with app.app_context():
        closed, closed_opening = start_thread(world.user("supplier"), world.topic("textiles-circle"),
                                              title="Inside the circle", body="Members of the circle only")
        world.topic("grievance").moderation = "all"
        db.session.commit()
        open_thread, opening = start_thread(world.user("moderator"), world.topic("grievance"),
                                            title="An open thread", body="Everyone reads this")
        held = reply(world.user("supplier"), open_thread, "Held for review")
        session = live.schedule(world.user("admin"), world.topic("textiles-circle"), title="Circle session",
                                starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=2))
        ids = {"closed": closed.id, "closed_opening": closed_opening.id, "open": open_thread.id,
               "held": held.id, "session": session.id}
        db.session.remove()
    return ids


def message_of(response) -> tuple[int, str]:
    if response.is_json:
        return response.status_code, response.get_json()["error"]["message"]
    return response.status_code, re.search(r'<p class="mb-2">(.*?)</p>', response.get_data(as_text=True)).group(1)


def test_pages(login_as, hidden):
    c = login_as("supplier2")
    pairs = [
        (f"/threads/{hidden['closed']}", f"/threads/{MISSING}"),
        (f"/posts/{hidden['held']}", f"/posts/{MISSING}"),
        (f"/posts/{hidden['closed_opening']}", f"/posts/{MISSING}"),
        (f"/posts/{hidden['held']}/revisions", f"/posts/{MISSING}/revisions"),
        ("/t/textiles-circle", "/t/no-such-topic"),
        (f"/live/{hidden['session']}", f"/live/{MISSING}"),
        (f"/moderation/posts/{hidden['held']}", f"/moderation/posts/{MISSING}"),
        (f"/moderation/threads/{hidden['open']}", f"/moderation/threads/{MISSING}"),
        ("/moderation/topics/grievance/words", "/moderation/topics/no-such-topic/words"),
    ]
    for out_of_sight, missing in pairs:
        a, b = message_of(c.get(out_of_sight)), message_of(c.get(missing))
        assert a == b and a[0] == 404, (out_of_sight, a, b)


def test_api(client, token_for, hidden):
    headers = token_for("supplier2")
    pairs = [
        (f"/threads/{hidden['closed']}", f"/threads/{MISSING}"),
        (f"/posts/{hidden['held']}", f"/posts/{MISSING}"),
        ("/topics/textiles-circle/threads", "/topics/no-such-topic/threads"),
        (f"/live/{hidden['session']}", f"/live/{MISSING}"),
    ]
    for out_of_sight, missing in pairs:
        a = message_of(client.get("/api/v1" + out_of_sight, headers=headers))
        b = message_of(client.get("/api/v1" + missing, headers=headers))
        assert a == b and a[0] == 404, (out_of_sight, a, b)
    for method, path in (("POST", "/posts/{}/reveal"), ("POST", "/posts/{}/flags"), ("PATCH", "/posts/{}")):
        a = message_of(client.open("/api/v1" + path.format(hidden["held"]), method=method, headers=headers,
                                   json={"reason": "spam", "body": "x"}))
        b = message_of(client.open("/api/v1" + path.format(MISSING), method=method, headers=headers,
                                   json={"reason": "spam", "body": "x"}))
        assert a == b and a[0] == 404, (path, a, b)


def test_sockets(socket_for, hidden):
    sock = socket_for("supplier2")
    drain(sock)
    pairs = [
        ({"room": f"thread:{hidden['closed']}"}, {"room": f"thread:{MISSING}"}),
        ({"room": "topic:textiles-circle"}, {"room": "topic:no-such-topic"}),
        ({"room": "mods:textiles-circle"}, {"room": "mods:no-such-topic"}),
        ({"room": f"live:{hidden['session']}"}, {"room": f"live:{MISSING}"}),
    ]
    for out_of_sight, missing in pairs:
        a = sock.emit("join", out_of_sight, callback=True)
        b = sock.emit("join", missing, callback=True)
        assert a == b and a["error"]["code"] == "not_found", (out_of_sight, a, b)
    for event, field in (("typing", "thread_id"), ("post", "thread_id")):
        a = sock.emit(event, {field: hidden["closed"], "body": "hello"}, callback=True)
        b = sock.emit(event, {field: MISSING, "body": "hello"}, callback=True)
        assert a == b and a["error"]["code"] == "not_found", (event, a, b)
    a = sock.emit("live.ask", {"session_id": hidden["session"], "body": "hello"}, callback=True)
    b = sock.emit("live.ask", {"session_id": MISSING, "body": "hello"}, callback=True)
    assert a == b and a["error"]["code"] == "not_found"


def test_merge_targets_and_accepted_answers(app, world, login_as, hidden):
    """A merge target in a topic the moderator does not moderate, and a held post as an
    accepted answer, get the answer of ids that do not exist."""
    moderator = login_as("moderator")  # moderates grievance only
    answers = []
    for target in (hidden["closed"], MISSING):
        response = moderator.post(f"/moderation/threads/{hidden['open']}", data={"action": "merge",
                                                                                "target": str(target)})
        assert response.status_code == 400
        answers.append(re.search(r"There is no thread \d+ among the topics you moderate\.",
                                 response.get_data(as_text=True)).group(0).replace(str(target), "N"))
    assert answers[0] == answers[1]
    with app.app_context():
        world.topic("grievance").moderation = "post"
        db.session.commit()
        question, _ = start_thread(world.user("supplier2"), world.topic("grievance"), title="A question here",
                                   body="Asking", kind="question")
        world.topic("grievance").moderation = "all"
        db.session.commit()
        held = reply(world.user("supplier"), question, "Held answer")
        assert held.state == "held"
        qid, held_id = question.id, held.id
        db.session.remove()
    c = login_as("supplier2")
    a = c.post(f"/api/v1/threads/{qid}/accept", json={"post_id": held_id})
    b = c.post(f"/api/v1/threads/{qid}/accept", json={"post_id": MISSING})
    assert (a.status_code, a.get_json()) == (b.status_code, b.get_json())
