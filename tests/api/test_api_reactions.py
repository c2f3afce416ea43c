"""Reactions through the API: POST /posts/<id>/reactions (201, then 200), DELETE .../<kind>,
who reacted, `reactions` in every post object, and `?order=helpful` on a thread."""
from __future__ import annotations

import pytest

from tests.api.helpers import assert_anonymous, assert_error
from tests.statements import statements


@pytest.fixture
def question(api) -> dict:
    return api.start_thread("member", kind="question", title="Who pays the recruitment fees?")


def test_react_then_again_then_take_it_back(api, question):
    post_id = question["post"]["id"]
    first = api.post(f"/posts/{post_id}/reactions", "supplier", json={"kind": "helpful"})
    assert first.status_code == 201
    assert first.get_json() == {"post_id": post_id, "reactions": {"helpful": 1, "thanks": 0, "agree": 0},
                                "my_reactions": ["helpful"]}
    again = api.post(f"/posts/{post_id}/reactions", "supplier", json={"kind": "helpful"})
    assert again.status_code == 200 and again.get_json() == first.get_json()

    gone = api.delete(f"/posts/{post_id}/reactions/helpful", "supplier")
    assert gone.status_code == 200
    assert gone.get_json() == {"post_id": post_id, "reactions": {"helpful": 0, "thanks": 0, "agree": 0},
                               "my_reactions": []}
    assert api.delete(f"/posts/{post_id}/reactions/helpful", "supplier").status_code == 200


def test_reactions_are_in_every_post_object(api, question, world):
    thread_id, opening_id = question["thread"]["id"], question["post"]["id"]
    api.post(f"/posts/{opening_id}/reactions", "supplier", json={"kind": "agree"})
    api.post(f"/posts/{opening_id}/reactions", "supplier2", json={"kind": "agree"})

    single = api.get(f"/posts/{opening_id}", "supplier").get_json()["post"]
    assert single["reactions"] == {"helpful": 0, "thanks": 0, "agree": 2} and single["my_reactions"] == ["agree"]
    listed = api.get(f"/threads/{thread_id}", "member2").get_json()["posts"][0]
    assert listed["reactions"]["agree"] == 2 and listed["my_reactions"] == []
    reply = api.reply("supplier", thread_id, "An answer.")
    assert reply["reactions"] == {"helpful": 0, "thanks": 0, "agree": 0} and reply["my_reactions"] == []


@pytest.mark.parametrize("body,field", [({"kind": "love"}, "kind"), ({}, "kind"), ({"kind": None}, "kind"),
                                        ({"kind": ["helpful"]}, "kind")])
def test_a_kind_that_is_not_one_of_the_three(api, question, body, field):
    error = assert_error(api.post(f"/posts/{question['post']['id']}/reactions", "supplier", json=body), 400, "invalid")
    assert error["field"] == field
    assert_error(api.delete(f"/posts/{question['post']['id']}/reactions/love", "supplier"), 400, "invalid")


def test_refusals(api, question, world):
    post_id = question["post"]["id"]
    assert_error(api.post(f"/posts/{post_id}/reactions", "member", json={"kind": "helpful"}), 403, "forbidden")
    lounge = api.start_thread("member", topic="members-lounge")["post"]["id"]
    assert_error(api.post(f"/posts/{lounge}/reactions", "supplier", json={"kind": "helpful"}), 404, "not_found")
    assert_error(api.get(f"/posts/{lounge}/reactions", "supplier"), 404, "not_found")
    assert_error(api.post("/posts/999999/reactions", "supplier", json={"kind": "helpful"}), 404, "not_found")
    assert_error(api.post(f"/posts/{post_id}/reactions", None, json={"kind": "helpful"}), 401, "unauthorized")
    api.post(f"/threads/{question['thread']['id']}/moderation", "admin", json={"action": "lock"})
    assert_error(api.post(f"/posts/{post_id}/reactions", "supplier", json={"kind": "helpful"}), 423, "locked")


