"""An anonymous author is never named in any API answer to a non-moderator, and is to moderators."""
from __future__ import annotations

import pytest

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
def test_moderators_of_the_topic_see_who_it_is(api, story, who):
    thread = api.get(f"/threads/{story['thread']}", who).get_json()
    assert thread["thread"]["author"]["name"] == NAME
    for post in (p for p in thread["posts"] if p["anonymous"]):
        assert post["author"]["anonymous"] is True and post["author"]["label"] == "Anonymous supplier"
        assert post["author"]["id"] == story["author"]
        assert post["author"]["name"] == NAME and post["author"]["organisation"]["name"] == ORG
        assert "body" in post
    listed = api.get("/topics/grievance/threads", who).get_json()["threads"][0]
    assert listed["author"]["name"] == NAME
    hidden = api.post(f"/posts/{story['anon_reply']}/moderation", who, json={"action": "hide", "reason": "Check"})
    assert hidden.get_json()["post"]["author"]["name"] == NAME


def test_a_moderator_of_another_topic_does_not_see_who_it_is(api, story, in_db, world):
    from community.models import TopicModerator
    from community.extensions import db

    in_db(lambda: db.session.add(TopicModerator(topic_id=world.topic_ids["members-lounge"],
                                                user_id=world.ids["member2"])))
    for payload in _answers(api, "member2", story):
        assert_anonymous(payload, SECRETS, story["author"])


def test_the_author_sees_their_own_anonymous_posts(api, story):
    posts = api.get(f"/threads/{story['thread']}", "supplier").get_json()["posts"]
    mine = [p for p in posts if p["anonymous"]]
    assert all(p["author"]["name"] == NAME and "body" in p for p in mine)
