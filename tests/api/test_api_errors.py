"""Errors are always {"error": {"code", "message"}} with the right status, never a 500."""
from __future__ import annotations

import pytest

from tests.api.helpers import assert_error


@pytest.mark.parametrize("who", [None, "member"])
def test_unknown_route_is_json_404(api, who):
    assert_error(api.get("/nothing/here", who), 404, "not_found")
    assert_error(api.get("/threads/1/nothing", who), 404, "not_found")


def test_wrong_method_is_json_405(api):
    assert_error(api.call("PUT", "/me", "member"), 405, "method_not_allowed")
    assert_error(api.call("DELETE", "/topics", "member"), 405, "method_not_allowed")


def test_oversized_request_is_json_413(api):
    response = api.post("/topics/grievance/threads", "member", data=b'{"body": "' + b"x" * 1_100_000 + b'"}',
                        headers={"Content-Type": "application/json"})
    assert_error(response, 413, "too_large")


@pytest.mark.parametrize("raw", [
    b"[" * 100_000,                # nesting deep enough to break a recursive parser
    b"\xff\xfe\x00garbage",        # not UTF-8
    b'{"body": NaN',
    b"{'body': 'single quotes'}",
])
def test_hostile_json_is_400(api, raw):
    response = api.post("/topics/grievance/threads", "member", data=raw, headers={"Content-Type": "application/json"})
    assert_error(response, 400, "invalid")


def test_json_without_a_json_content_type_is_still_read(api):
    response = api.post("/topics/grievance/threads", "member", data=b'{"title": "Plain text type", "body": "ok"}',
                        headers={"Content-Type": "text/plain"})
    assert response.status_code == 201


WRONG_VALUES = [None, 0, -1, 2**70, 1.5, True, "", "x" * 30, [], {}, [1, 2], {"a": {"b": []}}]
WRITES = [
    ("POST", "/topics/grievance/threads", ("title", "body", "kind", "anonymous", "tags", "client_id")),
    ("POST", "/threads/{thread}/posts", ("body", "reply_to", "anonymous", "client_id")),
    ("PATCH", "/posts/{post}", ("body", "reason")),
    ("DELETE", "/posts/{post}", ("reason",)),
    ("POST", "/posts/{post}/flags", ("reason", "note")),
    ("POST", "/posts/{post}/moderation", ("action", "reason")),
    ("POST", "/threads/{thread}/moderation", ("action", "topic", "reason")),
    ("POST", "/threads/{thread}/accept", ("post_id",)),
    ("POST", "/notifications/read", ("id",)),
]


@pytest.mark.parametrize("method,path,fields", WRITES)
def test_wrong_types_never_cause_a_500(api, method, path, fields):
    """Every field of every write, given values of every wrong type: a 4xx error or a success."""
    made = api.start_thread("member", kind="question")
    thread, post = made["thread"]["id"], api.reply("supplier", made["thread"]["id"])["id"]
    url = path.format(thread=thread, post=post)
    base = {"title": "A proper title", "body": "Some text", "action": "lock", "reason": "spam"}
    for field in fields:
        for value in WRONG_VALUES:
            for who in ("moderator", "supplier2"):
                response = api.call(method, url, who, json={**base, field: value})
                assert response.status_code < 500, (field, value, response.get_data(as_text=True)[:300])
                if response.status_code >= 400:
                    assert_error(response, response.status_code, response.get_json()["error"]["code"])
