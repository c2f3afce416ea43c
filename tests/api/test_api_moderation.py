"""Post and thread moderation, and accepted answers, through the API."""
from __future__ import annotations

import pytest

from community.extensions import db
from community.models import ModerationAction
from tests.api.helpers import assert_error


@pytest.fixture
def thread_id(api) -> int:
    return api.start_thread("supplier")["thread"]["id"]


def _visible_ids(api, thread_id, who="supplier2"):
    return [p["id"] for p in api.get(f"/threads/{thread_id}", who).get_json()["posts"]]


# --- posts ----------------------------------------------------------------------------
def test_hide_and_restore_a_post(api, thread_id, in_db):
    post = api.reply("member", thread_id, "Heated words")
    hidden = api.post(f"/posts/{post['id']}/moderation", "moderator", json={"action": "hide", "reason": "Tone"})
    assert hidden.status_code == 200
    assert hidden.get_json()["post"]["state"] == "hidden"
    assert post["id"] not in _visible_ids(api, thread_id)
    restored = api.post(f"/posts/{post['id']}/moderation", "moderator", json={"action": "restore"})
    assert restored.status_code == 200 and restored.get_json()["post"]["state"] == "visible"
    assert post["id"] in _visible_ids(api, thread_id)
    actions = in_db(lambda: [a.action for a in db.session.scalars(db.select(ModerationAction))])
    assert actions == ["hide_post", "restore_post"]


def test_approve_and_reject_held_posts(api, thread_id, in_db, world):
    in_db(lambda: setattr(world.topic("grievance"), "moderation", "all"))
    first = api.reply("member", thread_id, "Wait for me")
    second = api.reply("member2", thread_id, "Me too")
    assert first["state"] == second["state"] == "held"
    approved = api.post(f"/posts/{first['id']}/moderation", "moderator", json={"action": "approve"})
    assert approved.status_code == 200 and approved.get_json()["post"]["state"] == "visible"
    assert first["id"] in _visible_ids(api, thread_id)
    assert_error(api.post(f"/posts/{second['id']}/moderation", "moderator", json={"action": "reject"}),
                 400, "invalid")  # a reason is required
    rejected = api.post(f"/posts/{second['id']}/moderation", "admin", json={"action": "reject", "reason": "Spam"})
    assert rejected.status_code == 200 and rejected.get_json()["post"]["state"] == "hidden"
    assert_error(api.post(f"/posts/{first['id']}/moderation", "moderator", json={"action": "approve"}),
                 409, "conflict")


def test_post_moderation_refusals(api, thread_id):
    post = api.reply("member", thread_id)
    body = {"action": "hide", "reason": "because"}
    # non-moderators
    for who in ("member", "member2", "supplier"):
        assert_error(api.post(f"/posts/{post['id']}/moderation", who, json=body), 403, "forbidden")
    # the grievance moderator in another topic
    lounge = api.start_thread("member", topic="members-lounge")
    lounge_post = api.reply("member2", lounge["thread"]["id"])
    assert_error(api.post(f"/posts/{lounge_post['id']}/moderation", "moderator", json=body), 403, "forbidden")
    assert api.post(f"/posts/{lounge_post['id']}/moderation", "admin", json=body).status_code == 200
    # bad input and unknown posts
    assert_error(api.post(f"/posts/{post['id']}/moderation", "moderator", json={"action": "burn"}), 400, "invalid")
    assert_error(api.post(f"/posts/{post['id']}/moderation", "moderator", json={"action": 3}), 400, "invalid")
    assert_error(api.post(f"/posts/{post['id']}/moderation", "moderator", json={"action": "hide", "reason": ["x"]}),
                 400, "invalid")
    assert_error(api.post(f"/posts/{post['id']}/moderation", "moderator", data=b"[",
                          headers={"Content-Type": "application/json"}), 400, "invalid")
    assert_error(api.post("/posts/9999/moderation", "moderator", json=body), 404, "not_found")


# --- threads --------------------------------------------------------------------------
@pytest.mark.parametrize("action,field,value", [("lock", "locked", True), ("pin", "pinned", True)])
def test_lock_and_pin(api, thread_id, action, field, value):
    response = api.post(f"/threads/{thread_id}/moderation", "moderator", json={"action": action, "reason": "r"})
    assert response.status_code == 200
    assert response.get_json()["thread"][field] is value
    assert_error(api.post(f"/threads/{thread_id}/moderation", "moderator", json={"action": action}),
                 409, "conflict")
    undo = "un" + action
    response = api.post(f"/threads/{thread_id}/moderation", "moderator", json={"action": undo})
    assert response.status_code == 200 and response.get_json()["thread"][field] is not value


