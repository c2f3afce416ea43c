"""The API of a second look: PATCH /posts/<id> by the author of a hidden or rejected post
resubmits it (200, state "held"); POST /posts/<id>/appeals files an appeal (201);
POST /appeals/<id> decides it; GET /appeals lists them; outsiders find nothing."""
from __future__ import annotations

import pytest

from tests.api.helpers import assert_error


@pytest.fixture
def hidden(api) -> dict:
    thread = api.start_thread("member")["thread"]
    post = api.reply("supplier", thread["id"], "Their agent charges fees")
    response = api.post(f"/posts/{post['id']}/moderation", "moderator",
                        json={"action": "hide", "reason": "Please give facts"})
    assert response.status_code == 200
    return {"thread": thread["id"], "post": post["id"]}


def test_the_author_sees_why_in_plain_words(api, hidden):
    own = api.get(f"/posts/{hidden['post']}", "supplier").get_json()["post"]
    assert (own["state"], own["state_cause"], own["state_reason"]) == ("hidden", "moderator", "Please give facts")
    assert own["state_note"] == "A moderator hid this post: Please give facts."  # said once ("Hidden: Hidden by...")
    # Others do not see the post at all.
    assert_error(api.get(f"/posts/{hidden['post']}", "member2"), 404, "not_found")


def test_patch_by_the_author_resubmits_a_hidden_post(api, hidden):
    response = api.patch(f"/posts/{hidden['post']}", "supplier", json={"body": "Their agent charged 300 USD in May"})
    assert response.status_code == 200
    post = response.get_json()["post"]
    assert (post["state"], post["state_cause"]) == ("held", "resubmitted")
    assert "awaiting" in post["state_note"].lower() or "review" in post["state_note"].lower()
    same = api.patch(f"/posts/{hidden['post']}", "supplier", json={"body": "Their agent charged 300 USD in May"})
    assert same.status_code == 200 and same.get_json()["post"]["state"] == "held"  # held: an ordinary edit now
    approved = api.post(f"/posts/{hidden['post']}/moderation", "moderator", json={"action": "approve"})
    assert approved.get_json()["post"]["state"] == "visible"


def test_patch_with_the_same_text_says_what_to_do(api, hidden):
    body = api.get(f"/posts/{hidden['post']}", "supplier").get_json()["post"]["body"]
    error = assert_error(api.patch(f"/posts/{hidden['post']}", "supplier", json={"body": body}), 400, "invalid")
    assert error["field"] == "body" and "appeal" in error["message"]


def test_appeal_and_decide(api, world, hidden):
    filed = api.post(f"/posts/{hidden['post']}/appeals", "supplier", json={"note": "It is a fact, here is the invoice"})
    assert filed.status_code == 201
    appeal = filed.get_json()["appeal"]
    assert appeal["state"] == "open" and appeal["post_id"] == hidden["post"]
    assert appeal["note"].startswith("It is a fact")
    assert "decided_by" not in appeal and "reviewer" not in appeal  # the author is not told who
    assert_error(api.post(f"/posts/{hidden['post']}/appeals", "supplier", json={"note": "again"}), 409, "conflict")
    # The moderators list it; the one whose decision it is may not decide it (another can).
    listed = api.get("/appeals", "moderator").get_json()
    assert [a["id"] for a in listed["appeals"]] == [appeal["id"]] and listed["next_cursor"] is None
    mine = listed["appeals"][0]
    assert mine["can_decide"] is False and mine["decided_by"]["id"] == world.ids["moderator"]
    assert_error(api.post(f"/appeals/{appeal['id']}", "moderator", json={"decision": "overturn", "reason": "Mine"}),
                 403, "forbidden")
    assert api.get("/appeals", "admin").get_json()["appeals"][0]["can_decide"] is True
    assert_error(api.post(f"/appeals/{appeal['id']}", "admin", json={"decision": "perhaps", "reason": "x"}),
                 400, "invalid")
    decided = api.post(f"/appeals/{appeal['id']}", "admin", json={"decision": "overturn", "reason": "Documented"})
    assert decided.status_code == 200
    data = decided.get_json()
    assert data["appeal"]["state"] == "overturned" and data["appeal"]["reason"] == "Documented"
    assert data["post"]["state"] == "visible"
    assert hidden["post"] in [p["id"] for p in api.get(f"/threads/{hidden['thread']}", "member2").get_json()["posts"]]
    # The author reads the outcome and the reason in their notifications and on the appeal.
    notes = api.get("/notifications", "supplier").get_json()["notifications"]
    assert notes[0]["verb"] == "appeal_overturned" and "Documented" in notes[0]["text"]
    own = api.get(f"/appeals/{appeal['id']}", "supplier").get_json()["appeal"]
    assert own["state"] == "overturned" and own["reason"] == "Documented"
    assert [a["id"] for a in api.get("/appeals?mine=1", "supplier").get_json()["appeals"]] == [appeal["id"]]


def test_outsiders_find_no_appeal(api, hidden):
    appeal = api.post(f"/posts/{hidden['post']}/appeals", "supplier", json={"note": "Please"}).get_json()["appeal"]
    for who in ("member", "supplier2"):
        assert_error(api.get(f"/appeals/{appeal['id']}", who), 404, "not_found")
        assert_error(api.post(f"/appeals/{appeal['id']}", who, json={"decision": "overturn", "reason": "x"}),
                     404, "not_found")
        assert api.get("/appeals", who).get_json()["appeals"] == []
    assert_error(api.post(f"/posts/{hidden['post']}/appeals", "member2", json={"note": "x"}), 404, "not_found")
    assert_error(api.get("/appeals/99999", "admin"), 404, "not_found")
    assert_error(api.get("/appeals?state=maybe", "admin"), 400, "invalid")


def test_a_visible_post_cannot_be_appealed(api):
    thread = api.start_thread("member")["thread"]
    post = api.reply("supplier", thread["id"])
    assert_error(api.post(f"/posts/{post['id']}/appeals", "supplier", json={"note": "why not"}), 403, "forbidden")



def test_a_100000_character_note_is_a_clear_error_and_nothing_is_filed(api, hidden):
    for note in ("x" * 100_000, "x" * 2001):
        error = assert_error(api.post(f"/posts/{hidden['post']}/appeals", "supplier", json={"note": note}),
                             400, "invalid")
        assert error["field"] == "note" and "2,000" in error["message"]
    assert api.get("/appeals", "moderator").get_json()["appeals"] == []
    assert api.post(f"/posts/{hidden['post']}/appeals", "supplier", json={"note": "x" * 2000}).status_code == 201
