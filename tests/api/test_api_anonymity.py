"""An anonymous author is never named in any API answer, to moderators neither, until a
moderator reveals them (POST /posts/<id>/reveal, logged): then to that moderator only."""
from __future__ import annotations

import pytest

from community.extensions import db
from tests.api.helpers import assert_anonymous

NAME, HANDLE, EMAIL, ORG = "Zanele Quixote", "zquixote", "supplier@example.com", "Textiles Ltd"
SECRETS = [NAME, HANDLE, EMAIL, ORG]


@pytest.fixture
def story(api, in_db, world):
    """The supplier (renamed so the name is unmistakable) asks anonymously, replies anonymously,
    and takes part in a conversation with members; returns the ids involved."""

    def rename():
        user = world.user("supplier")
        user.name, user.handle = NAME, HANDLE

    in_db(rename)
    made = api.start_thread("supplier", anonymous=True, kind="question", title="Can we report this safely?",
                            body="Our buyer asked for overtime records.")
    thread_id, opening = made["thread"]["id"], made["post"]["id"]
    assert made["thread"]["author"]["name"] == NAME  # the author sees themself
    member_reply = api.reply("member", thread_id, "Yes: use the grievance channel.", reply_to=opening)
    anon_reply = api.reply("supplier", thread_id, "Thank you, that helps.", reply_to=member_reply["id"],
                           anonymous=True)
    api.reply("member2", thread_id, "Seconded.", reply_to=anon_reply["id"])
    return {"thread": thread_id, "opening": opening, "anon_reply": anon_reply["id"],
            "member_reply": member_reply["id"], "author": world.ids["supplier"]}


def _answers(api, who, story):
    """Every API answer a reader can get that mentions the anonymous posts."""
    t, anon = story["thread"], story["anon_reply"]
    answers = [
        api.get("/topics/grievance/threads", who),
        api.get("/topics/grievance/threads?filter=questions", who),
        api.get(f"/threads/{t}", who),
        api.get(f"/threads/{t}?limit=1", who),
        api.get(f"/posts/{story['opening']}", who),
        api.get(f"/posts/{anon}", who),
        api.get("/notifications", who),
        api.post(f"/threads/{t}/posts", who, json={"body": "Another view", "reply_to": anon}),
        api.post(f"/posts/{anon}/flags", who, json={"reason": "other", "note": "Just checking"}),
    ]
    for response in answers:
        assert response.status_code in (200, 201), (response.status_code, response.get_json())
    return [r.get_json() for r in answers]


@pytest.mark.parametrize("who", ["member", "member2", "supplier2"])
def test_anonymous_author_never_revealed_to_readers(api, story, who):
    for payload in _answers(api, who, story):
        assert_anonymous(payload, SECRETS, story["author"])
    thread = api.get(f"/threads/{story['thread']}", who).get_json()
    assert thread["thread"]["author"] == {"anonymous": True, "label": "Anonymous supplier"}
    anonymous_posts = [p for p in thread["posts"] if p["anonymous"]]
    assert len(anonymous_posts) == 2
    for post in anonymous_posts:
        assert post["author"] == {"anonymous": True, "label": "Anonymous supplier"}
        assert "body" not in post


def test_notifications_about_anonymous_posts_do_not_name_the_author(api, story):
    notes = api.get("/notifications", "member").get_json()["notifications"]
    assert notes, "the member was told about the anonymous reply"
    assert any("Anonymous supplier" in n["text"] for n in notes)
    assert_anonymous(notes, SECRETS, story["author"])


def test_accepting_an_answer_does_not_reveal_the_asker(api, story):
    response = api.post(f"/threads/{story['thread']}/accept", "supplier", json={"post_id": story["member_reply"]})
    assert response.status_code == 200
    assert api.get(f"/threads/{story['thread']}", "member").get_json()["thread"]["accepted_post_id"]
    for payload in _answers(api, "member", story):
        assert_anonymous(payload, SECRETS, story["author"])


@pytest.mark.parametrize("who", ["moderator", "admin"])
def test_moderators_see_the_label_until_they_reveal(api, story, who):
    thread = api.get(f"/threads/{story['thread']}", who).get_json()
    assert_anonymous(thread, SECRETS, story["author"])
    for post in (p for p in thread["posts"] if p["anonymous"]):
        assert post["author"] == {"anonymous": True, "label": "Anonymous supplier"}
        assert "body" in post  # what they need to moderate
    listed = api.get("/topics/grievance/threads", who).get_json()["threads"][0]
    assert listed["author"] == {"anonymous": True, "label": "Anonymous supplier"}
    hidden = api.post(f"/posts/{story['anon_reply']}/moderation", who, json={"action": "hide", "reason": "Check"})
    assert hidden.get_json()["post"]["author"] == {"anonymous": True, "label": "Anonymous supplier"}


@pytest.mark.parametrize("who", ["moderator", "admin"])
def test_a_reveal_answers_the_author_and_names_them_to_the_revealer_only(app, api, story, who):
    from sqlalchemy import select

    from community.models import ModerationAction
    from tests.api.helpers import assert_error

    anon = story["anon_reply"]
    assert_error(api.post(f"/posts/{anon}/reveal", who, json={}), 400, "invalid")  # a reason is required
    revealed = api.post(f"/posts/{anon}/reveal", who, json={"reason": "Possible threat to a worker"})
    assert revealed.status_code == 200
    body = revealed.get_json()
    assert body["post_id"] == anon and body["anonymous"] is True
    assert body["author"]["id"] == story["author"] and body["author"]["name"] == NAME
    assert body["author"]["organisation"]["name"] == ORG
    # from now on this post names its author to this reader, and only this post
    post = api.get(f"/posts/{anon}", who).get_json()["post"]
    assert post["author"]["name"] == NAME and post["author"]["anonymous"] is True
    assert api.get(f"/posts/{story['opening']}", who).get_json()["post"]["author"] == \
        {"anonymous": True, "label": "Anonymous supplier"}
    other = "admin" if who == "moderator" else "moderator"
    assert_anonymous(api.get(f"/posts/{anon}", other).get_json(), SECRETS, story["author"])
    with app.app_context():
        (row,) = db.session.scalars(select(ModerationAction).where(ModerationAction.action == "reveal_author"))
        assert (row.target_type, row.target_id, row.target_user_id, row.reason) == \
            ("post", anon, story["author"], "Possible threat to a worker")
    # The administrators' list of reveals says who revealed whom, when and why.
    listed = api.get("/reveals", "admin").get_json()
    (entry,) = listed["reveals"]
    assert entry["author"]["name"] == NAME and entry["target"] == {"type": "post", "id": anon}
    assert entry["reason"] == "Possible threat to a worker" and entry["at"] and entry["by"]["name"]
    assert api.get("/reveals", "moderator").status_code == 403  # administrators only


@pytest.mark.parametrize("who", ["member", "member2", "supplier2", "supplier"])
def test_nobody_else_can_reveal(api, story, who):
    """404, the answer for a post that does not exist: even the author asks in vain (they know)."""
    from tests.api.helpers import assert_error

    missing = assert_error(api.post("/posts/999999/reveal", who, json={"reason": "who is it please"}), 404,
                           "not_found")
    refused = assert_error(api.post(f"/posts/{story['anon_reply']}/reveal", who,
                                    json={"reason": "who is it please"}), 404, "not_found")
    assert refused == missing