def test_move(api, thread_id):
    assert_error(api.post(f"/threads/{thread_id}/moderation", "moderator", json={"action": "move"}),
                 400, "invalid")
    assert_error(api.post(f"/threads/{thread_id}/moderation", "moderator",
                          json={"action": "move", "topic": "nowhere"}), 400, "invalid")
    # the grievance moderator does not moderate the destination: the answer "nowhere" gets
    for topic in ("announcements", "members-lounge", "nowhere"):
        refused = assert_error(api.post(f"/threads/{thread_id}/moderation", "moderator",
                                        json={"action": "move", "topic": topic}), 400, "invalid")
        assert refused["message"] == "Choose a topic you moderate."
    moved = api.post(f"/threads/{thread_id}/moderation", "admin", json={"action": "move", "topic": "announcements"})
    assert moved.status_code == 200 and moved.get_json()["thread"]["topic"] == "announcements"
    assert [t["id"] for t in api.get("/topics/announcements/threads", "member").get_json()["threads"]] == [thread_id]
    assert api.get("/topics/grievance/threads", "member").get_json()["threads"] == []


def test_thread_moderation_refusals(api, thread_id):
    for who in ("member", "supplier", "supplier2"):
        assert_error(api.post(f"/threads/{thread_id}/moderation", who, json={"action": "lock"}), 403, "forbidden")
    lounge = api.start_thread("member", topic="members-lounge")["thread"]["id"]
    assert_error(api.post(f"/threads/{lounge}/moderation", "moderator", json={"action": "lock"}), 403, "forbidden")
    assert_error(api.post(f"/threads/{thread_id}/moderation", "moderator", json={"action": "shred"}), 400, "invalid")
    assert_error(api.post(f"/threads/{thread_id}/moderation", "moderator", json={}), 400, "invalid")
    assert_error(api.post(f"/threads/{thread_id}/moderation", "moderator"), 400, "invalid")
    assert_error(api.post("/threads/9999/moderation", "moderator", json={"action": "lock"}), 404, "not_found")


# --- accepted answers -------------------------------------------------------------------
def test_accept_answer(api, world):
    question = api.start_thread("supplier", kind="question", title="Which audit scheme?")["thread"]["id"]
    answer = api.reply("member", question, "Use SMETA")
    response = api.post(f"/threads/{question}/accept", "supplier", json={"post_id": answer["id"]})
    assert response.status_code == 200
    thread = response.get_json()["thread"]
    assert thread["accepted_post_id"] == answer["id"] and thread["answered"] is True
    posts = api.get(f"/threads/{question}", "supplier2").get_json()["posts"]
    assert [p["accepted"] for p in posts] == [False, True]
    # the moderator may change it; null withdraws it
    withdrawn = api.post(f"/threads/{question}/accept", "moderator", json={"post_id": None})
    assert withdrawn.status_code == 200 and withdrawn.get_json()["thread"]["accepted_post_id"] is None
    notes = api.get("/notifications", "member").get_json()["notifications"]
    assert any(n["kind"] == "accepted" for n in notes)


def test_accept_answer_refusals(api):
    question = api.start_thread("supplier", kind="question", title="Which audit scheme?")
    question_id, opening = question["thread"]["id"], question["post"]["id"]
    answer = api.reply("member", question_id)
    discussion = api.start_thread("supplier", title="Just talking here")["thread"]["id"]
    elsewhere = api.reply("member", discussion)
    assert_error(api.post(f"/threads/{question_id}/accept", "member2", json={"post_id": answer["id"]}),
                 403, "forbidden")
    assert_error(api.post(f"/threads/{discussion}/accept", "supplier", json={"post_id": elsewhere["id"]}),
                 403, "forbidden")
    assert_error(api.post(f"/threads/{question_id}/accept", "supplier", json={"post_id": elsewhere["id"]}),
                 400, "invalid")
    assert_error(api.post(f"/threads/{question_id}/accept", "supplier", json={"post_id": opening}),
                 403, "forbidden")
    assert_error(api.post(f"/threads/{question_id}/accept", "supplier", json={}), 400, "invalid")
    assert_error(api.post(f"/threads/{question_id}/accept", "supplier", json={"post_id": "one"}), 400, "invalid")
    assert_error(api.post(f"/threads/{question_id}/accept", "supplier", json={"post_id": 2**40}), 400, "invalid")
    assert_error(api.post("/threads/9999/accept", "supplier", json={"post_id": 1}), 404, "not_found")