def test_who_reacted(api, question, world):
    post_id = question["post"]["id"]
    api.post(f"/posts/{post_id}/reactions", "supplier", json={"kind": "thanks"})
    api.post(f"/posts/{post_id}/reactions", "supplier2", json={"kind": "thanks"})
    data = api.get(f"/posts/{post_id}/reactions", "supplier").get_json()
    assert data["post_id"] == post_id
    thanks = data["reactions"]["thanks"]
    assert thanks["count"] == 2 and thanks["others"] == 0 and thanks["you"] is True
    assert [p["name"] for p in thanks["people"]] == ["Supplier2", "Supplier"]  # newest first
    assert data["reactions"]["helpful"] == {"count": 0, "people": [], "others": 0, "you": False}


def test_an_anonymous_asker_is_never_findable_through_reactions(api, world, in_db):
    asked = api.start_thread("supplier", kind="question", anonymous=True, title="Fees charged by our agent")
    thread_id = asked["thread"]["id"]
    answer = api.reply("member", thread_id, "Ask for receipts.")
    api.post(f"/posts/{answer['id']}/reactions", "supplier", json={"kind": "thanks"})  # the asker
    api.post(f"/posts/{asked['post']['id']}/reactions", "member2", json={"kind": "helpful"})

    secrets = ["Supplier", "supplier@", "Textiles", "textiles"]
    for who in ("member", "member2", "moderator", "admin", "supplier2"):
        for path in (f"/posts/{answer['id']}/reactions", f"/posts/{asked['post']['id']}/reactions",
                     f"/threads/{thread_id}", f"/posts/{answer['id']}"):
            assert_anonymous(api.get(path, who).get_json(), secrets, world.ids["supplier"])
    # the answer's author learns someone thanked them, not who
    notes = api.get("/notifications", "member").get_json()["notifications"]
    assert [n["text"] for n in notes if n["kind"] == "reaction"] == ["Someone thanked you for your answer"]


def test_order_helpful(api, question, world):
    thread_id, opening_id = question["thread"]["id"], question["post"]["id"]
    a = api.reply("supplier", thread_id, "a")["id"]
    b = api.reply("supplier2", thread_id, "b")["id"]
    c = api.reply("admin", thread_id, "c")["id"]
    for who in ("member2", "moderator"):
        api.post(f"/posts/{c}/reactions", who, json={"kind": "helpful"})
    api.post(f"/posts/{b}/reactions", "member2", json={"kind": "helpful"})
    assert api.post(f"/threads/{thread_id}/accept", "member", json={"post_id": a}).status_code == 200

    best = api.get(f"/threads/{thread_id}?order=helpful", "member2").get_json()
    assert [p["id"] for p in best["posts"]] == [opening_id, a, c, b]
    first = api.get(f"/threads/{thread_id}?order=helpful&limit=2", "member2").get_json()
    assert [p["id"] for p in first["posts"]] == [opening_id, a]
    rest = api.get(f"/threads/{thread_id}?order=helpful&limit=2&cursor={first['next_cursor']}", "member2").get_json()
    assert [p["id"] for p in rest["posts"]] == [c, b] and rest["next_cursor"] is None
    oldest = api.get(f"/threads/{thread_id}", "member2").get_json()
    assert [p["id"] for p in oldest["posts"]] == [opening_id, a, b, c]
    assert_error(api.get(f"/threads/{thread_id}?order=best", "member2"), 400, "invalid")
    # a cursor of one order is refused by the other
    assert_error(api.get(f"/threads/{thread_id}?cursor={first['next_cursor']}", "member2"), 400, "invalid")


def test_cookie_callers_need_the_csrf_token(app, world, login_as, api, question):
    browser = login_as("supplier")
    app.config["WTF_CSRF_ENABLED"] = True
    response = browser.post(f"/api/v1/posts/{question['post']['id']}/reactions", json={"kind": "helpful"})
    assert_error(response, 400, "invalid")


def test_a_page_of_posts_reads_the_callers_reactions_once(api, question, app):
    """Counts live on the post; the caller's own reactions are one query per page, not per post."""


    thread_id = question["thread"]["id"]
    ids = [api.reply("supplier", thread_id, f"answer {i}")["id"] for i in range(8)]
    for post_id in ids[::2]:
        api.post(f"/posts/{post_id}/reactions", "member2", json={"kind": "agree"})
    with statements(app, containing="FROM reaction") as reads:
        data = api.get(f"/threads/{thread_id}", "member2").get_json()
    assert [p["my_reactions"] for p in data["posts"][1:]] == [["agree"], []] * 4
    assert len(reads) == 1
