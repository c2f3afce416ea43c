"""Malformed and oversized input never reaches a 500 (community/request_limits.py and the
checks it backs): body size, ids out of range, lone surrogates, deep nesting, wrong types,
unknown values, on pages, the API and sockets. The real server's side of the body limit
(chunked bodies, no draining under eventlet) is in tests/resilience/test_live_limits.py."""
from __future__ import annotations

import json

import pytest
from flask import Blueprint

from community.errors import Invalid
from community.request_limits import allow_body, clean_json
from tests.actions.support import start
from tests.api.helpers import Api, assert_error


@pytest.fixture
def api(client, token_for) -> Api:
    return Api(client, token_for)


@pytest.fixture
def thread_id(app, world):
    with app.app_context():
        thread, _ = start(world, "member")
        return thread.id


# --- body size ------------------------------------------------------------------------------
def test_a_body_over_the_limit_is_413_as_json_and_nothing_is_echoed(app, api, thread_id):
    app.config["MAX_CONTENT_LENGTH"] = 10 * 1024
    body = "SECRET-" + "x" * 20_000
    response = api.post(f"/threads/{thread_id}/posts", "supplier", json={"body": body})
    error = assert_error(response, 413, "too_large")
    assert "10 KB" in error["message"] and "SECRET" not in response.get_data(as_text=True)


def test_a_form_over_the_limit_is_413_page_with_nothing_echoed(app, login_as, thread_id):
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    client = login_as("supplier")
    response = client.post(f"/threads/{thread_id}/reply", data={"body": "SECRET-" + "y" * 20_000})
    assert response.status_code == 413 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "too large" in html and "SECRET" not in html and "yyyy" not in html


def test_an_anonymous_login_post_over_the_limit_is_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    response = client.post("/login", data={"email": "a@b.c", "password": "p" * 50_000})
    assert response.status_code == 413 and "ppp" not in response.get_data(as_text=True)


def test_a_post_of_the_longest_allowed_text_fits_whatever_its_characters(app, api, thread_id):
    """20,000 characters outside the BMP, every one escaped: still under the default limit."""
    body = "😀" * 20_000
    raw = json.dumps({"body": body})  # \\ud83d\\ude00 per character: 240 KB
    assert len(raw) < app.config["MAX_CONTENT_LENGTH"]
    response = api.post(f"/threads/{thread_id}/posts", "supplier", data=raw,
                        headers={"Content-Type": "application/json"})
    assert response.status_code == 201, response.get_json()


def test_an_endpoint_may_allow_larger_bodies():
    """The hook for uploads: @allow_body(n) on a view raises its own limit only."""
    from community import create_app
    from community.request_limits import body_limit
    from config import TestingConfig

    class Small(TestingConfig):
        MAX_CONTENT_LENGTH = 10_000

    bp = Blueprint("upload_probe", __name__)

    @bp.post("/probe-upload")
    @allow_body(50_000)
    def probe():
        from flask import request
        return {"size": len(request.get_data())}

    app = create_app(Small)
    app.register_blueprint(bp)
    assert body_limit(app, "upload_probe.probe") == 50_000
    client = app.test_client()
    assert client.post("/probe-upload", data=b"z" * 40_000).get_json() == {"size": 40_000}
    assert client.post("/probe-upload", data=b"z" * 60_000).status_code == 413
    assert client.post("/login", data={"password": "z" * 40_000}).status_code == 413


# --- ids out of range -------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/threads/99999999999999999999", "/threads/2147483648",
                                  "/posts/99999999999999999999", "/live/99999999999999999999",
                                  "/threads/0", "/threads/1?page=%C2%B2", "/threads/1?page=99999999999999"])
def test_pages_with_impossible_ids_are_404_or_ignored(app, login_as, world, path, thread_id):
    response = login_as("supplier").get(path)
    assert response.status_code in (200, 302, 404), (path, response.status_code)


@pytest.mark.parametrize("path", ["/threads/99999999999999999999", "/posts/99999999999999999999",
                                  "/live/99999999999999999999",
                                  "/live/1/questions/99999999999999999999/vote"])
def test_api_ids_out_of_range_are_404(api, world, path):
    method = "POST" if path.endswith("/vote") else "GET"
    assert_error(api.call(method, path, "supplier"), 404, "not_found")


@pytest.mark.parametrize("value", [99999999999999999999, 2**31, -1, True, 1.5, "1e3", [1], {"a": 1}, "²"])
def test_api_bad_reply_to_values_are_400(api, thread_id, value):
    response = api.post(f"/threads/{thread_id}/posts", "supplier", json={"body": "Hi", "reply_to": value})
    assert_error(response, 400, "invalid")


# --- text that cannot be stored ------------------------------------------------------------------
@pytest.mark.parametrize("field", ["body", "title", "client_id", "language", "kind"])
def test_lone_surrogates_in_json_are_400(api, world, field):
    raw = json.dumps({"title": "A fine title", "body": "Fine", field: "x\ud800y"})
    response = api.post("/topics/grievance/threads", "supplier", data=raw,
                        headers={"Content-Type": "application/json"})
    error = assert_error(response, 400, "invalid")
    assert "surrogate" in error["message"]


def test_lone_surrogates_in_keys_and_query_strings(api, world):
    raw = '{"\\udc80": 1, "title": "A fine title", "body": "Fine"}'
    assert_error(api.post("/topics/grievance/threads", "supplier", data=raw,
                          headers={"Content-Type": "application/json"}), 400, "invalid")
    assert api.get("/search?q=%ED%A0%80fees", "supplier").status_code in (200, 400)
    assert api.get("/topics/%ED%A0%80/threads", "supplier").status_code == 404


