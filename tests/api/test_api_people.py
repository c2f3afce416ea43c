"""Profiles through the API: GET /users/<id>, a person's public posts, PATCH /me (avatar colour,
language, time zone).

A profile never shows an anonymous post (to anyone, the author included), nor anything from a
topic the caller cannot read, nor counts that would reveal either."""
from __future__ import annotations

import json

import pytest

from tests.api.helpers import assert_error


@pytest.fixture
def story(api, world, in_db):
    """supplier2 writes: a named question in grievance with an accepted answer by member, an
    anonymous thread and an anonymous reply, a reply in a hidden post, a thread in
    textiles-circle's... (supplier2 cannot write there, so supplier does)."""
    question = api.start_thread("supplier", title="Who pays recruitment fees?", kind="question")
    qid = question["thread"]["id"]
    answer = api.reply("supplier2", qid, "The employer pays, always.")
    assert api.post(f"/threads/{qid}/accept", "supplier", json={"post_id": answer["id"]}).status_code == 200
    named = api.start_thread("supplier2", title="Named discussion thread", body="NAMED-OPENING")
    anon = api.start_thread("supplier2", title="Sensitive anonymous thread", body="ANON-OPENING", anonymous=True)
    anon_reply = api.reply("supplier2", qid, "ANON-REPLY in the question", anonymous=True)
    hidden = api.reply("supplier2", named["thread"]["id"], "HIDDEN-REPLY")
    api.post(f"/posts/{hidden['id']}/moderation", "moderator", json={"action": "hide", "reason": "spam"})
    secret = api.start_thread("supplier", topic="textiles-circle", title="Textiles circle secret", body="SECRET")
    in_circle = api.reply("supplier", secret["thread"]["id"], "CIRCLE-REPLY")
    ids = {k: world.ids[k] for k in ("supplier", "supplier2", "member")}
    return {"question": qid, "answer": answer["id"], "named": named, "anon": anon, "anon_reply": anon_reply,
            "hidden": hidden, "secret": secret, "in_circle": in_circle, "ids": ids}


def test_profile_shows_public_posts_answers_and_accepted_count(api, story):
    data = api.get(f"/users/{story['ids']['supplier2']}", "member").get_json()
    user = data["user"]
    assert (user["name"], user["role"], user["country"]) == ("Supplier2", "supplier", "MY")
    assert user["organisation"]["name"] == "Rubber Works" and user["url"] == f"/users/{user['id']}"
    assert user["avatar"]["initials"] == "S" and user["avatar"]["colour"].startswith("#")
    assert [p["id"] for p in data["answers"]] == [story["answer"]]
    assert data["answers"][0]["accepted"] is True and data["accepted_answers"] == 1
    assert [p["id"] for p in data["posts"]] == [story["named"]["post"]["id"], story["answer"]]
    assert data["topics"] == [{"slug": "grievance", "name": "Grievance mechanisms", "posts": 2}]
    assert data["post_count"] == 2
    text = json.dumps(data)
    for leak in ("ANON-OPENING", "ANON-REPLY", "Sensitive anonymous thread", "HIDDEN-REPLY"):
        assert leak not in text


@pytest.mark.parametrize("viewer", ["supplier2", "moderator", "admin"])
def test_anonymous_posts_are_never_on_a_profile_not_even_ones_own(api, story, viewer):
    data = api.get(f"/users/{story['ids']['supplier2']}", viewer).get_json()
    text = json.dumps(data)
    for leak in ("ANON-OPENING", "ANON-REPLY", "Sensitive anonymous thread"):
        assert leak not in text, viewer
    shown = {p["id"] for p in data["posts"] + data["answers"]}
    assert not shown & {story["anon_reply"]["id"], story["anon"]["post"]["id"]}
    posts = api.get(f"/users/{story['ids']['supplier2']}/posts", viewer).get_json()["posts"]
    assert story["anon_reply"]["id"] not in [p["id"] for p in posts]


