"""GET /api/v1/users?q=&thread= (or &topic=) — people to @mention (issue #11: the directory).

Only people who may read the thread being written in; 2 characters at least; 10 at most;
rate limited by the one rate-limit service; nobody can page through the membership.
"""
from __future__ import annotations

import pytest

from community import ratelimit
from community.extensions import db
from tests.conftest import make_user


def lookup(client, headers, q, **where):
    query = "&".join(f"{k}={v}" for k, v in {"q": q, **where}.items())
    return client.get(f"/api/v1/users?{query}", headers=headers)


@pytest.fixture
def open_thread(api):
    return api.start_thread("member", topic="grievance")["thread"]["id"]


def test_lookup_by_handle_or_name_prefix(client, token_for, open_thread):
    headers = token_for("supplier")
    found = lookup(client, headers, "memb", thread=open_thread).get_json()["users"]
    assert {u["handle"] for u in found} == {"member", "member2"}
    assert set(found[0]) == {"handle", "name", "organisation"}  # no email, no id
    assert lookup(client, headers, "@Moder", thread=open_thread).get_json()["users"][0]["handle"] == "moderator"
    assert lookup(client, headers, "memb", topic="grievance").get_json()["users"] == found


def test_only_people_who_can_read_the_thread_are_offered(client, token_for, api, world):
    circle = api.start_thread("supplier", topic="textiles-circle")["thread"]["id"]
    lounge = api.start_thread("member", topic="members-lounge")["thread"]["id"]
    headers = token_for("admin")
    # textiles-circle: the supplier's organisation, its moderators and the administrators
    assert {u["handle"] for u in lookup(client, headers, "su", thread=circle).get_json()["users"]} == {"supplier"}
    assert lookup(client, headers, "me", thread=circle).get_json()["users"] == []
    # members-lounge: no supplier is offered
    assert {u["handle"] for u in lookup(client, headers, "su", thread=lounge).get_json()["users"]} == set()
    assert {u["handle"] for u in lookup(client, headers, "memb", topic="members-lounge").get_json()["users"]} \
        == {"member", "member2"}


def test_a_thread_one_cannot_read_is_not_there(client, token_for, api):
    circle = api.start_thread("supplier", topic="textiles-circle")["thread"]["id"]
    headers = token_for("supplier2")
    hidden = lookup(client, headers, "su", thread=circle)
    missing = lookup(client, headers, "su", thread=999999)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_json() == missing.get_json()
    assert lookup(client, headers, "su", topic="textiles-circle").get_json() == \
        lookup(client, headers, "su", topic="no-such-topic").get_json()
    assert lookup(client, headers, "su", thread="abc").status_code == 404


def test_lookup_needs_two_characters_and_a_place(client, token_for, open_thread):
    headers = token_for("supplier")
    for q in ("", "m", "@m", "%", "%%", "x" * 41):
        response = lookup(client, headers, q, thread=open_thread)
        assert response.status_code == 400, q
        assert response.get_json()["error"]["code"] == "invalid"
    response = lookup(client, headers, "memb")  # nowhere: every member would be offered
    assert response.status_code == 400 and "thread" in response.get_json()["error"]["message"]


def test_lookup_leaves_out_inactive_people(client, token_for, open_thread):
    headers = token_for("supplier")
    assert lookup(client, headers, "pend", thread=open_thread).get_json()["users"] == []
    assert lookup(client, headers, "susp", thread=open_thread).get_json()["users"] == []


def test_at_most_ten_people(app, client, token_for, world, open_thread):
    with app.app_context():
        org = world.user("member").organisation
        for n in range(15):
            make_user(f"zed{n:02d}", "member", org)
        db.session.commit()
    found = lookup(client, token_for("supplier"), "zed", thread=open_thread).get_json()["users"]
    assert len(found) == 10


def test_lookup_is_rate_limited(app, client, token_for, open_thread):
    app.config["RATELIMIT_ENABLED"] = True
    app.config["RATE_LIMITS"] = {**app.config["RATE_LIMITS"], "users_lookup": "5/minute"}
    ratelimit.clear_all()
    headers = token_for("supplier")
    try:
        for _ in range(5):
            assert lookup(client, headers, "memb", thread=open_thread).status_code == 200
        refused = lookup(client, headers, "memb", thread=open_thread)
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
        assert refused.get_json()["error"]["code"] == "rate_limited"
        # the limit is the caller's, not the address's: another person is not held back
        assert lookup(client, token_for("member"), "memb", thread=open_thread).status_code == 200
    finally:
        ratelimit.clear_all()


def test_lookup_needs_a_caller(client):
    assert client.get("/api/v1/users?q=mem&topic=grievance").status_code == 401
