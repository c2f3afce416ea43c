"""Read state through the API: POST /threads/<id>/read, GET /me/unread, marking a topic or
everything read, and the unread counts in the topic and thread lists."""
from __future__ import annotations

import pytest

from tests.api.helpers import assert_error


def _story(api):
    """A thread by supplier with two replies by supplier2; member read up to the opening post."""
    started = api.start_thread("supplier")
    thread_id, opening_id = started["thread"]["id"], started["post"]["id"]
    first = api.reply("supplier2", thread_id, "First reply")
    second = api.reply("supplier2", thread_id, "Second reply")
    response = api.post(f"/threads/{thread_id}/read", "member", json={"post_id": opening_id})
    assert response.status_code == 200, response.get_json()
    return thread_id, opening_id, first, second


def test_reading_up_to_a_post_and_the_thread_says_where_the_reader_stands(api):
    thread_id, opening_id, first, second = _story(api)
    data = api.get(f"/threads/{thread_id}", "member").get_json()
    assert data["read"] == {"thread_id": thread_id, "last_read_post_id": opening_id, "unread": 2, "new": False,
                            "first_unread_post_id": first["id"]}
    response = api.post(f"/threads/{thread_id}/read", "member", json={"post_id": second["id"]})
    assert response.get_json()["read"]["unread"] == 0
    # forward only: an older post answers the current state
    response = api.post(f"/threads/{thread_id}/read", "member", json={"post_id": first["id"]})
    assert response.status_code == 200 and response.get_json()["read"]["last_read_post_id"] == second["id"]
    # someone who never opened it: new, nothing read
    fresh = api.get(f"/threads/{thread_id}", "member2").get_json()["read"]
    assert fresh == {"thread_id": thread_id, "last_read_post_id": None, "unread": 0, "new": True,
                     "first_unread_post_id": None}


@pytest.mark.parametrize("body", [{}, {"post_id": "x"}, {"post_id": 10**6}, {"post_id": None}, {"post_id": True}])
def test_read_needs_a_post_of_that_thread(api, body):
    thread_id, *_ = _story(api)
    assert_error(api.post(f"/threads/{thread_id}/read", "member", json=body), 400, "invalid")


def test_a_post_hidden_while_the_page_was_open_marks_up_to_the_last_visible_one(api):
    """The reader's page saw a reply a moderator then hid: its mark is clamped to the last post
    before it they may see, a 200 and no error (the page retried a 400 three times)."""
    thread_id, opening_id, first, second = _story(api)
    for post in (first, second):
        assert api.post(f"/posts/{post['id']}/moderation", "moderator",
                        json={"action": "hide", "reason": "Check"}).status_code == 200
    response = api.post(f"/threads/{thread_id}/read", "member", json={"post_id": second["id"]})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["read"]["last_read_post_id"] == opening_id  # the first reply is hidden too
    api.post(f"/posts/{first['id']}/moderation", "moderator", json={"action": "restore"})
    response = api.post(f"/threads/{thread_id}/read", "member", json={"post_id": second["id"]})
    assert response.status_code == 200 and response.get_json()["read"]["last_read_post_id"] == first["id"]
    assert response.get_json()["read"]["unread"] == 0
    # The moderator sees hidden posts: their mark goes to the one they name.
    response = api.post(f"/threads/{thread_id}/read", "moderator", json={"post_id": second["id"]})
    assert response.status_code == 200 and response.get_json()["read"]["last_read_post_id"] == second["id"]


def test_read_of_another_threads_post_or_a_private_thread(api):
    thread_id, opening_id, *_ = _story(api)
    other = api.start_thread("supplier", title="Another question here")["thread"]["id"]
    assert_error(api.post(f"/threads/{other}/read", "member", json={"post_id": opening_id}), 400, "invalid")
    secret = api.start_thread("supplier", topic="textiles-circle")
    assert_error(api.post(f"/threads/{secret['thread']['id']}/read", "supplier2",
                          json={"post_id": secret["post"]["id"]}), 404, "not_found")
    assert_error(api.post(f"/threads/{thread_id}/read", None, json={"post_id": opening_id}), 401, "unauthorized")


def test_me_unread_and_the_lists_carry_the_counts(api):
    thread_id, opening_id, first, second = _story(api)
    api.start_thread("supplier2", title="A brand new thread")
    data = api.get("/me/unread", "member").get_json()
    assert {"slug": "grievance", "unread": 1, "new": 1} in data["topics"]
    assert data["threads"] == [{"id": thread_id, "topic": "grievance", "unread": 2}]
    topics = {t["slug"]: t for t in api.get("/topics", "member").get_json()["topics"]}
    assert (topics["grievance"]["unread"], topics["grievance"]["new"]) == (1, 1)
    assert (topics["members-lounge"]["unread"], topics["members-lounge"]["new"]) == (0, 0)
    listed = {t["id"]: t for t in api.get("/topics/grievance/threads", "member").get_json()["threads"]}
    assert (listed[thread_id]["unread"], listed[thread_id]["new"], listed[thread_id]["last_read_post_id"]) == (
        2, False, opening_id)
    (new_one,) = [t for t in listed.values() if t["id"] != thread_id]
    assert (new_one["unread"], new_one["new"], new_one["last_read_post_id"]) == (0, True, None)
    # supplier2 wrote both: nothing of theirs is unread or new to them
    mine = api.get("/me/unread", "supplier2").get_json()
    assert all(t["unread"] == 0 for t in mine["topics"]) and mine["threads"] == []
    assert {t["slug"] for t in mine["topics"]} == {"grievance", "announcements"}


def test_mark_a_topic_read_then_everything(api):
    _story(api)
    lounge = api.start_thread("member2", topic="members-lounge", title="Lounge thread for all")
    response = api.post("/topics/grievance/read", "member")
    assert response.status_code == 200
    counts = {t["slug"]: (t["unread"], t["new"]) for t in response.get_json()["topics"]}
    assert counts["grievance"] == (0, 0) and counts["members-lounge"] == (0, 1)
    response = api.post("/me/read", "member", json={})
    assert all((t["unread"], t["new"]) == (0, 0) for t in response.get_json()["topics"])
    assert lounge
    assert_error(api.post("/topics/members-lounge/read", "supplier"), 404, "not_found")


def test_reads_are_rate_limited(api, rate_limits):
    thread_id, opening_id, *_ = _story(api)
    rate_limits["read"] = "2/minute"
    for _ in range(2):
        assert api.post(f"/threads/{thread_id}/read", "member", json={"post_id": opening_id}).status_code == 200
    response = api.post(f"/threads/{thread_id}/read", "member", json={"post_id": opening_id})
    assert_error(response, 429, "rate_limited")