def test_lone_surrogates_in_forms_are_harmless(login_as, thread_id):
    client = login_as("supplier")
    response = client.post(f"/threads/{thread_id}/reply", data=b"body=x%ED%A0%80y",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code in (302, 400)
    raw = client.post(f"/threads/{thread_id}/reply", data=b"body=x\xed\xa0\x80y",
                      content_type="application/x-www-form-urlencoded")
    assert raw.status_code in (302, 400)


@pytest.mark.parametrize("depth", [25, 5000, 100_000])
def test_deeply_nested_json_is_400(api, thread_id, depth):
    raw = '{"body": "x", "reply_to": ' + "[" * depth + "]" * depth + "}"
    assert_error(api.post(f"/threads/{thread_id}/posts", "supplier", data=raw,
                          headers={"Content-Type": "application/json"}), 400, "invalid")


def test_clean_json_passes_ordinary_data_through():
    data = {"a": [1, 2.5, None, True, {"b": "ünïcode 😀"}]}
    assert clean_json(data) is data
    with pytest.raises(Invalid):
        clean_json({"a": "\udfff"})


# --- wrong types and unknown values ---------------------------------------------------------------
@pytest.mark.parametrize("payload", [
    {"title": 12345, "body": "Fine"}, {"title": "A fine title", "body": ["x"]},
    {"title": "A fine title", "body": "Fine", "kind": "poll"}, {"title": "A fine title", "body": "Fine", "kind": 3},
    {"title": "A fine title", "body": "Fine", "anonymous": "perhaps"},
    {"title": "A fine title", "body": "Fine", "tags": {"a": 1}}, {"title": "A fine title", "body": "Fine", "language": 7},
])
def test_wrong_types_and_unknown_values_are_400(api, world, payload):
    assert_error(api.post("/topics/grievance/threads", "supplier", json=payload), 400, "invalid")


@pytest.mark.parametrize("path,payload", [
    ("/posts/{post}/flags", {"reason": "boring"}), ("/posts/{post}/flags", {"reason": None}),
    ("/posts/{post}/moderation", {"action": "explode"}), ("/threads/{thread}/moderation", {"action": 1}),
    ("/threads/{thread}/accept", {"post_id": "abc"}),
])
def test_unknown_enum_values_are_400_or_403(api, app, world, path, payload):
    data = api.start_thread("member")
    path = path.format(post=data["post"]["id"], thread=data["thread"]["id"])
    response = api.post(path, "moderator", json=payload)
    assert response.status_code in (400, 403), (path, response.status_code, response.get_json())
    assert response.get_json()["error"]["code"] in ("invalid", "forbidden")


def test_non_json_bodies_are_400(api, thread_id):
    for raw, kind in ((b"\xff\xfe not json", "application/json"), (b"[1, 2]", "application/json"),
                      (b"NaN", "application/json"), (b"body=form", "application/x-www-form-urlencoded")):
        assert_error(api.post(f"/threads/{thread_id}/posts", "supplier", data=raw,
                              headers={"Content-Type": kind}), 400, "invalid")


# --- sockets: bad input is an error ack, never server_error -------------------------------------------
@pytest.mark.parametrize("event,data", [
    ("post", {"thread_id": 99999999999999999999, "body": "x"}),
    ("post", {"thread_id": True, "body": "x"}),
    ("post", {"thread_id": "{thread}", "body": "x\ud800"}),
    ("post", {"thread_id": "{thread}", "body": "x", "reply_to": 2**40}),
    ("post", {"thread_id": "{thread}", "body": {"nested": json.loads("[" * 30 + "]" * 30)}}),
    ("post", {"thread_id": "{thread}", "body": ["x"], "anonymous": "maybe"}),
    ("join", {"room": "thread:99999999999999999999"}),
    ("join", {"room": "topic:\udc80"}),
    ("join", {"room": "thread:²"}),
    ("join", {"room": "live:１２"}),
    ("typing", {"thread_id": 2**63}),
    ("live.ask", {"session_id": 99999999999999999999, "body": "x"}),
    ("live.vote", {"session_id": "1", "question_id": 10**30}),
    ("live.chat", {"session_id": [1], "body": "x"}),
])
def test_bad_socket_events_get_an_error_ack_never_server_error(socket_for, thread_id, event, data):
    sock = socket_for("supplier")
    data = {k: (thread_id if v == "{thread}" else v) for k, v in data.items()}
    ack = sock.emit(event, data, callback=True)
    assert ack["ok"] is False, ack
    assert ack["error"]["code"] in ("invalid", "not_found", "forbidden"), ack


def test_an_over_long_post_gets_the_same_message_on_every_face(app, api, socket_for, login_as, thread_id):
    body = "é" * (app.config["POST_MAX_CHARS"] + 1)
    from_api = api.post(f"/threads/{thread_id}/posts", "supplier", json={"body": body}).get_json()["error"]
    ack = socket_for("supplier").emit("post", {"thread_id": thread_id, "body": body}, callback=True)
    page = login_as("supplier").post(f"/threads/{thread_id}/reply", data={"body": body})
    assert ack["ok"] is False and ack["error"]["message"] == from_api["message"]
    assert "too long" in from_api["message"] and "20,001" in from_api["message"]
    assert page.status_code == 400 and from_api["message"] in page.get_data(as_text=True)
