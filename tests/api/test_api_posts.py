"""Replies (with client_id idempotency), edits, soft deletes and flags through the API."""
from __future__ import annotations

import pytest

from community.extensions import db
from community.models import Flag, Post, PostRevision
from tests.api.helpers import assert_error


@pytest.fixture
def thread_id(api) -> int:
    return api.start_thread("supplier")["thread"]["id"]


# --- replies --------------------------------------------------------------------------
def test_reply(api, thread_id, world):
    response = api.post(f"/threads/{thread_id}/posts", "member", json={"body": "Try **SMETA**.", "reply_to": None})
    assert response.status_code == 201
    post = response.get_json()["post"]
    assert post["thread_id"] == thread_id and post["state"] == "visible"
    assert post["html"] == "<p>Try <strong>SMETA</strong>.</p>" and post["body"] == "Try **SMETA**."
    assert post["author"]["id"] == world.ids["member"] and post["author"]["organisation"]["name"] == "Brand Co"
    assert post["created_at"].endswith("Z") and post["edited_at"] is None
    nested = api.reply("member2", thread_id, "Agreed", reply_to=post["id"])
    assert nested["reply_to"] == post["id"]
    nested_str = api.reply("member2", thread_id, "Agreed again", reply_to=str(post["id"]))
    assert nested_str["reply_to"] == post["id"]


def test_reply_is_held_when_the_topic_holds_posts(api, thread_id, in_db, world):
    in_db(lambda: setattr(world.topic("grievance"), "moderation", "all"))
    assert api.reply("member", thread_id)["state"] == "held"
    assert api.reply("moderator", thread_id)["state"] == "visible"


def test_reply_client_id_is_idempotent(api, thread_id, in_db):
    body = {"body": "Sent on a flaky connection", "client_id": "c-123"}
    first = api.post(f"/threads/{thread_id}/posts", "member", json=body)
    again = api.post(f"/threads/{thread_id}/posts", "member", json={**body, "body": "a retry"})
    assert first.status_code == again.status_code == 201
    assert first.get_json()["post"] == again.get_json()["post"]
    assert again.headers["Idempotent-Replayed"] == "true"
    rows = in_db(lambda: db.session.scalar(
        db.select(db.func.count(Post.id)).where(Post.client_id == "c-123")))
    assert rows == 1
    # client ids belong to their author: someone else's same id is a new post
    other = api.post(f"/threads/{thread_id}/posts", "member2", json=body)
    assert other.status_code == 201 and other.get_json()["post"]["id"] != first.get_json()["post"]["id"]
    assert "Idempotent-Replayed" not in other.headers


def test_reply_client_id_reused_in_another_thread_is_409(api, thread_id):
    other_thread = api.start_thread("supplier", title="Another thread")["thread"]["id"]
    api.reply("member", thread_id, client_id="c-9")
    response = api.post(f"/threads/{other_thread}/posts", "member", json={"body": "x", "client_id": "c-9"})
    assert_error(response, 409, "conflict")


def test_reply_to_a_locked_thread_is_423(api, thread_id):
    assert api.post(f"/threads/{thread_id}/moderation", "moderator", json={"action": "lock"}).status_code == 200
    error = assert_error(api.post(f"/threads/{thread_id}/posts", "member", json={"body": "hello"}), 423, "locked")
    assert "locked" in error["message"]
    assert api.post(f"/threads/{thread_id}/posts", "moderator", json={"body": "still here"}).status_code == 201


@pytest.mark.parametrize("body,field", [
    ({"body": 42}, "body"),
    ({"body": None}, "body"),
    ({}, "body"),
    ({"body": ""}, "body"),
    ({"body": "hi", "reply_to": "first"}, "reply_to"),
    ({"body": "hi", "reply_to": True}, "reply_to"),
    ({"body": "hi", "reply_to": 99999}, "reply_to"),
    ({"body": "hi", "reply_to": 99999999999999999999}, "reply_to"),
    ({"body": "hi", "reply_to": [1]}, "reply_to"),
    ({"body": "hi", "anonymous": "maybe"}, "anonymous"),
    ({"body": "hi", "client_id": {"a": 1}}, "client_id"),
    ({"body": "hi", "client_id": "x" * 65}, "client_id"),
])
def test_reply_wrong_input_is_400(api, thread_id, body, field):
    error = assert_error(api.post(f"/threads/{thread_id}/posts", "member", json=body), 400, "invalid")
    assert error.get("field") == field


def test_reply_to_a_post_of_another_thread_is_400(api, thread_id):
    elsewhere = api.start_thread("supplier", title="Another thread")["post"]["id"]
    response = api.post(f"/threads/{thread_id}/posts", "member", json={"body": "hi", "reply_to": elsewhere})
    assert_error(response, 400, "invalid")


def test_reply_oversized_is_400(api, thread_id, app):
    limit = app.config["POST_MAX_CHARS"]
    error = assert_error(api.post(f"/threads/{thread_id}/posts", "member", json={"body": "y" * (limit + 1)}),
                         400, "invalid")
    assert error["field"] == "body"


@pytest.mark.parametrize("raw", [b"{", b'{"body": "unterminated', b"[]", b"true", b""])
def test_reply_malformed_json_is_400(api, thread_id, raw):
    response = api.post(f"/threads/{thread_id}/posts", "member", data=raw,
                        headers={"Content-Type": "application/json"})
    assert_error(response, 400, "invalid")