def test_nothing_from_a_topic_the_viewer_cannot_read(api, story):
    supplier = story["ids"]["supplier"]
    outsider = api.get(f"/users/{supplier}", "supplier2").get_json()
    insider = api.get(f"/users/{supplier}", "admin").get_json()
    assert "textiles-circle" not in json.dumps(outsider) and "SECRET" not in json.dumps(outsider)
    assert "CIRCLE" not in json.dumps(outsider)
    assert {t["slug"] for t in insider["topics"]} == {"grievance", "textiles-circle"}
    assert outsider["post_count"] == 1 and insider["post_count"] == 3


def test_posts_pages_with_a_cursor(api, story):
    supplier2 = story["ids"]["supplier2"]
    first = api.get(f"/users/{supplier2}/posts?limit=1", "member").get_json()
    assert len(first["posts"]) == 1 and first["next_cursor"]
    second = api.get(f"/users/{supplier2}/posts?limit=1&cursor={first['next_cursor']}", "member").get_json()
    assert second["posts"][0]["id"] < first["posts"][0]["id"] and second["next_cursor"] is None
    answers = api.get(f"/users/{supplier2}/posts?answers=1", "member").get_json()["posts"]
    assert [p["id"] for p in answers] == [story["answer"]]
    assert_error(api.get(f"/users/{supplier2}/posts?answers=maybe", "member"), 400, "invalid")


@pytest.mark.parametrize("who", ["pending", "no-one"])
def test_people_not_there(api, world, who):
    user_id = world.ids.get(who, 10**6)
    error = assert_error(api.get(f"/users/{user_id}", "member"), 404, "not_found")
    assert error["message"] == "That person does not exist."
    assert_error(api.get(f"/users/{user_id}/posts", "member"), 404, "not_found")


def test_a_suspended_persons_profile_stays_and_strangers_need_to_sign_in(api, world):
    assert api.get(f"/users/{world.ids['suspended']}", "member").status_code == 200
    assert_error(api.get(f"/users/{world.ids['member']}"), 401, "unauthorized")


def test_choosing_an_avatar_colour(api, world):
    response = api.patch("/me", "supplier", json={"avatar_colour": "teal"})
    assert response.status_code == 200
    assert response.get_json()["user"]["avatar"]["colour"] == "#0f766e"
    assert api.get("/me", "supplier").get_json()["avatar"]["colour"] == "#0f766e"
    assert api.patch("/me", "supplier", json={"avatar_colour": None}).status_code == 200
    for bad in ("#ff0000", "chartreuse", 3, ["teal"]):
        assert_error(api.patch("/me", "supplier", json={"avatar_colour": bad}), 400, "invalid")
    assert_error(api.patch("/me", "supplier", json={"name": "x"}), 400, "invalid")


def test_setting_ones_time_zone_and_language(api, world, in_db):
    response = api.patch("/me", "supplier", json={"timezone": "Asia/Tokyo"})
    assert response.status_code == 200
    user = response.get_json()["user"]
    assert (user["id"], user["timezone"], user["locale"]) == (world.ids["supplier"], "Asia/Tokyo", "en")
    assert api.get("/me", "supplier").get_json()["timezone"] == "Asia/Tokyo"
    both = api.patch("/me", "supplier", json={"timezone": "Etc/UTC", "locale": "fr"}).get_json()["user"]
    assert (both["timezone"], both["locale"]) == ("UTC", "fr")
    for bad in ("Mars/Olympus", "", None, 3, ["UTC"], "x" * 200):
        error = assert_error(api.patch("/me", "supplier", json={"timezone": bad}), 400, "invalid")
        assert error["field"] == "timezone"
    assert assert_error(api.patch("/me", "supplier", json={"locale": "klingon"}), 400, "invalid")["field"] == "locale"
    # All or nothing: a refused zone leaves the language and the colour as they were.
    refused = api.patch("/me", "supplier", json={"locale": "ar", "avatar_colour": "teal", "timezone": "Nowhere"})
    assert assert_error(refused, 400, "invalid")["field"] == "timezone"
    me = api.get("/me", "supplier").get_json()
    assert (me["timezone"], me["locale"]) == ("UTC", "fr") and me["avatar"]["colour"] != "#0f766e"
    assert in_db(lambda: world.user("supplier").timezone_chosen) is True

