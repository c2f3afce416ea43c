"""Rate limits on every write path, the same whichever face a request comes through
(form, API, socket): the actions count, through community/ratelimit.py."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from community import ratelimit
from community.actions import live
from community.extensions import db
from community.models import utcnow
from tests.actions.support import start
from tests.api.helpers import Api, assert_error
from tests.conftest import require_service

FACES = ("form", "api", "socket")


@pytest.fixture
def api(client, token_for) -> Api:
    return Api(client, token_for)


@pytest.fixture
def thread_id(app, world):
    with app.app_context():
        thread, _ = start(world, "member")
        return thread.id


def strict(rules: dict, name: str, rule: str = "2/minute") -> None:
    """One rule for `name` whatever the tier (the world's people are all newcomers)."""
    for key in [k for k in rules if k == name or k.startswith(name + ":")]:
        rules[key] = rule
    rules[name] = rule


def reply_through(face, *, api, socket, page, thread_id, body):
    """Reply through one face; returns (refused, status-or-code, message, retry_after)."""
    if face == "api":
        response = api.post(f"/threads/{thread_id}/posts", "supplier", json={"body": body})
        data = response.get_json()
        if response.status_code == 201:
            return False, 201, "", None
        assert response.headers.get("Retry-After") == str(data["error"]["retry_after"])
        return True, response.status_code, data["error"]["message"], data["error"]["retry_after"]
    if face == "socket":
        ack = socket.emit("post", {"thread_id": thread_id, "body": body}, callback=True)
        if ack["ok"]:
            return False, "ok", "", None
        return True, ack["error"]["code"], ack["error"]["message"], ack["error"].get("retry_after")
    response = page.post(f"/threads/{thread_id}/reply", data={"body": body})
    if response.status_code == 302:
        return False, 302, "", None
    html = response.get_data(as_text=True)
    assert body in html  # the refused text is kept in the composer
    return True, response.status_code, html, int(response.headers["Retry-After"])


@pytest.mark.parametrize("last", FACES)
def test_posts_share_one_limit_across_faces(rate_limits, api, socket_for, login_as, thread_id, last):
    strict(rate_limits, "post")
    socket, page = socket_for("supplier"), login_as("supplier")
    others = [f for f in FACES if f != last][:2]
    for n, face in enumerate(others):
        refused, *_ = reply_through(face, api=api, socket=socket, page=page, thread_id=thread_id,
                                    body=f"Reply number {n} through {face}")
        assert not refused, face
    refused, status, message, retry_after = reply_through(
        last, api=api, socket=socket, page=page, thread_id=thread_id, body="The third reply, to be kept")
    assert refused and status in (429, "rate_limited")
    assert 1 <= retry_after <= 60 and "kept" in message
    # someone else is not slowed down by it
    assert api.post(f"/threads/{thread_id}/posts", "supplier2", json={"body": "Mine"}).status_code == 201


def test_new_threads_are_limited_and_count_as_posts(rate_limits, api, login_as, world):
    strict(rate_limits, "thread", "1/minute")
    api.start_thread("supplier")
    error = assert_error(api.post("/topics/grievance/threads", "supplier",
                                  json={"title": "Another question here", "body": "Body"}), 429, "rate_limited")
    assert error["retry_after"] >= 1
    page = login_as("supplier").post("/t/grievance/new", data={"title": "Third question", "body": "Kept body"})
    assert page.status_code == 429 and "Kept body" in page.get_data(as_text=True)
    assert page.headers["Retry-After"]


def test_flags_are_limited(rate_limits, api, world):
    strict(rate_limits, "flag", "1/minute")
    first, second = api.start_thread("member"), api.start_thread("member2")
    assert api.post(f"/posts/{first['post']['id']}/flags", "supplier", json={"reason": "spam"}).status_code == 201
    assert_error(api.post(f"/posts/{second['post']['id']}/flags", "supplier", json={"reason": "spam"}),
                 429, "rate_limited")


def test_edits_are_limited(rate_limits, api, world):
    strict(rate_limits, "edit", "1/minute")
    post_id = api.start_thread("supplier")["post"]["id"]
    assert api.patch(f"/posts/{post_id}", "supplier", json={"body": "Edited once"}).status_code == 200
    assert_error(api.patch(f"/posts/{post_id}", "supplier", json={"body": "Edited twice"}), 429, "rate_limited")


@pytest.fixture
def session_id(app, world):
    with app.app_context():
        now = utcnow()
        session = live.schedule(world.user("member"), world.topic("grievance"), title="Ask the brands",
                                starts_at=(now - timedelta(minutes=5)).isoformat(),
                                ends_at=(now + timedelta(hours=1)).isoformat(), hosts=[])
        live.start(world.user("member"), session)
        return session.id


def test_live_questions_votes_and_chat_are_limited_on_api_and_socket(rate_limits, api, socket_for,
                                                                     session_id):
    strict(rate_limits, "live_question", "1/minute")
    strict(rate_limits, "vote", "1/minute")
    strict(rate_limits, "chat", "1/minute")
    sock = socket_for("supplier")
    assert sock.emit("join", {"room": f"live:{session_id}"}, callback=True)["ok"]
    asked = sock.emit("live.ask", {"session_id": session_id, "body": "First question?"}, callback=True)
    assert asked["ok"], asked
    assert_error(api.post(f"/live/{session_id}/questions", "supplier", json={"body": "Second?"}),
                 429, "rate_limited")
    other = api.post(f"/live/{session_id}/questions", "supplier2", json={"body": "Another one?"}).get_json()
    qid, qid2 = asked["question"]["id"], other["question"]["id"]
    assert api.post(f"/live/{session_id}/questions/{qid2}/vote", "supplier").status_code == 200
    ack = sock.emit("live.vote", {"session_id": session_id, "question_id": qid}, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "rate_limited" and ack["error"]["retry_after"] >= 1
    assert sock.emit("live.chat", {"session_id": session_id, "body": "hello"}, callback=True)["ok"]
    assert_error(api.post(f"/live/{session_id}/chat", "supplier", json={"body": "again"}), 429, "rate_limited")


def test_hosts_are_not_limited_in_their_own_chat(rate_limits, api, session_id):
    strict(rate_limits, "chat", "1/minute")
    for n in range(3):
        assert api.post(f"/live/{session_id}/chat", "member", json={"body": f"host {n}"}).status_code == 201


def test_newcomers_have_stricter_rules_than_members_of_long_standing(rate_limits, app, api, world, thread_id):
    rate_limits.update({"post": "3/minute", "post:newcomer": "1/minute"})
    with app.app_context():
        assert ratelimit.tier_for(world.user("supplier")) == "newcomer"
        assert ratelimit.tier_for(world.user("admin")) == "admin"
        veteran = world.user("supplier2")
        veteran.created_at = utcnow() - timedelta(days=app.config["RATE_LIMIT_NEWCOMER_DAYS"] + 1)
        db.session.commit()
        assert ratelimit.tier_for(world.user("supplier2")) == "supplier"
    assert api.post(f"/threads/{thread_id}/posts", "supplier", json={"body": "one"}).status_code == 201
    assert_error(api.post(f"/threads/{thread_id}/posts", "supplier", json={"body": "two"}), 429, "rate_limited")
    for n in range(3):
        assert api.post(f"/threads/{thread_id}/posts", "supplier2", json={"body": f"{n}"}).status_code == 201


def test_every_write_path_has_a_default_rule(app):
    rules = app.config["RATE_LIMITS"]
    for name in ("post", "thread", "edit", "flag", "live_question", "vote", "chat", "reaction", "upload",
                 "mention_email", "socket_connect"):
        assert rules.get(name), name


def test_counts_are_shared_by_workers_through_redis(app):
    """Two processes on one Redis storage count together (here: two storage clients, as two
    processes would have; the shared app's config, so the global Flask-Limiter is left alone)."""
    try:
        import redis
        redis.Redis.from_url("redis://127.0.0.1:6379/1", socket_connect_timeout=1).ping()
        available = True
    except Exception:  # noqa: BLE001
        available = False
    require_service("Redis", available, "redis://127.0.0.1:6379 does not answer")
    app.config.update(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/1",
                      RATE_LIMITS={"shared_probe": "2/minute"})
    key = uuid.uuid4().hex
    try:
        with app.test_request_context():
            ratelimit.hit("shared_probe", key)
            ratelimit._limiters.clear()  # the other worker: a client of its own
            ratelimit.hit("shared_probe", key)
            ratelimit._limiters.clear()
            with pytest.raises(ratelimit.RateLimited):
                ratelimit.hit("shared_probe", key)
    finally:
        ratelimit._limiters.clear()