def test_reply_anonymously_only_where_allowed(api):
    grievance = api.start_thread("member")["thread"]["id"]
    lounge = api.start_thread("member", topic="members-lounge")["thread"]["id"]
    assert api.reply("supplier", grievance, anonymous=True)["anonymous"] is True
    assert_error(api.post(f"/threads/{lounge}/posts", "member2", json={"body": "x", "anonymous": True}),
                 403, "forbidden")


def test_reply_errors_for_unknown_thread(api):
    assert_error(api.post("/threads/4242/posts", "member", json={"body": "x"}), 404, "not_found")


# --- edits --------------------------------------------------------------------------
def test_edit_by_author_keeps_a_revision(api, thread_id, in_db):
    post = api.reply("member", thread_id, "First version")
    response = api.patch(f"/posts/{post['id']}", "member", json={"body": "Second *version*", "reason": "typo"})
    assert response.status_code == 200
    edited = response.get_json()["post"]
    assert edited["body"] == "Second *version*" and edited["html"] == "<p>Second <em>version</em></p>"
    assert edited["edited_at"] and edited["edited_at"].endswith("Z")
    revisions = in_db(lambda: [(r.body, r.reason) for r in db.session.scalars(db.select(PostRevision))])
    assert revisions == [("First version", "typo")]
    seen = api.get(f"/threads/{thread_id}", "member2").get_json()["posts"][1]
    assert seen["html"] == "<p>Second <em>version</em></p>"


def test_edit_by_moderator_and_refusals(api, thread_id):
    post = api.reply("member", thread_id, "Original")
    assert api.patch(f"/posts/{post['id']}", "moderator", json={"body": "Tidied"}).status_code == 200
    assert_error(api.patch(f"/posts/{post['id']}", "member2", json={"body": "Vandal"}), 403, "forbidden")
    assert_error(api.patch("/posts/9999", "member", json={"body": "x"}), 404, "not_found")
    assert_error(api.patch(f"/posts/{post['id']}", "member", json={"body": ""}), 400, "invalid")
    assert_error(api.patch(f"/posts/{post['id']}", "member", json={"body": "ok", "reason": 5}), 400, "invalid")
    assert_error(api.patch(f"/posts/{post['id']}", "member", data=b"nope",
                           headers={"Content-Type": "application/json"}), 400, "invalid")
    assert_error(api.patch(f"/posts/{post['id']}", "member"), 400, "invalid")


# --- deletes --------------------------------------------------------------------------
def test_delete_is_soft(api, thread_id, in_db):
    post = api.reply("member", thread_id, "Regrettable")
    response = api.delete(f"/posts/{post['id']}", "member")
    assert response.status_code == 200
    assert response.get_json()["post"]["state"] == "deleted"
    assert in_db(lambda: db.session.get(Post, post["id"]).body) == "Regrettable"
    assert post["id"] not in [p["id"] for p in api.get(f"/threads/{thread_id}", "member2").get_json()["posts"]]
    assert_error(api.delete(f"/posts/{post['id']}", "member"), 403, "forbidden")  # already deleted


def test_delete_with_a_reason_and_refusals(api, thread_id):
    post = api.reply("member", thread_id, "Off topic")
    assert_error(api.delete(f"/posts/{post['id']}", "member2"), 403, "forbidden")
    assert_error(api.delete("/posts/9999", "member"), 404, "not_found")
    assert_error(api.delete(f"/posts/{post['id']}", "moderator", data=b"{oops",
                            headers={"Content-Type": "application/json"}), 400, "invalid")
    response = api.delete(f"/posts/{post['id']}", "moderator", json={"reason": "Off topic"})
    assert response.status_code == 200
    assert response.get_json()["post"]["state_reason"] == "Off topic"


# --- flags --------------------------------------------------------------------------
def test_flag(api, thread_id):
    post = api.reply("member", thread_id)
    response = api.post(f"/posts/{post['id']}/flags", "supplier2", json={"reason": "spam", "note": "ads"})
    assert response.status_code == 201
    flag = response.get_json()["flag"]
    assert flag["post_id"] == post["id"] and flag["reason"] == "spam" and flag["note"] == "ads"
    assert flag["status"] == "open" and flag["created_at"].endswith("Z")
    again = api.post(f"/posts/{post['id']}/flags", "supplier2", json={"reason": "abusive"})
    assert_error(again, 409, "conflict")


def test_flag_refusals(api, thread_id):
    post = api.reply("member", thread_id)
    assert_error(api.post(f"/posts/{post['id']}/flags", "member", json={"reason": "spam"}), 403, "forbidden")
    assert_error(api.post(f"/posts/{post['id']}/flags", "member2", json={"reason": "boring"}), 400, "invalid")
    assert_error(api.post(f"/posts/{post['id']}/flags", "member2", json={"reason": "other"}), 400, "invalid")
    assert_error(api.post(f"/posts/{post['id']}/flags", "member2", json={"reason": "spam", "note": 3}),
                 400, "invalid")
    assert_error(api.post(f"/posts/{post['id']}/flags", "member2"), 400, "invalid")
    assert_error(api.post("/posts/9999/flags", "member2", json={"reason": "spam"}), 404, "not_found")


def test_enough_flags_hide_the_post(api, thread_id, in_db):
    post = api.reply("member", thread_id)
    for who in ("supplier", "supplier2", "member2"):
        assert api.post(f"/posts/{post['id']}/flags", who, json={"reason": "abusive"}).status_code == 201
    assert in_db(lambda: db.session.scalar(db.select(db.func.count(Flag.id)))) == 3
    assert post["id"] not in [p["id"] for p in api.get(f"/threads/{thread_id}", "supplier").get_json()["posts"]]
    assert api.get(f"/posts/{post['id']}", "member").get_json()["post"]["state"] == "hidden"
