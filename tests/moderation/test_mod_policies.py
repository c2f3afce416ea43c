"""Every per-topic policy: post-moderation (default), hold the first N posts of new users, hold
all posts, slow mode, who may start threads, anonymous posting allowed or not.

Each is checked where people meet it: the action (rows and events), and the API, the page
or the socket with the message a person reads.
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.actions.moderation import moderate_post
from community.actions.posts import reply
from community.actions.threads import get_thread, start_thread
from community.errors import Forbidden, RateLimited
from community.extensions import db
from community.models import Post
from tests.actions.support import start
from tests.api.helpers import Api, assert_error
from tests.moderation.support import text


@pytest.fixture
def api(client, token_for) -> Api:
    return Api(client, token_for)


@pytest.fixture
def thread_id(app, world) -> int:
    """A visible thread in grievance, started by its moderator (never held)."""
    with app.app_context():
        thread, _ = start(world, "moderator", title="Policies are tested here")
        return thread.id


def post_count() -> int:
    return db.session.scalar(select(func.count(Post.id))) or 0


# --- post-moderation, the default -----------------------------------------------------------------
def test_post_moderation_is_the_default_posts_appear_at_once(app, world, emitted, thread_id):
    emitted.clear()
    with app.app_context():
        assert world.topic("grievance").moderation == "post"
        post = reply(world.user("supplier"), get_thread(thread_id), "Visible straight away")
        assert post.state == "visible"
    assert [e.room for e in emitted.named("post.created")] == [f"thread:{thread_id}"]
    assert not emitted.to("mods:grievance")  # nothing to review


# --- hold the first N posts of new users --------------------------------------------------------------
def test_hold_first_n_posts_of_new_users_until_enough_are_approved(app, world, set_topic, emitted, thread_id):
    set_topic("grievance", moderation="first_n", hold_first_n=2)
    emitted.clear()
    with app.app_context():
        thread = get_thread(thread_id)
        first = reply(world.user("supplier"), thread, "My first post here")
        second = reply(world.user("supplier"), thread, "My second post here")
        assert (first.state, second.state) == ("held", "held")
        # Held posts go to the moderators' room only, never to the thread's readers.
        assert not emitted.named("post.created")
        assert [e.payload["change"] for e in emitted.to("mods:grievance")] == ["added", "added"]
        moderate_post(world.user("moderator"), first, "approve")
        third = reply(world.user("supplier"), thread, "Third, one approved so far")
        assert third.state == "held"
        moderate_post(world.user("moderator"), second, "approve")
        fourth = reply(world.user("supplier"), thread, "Fourth, two approved now")
        assert fourth.state == "visible"
        # The moderators and people with approved posts are not held.
        assert reply(world.user("moderator"), thread, "A moderator's reply").state == "visible"


def test_hold_first_n_over_the_api_says_held(api, set_topic, thread_id):
    set_topic("grievance", moderation="first_n", hold_first_n=1)
    post = api.reply("supplier2", thread_id, "Hello, first time here")
    assert post["state"] == "held"
    # Other readers do not see it; its author does, marked held.
    others = api.get(f"/threads/{thread_id}", "member").get_json()["posts"]
    assert post["id"] not in [p["id"] for p in others]
    mine = api.get(f"/threads/{thread_id}", "supplier2").get_json()["posts"]
    assert [p["state"] for p in mine if p["id"] == post["id"]] == ["held"]


# --- hold every post ----------------------------------------------------------------------------------
def test_hold_all_holds_every_post_and_new_thread_until_approved(app, world, set_topic, emitted, thread_id):
    set_topic("grievance", moderation="all")
    emitted.clear()
    with app.app_context():
        held_reply = reply(world.user("member"), get_thread(thread_id), "Held like all the others")
        assert held_reply.state == "held"
        thread, opening = start_thread(world.user("supplier"), world.topic("grievance"),
                                       title="A new thread to be held", body="Opening words")
        assert (thread.state, opening.state) == ("held", "held")
        assert not emitted.named("thread.created") and not emitted.named("post.created")
        assert len(emitted.to("mods:grievance")) == 2
        moderate_post(world.user("moderator"), opening, "approve")
        assert thread.state == "visible"
        assert [e.room for e in emitted.named("thread.created")] == ["topic:grievance"]


def test_hold_all_thread_page_marks_it_awaiting_review_for_the_author_only(app, login_as, set_topic, thread_id):
    set_topic("grievance", moderation="all")
    author = login_as("supplier")
    response = author.post(f"/threads/{thread_id}/reply", data={"body": "WAITING-FOR-REVIEW words"})
    assert response.status_code == 302
    page = text(author.get(response.headers["Location"], follow_redirects=True))
    assert "WAITING-FOR-REVIEW" in page and "Awaiting review" in page
    assert "WAITING-FOR-REVIEW" not in text(login_as("member").get(f"/threads/{thread_id}"))
    assert "WAITING-FOR-REVIEW" in text(login_as("moderator").get("/moderation"))


# --- slow mode -------------------------------------------------------------------------------------------
def test_slow_mode_refuses_with_the_seconds_and_stores_nothing(app, world, set_topic, thread_id):
    set_topic("grievance", slow_mode_seconds=120)
    with app.app_context():
        thread = get_thread(thread_id)
        reply(world.user("supplier"), thread, "First reply is fine")
        before = post_count()
        with pytest.raises(RateLimited) as refused:
            reply(world.user("supplier"), thread, "Too soon")
        assert "Slow mode is on in Grievance mechanisms" in refused.value.message
        assert "you can post again in 120 seconds" in refused.value.message or \
            "you can post again in 119 seconds" in refused.value.message
        assert "Your text is kept." in refused.value.message
        db.session.rollback()
        assert post_count() == before
        # Moderators are not slowed down; other people are not affected by someone else's pace.
        reply(world.user("moderator"), thread, "Moderator one")
        reply(world.user("moderator"), thread, "Moderator two")
        reply(world.user("member"), thread, "Another person")


def test_slow_mode_over_api_page_and_socket(api, login_as, socket_for, set_topic, thread_id, app):
    set_topic("grievance", slow_mode_seconds=60)
    api.reply("supplier", thread_id, "First one")
    with app.app_context():
        before = post_count()
    error = assert_error(api.post(f"/threads/{thread_id}/posts", "supplier", json={"body": "Second"}),
                         429, "rate_limited")
    assert "seconds" in error["message"]
    page = login_as("supplier").post(f"/threads/{thread_id}/reply", data={"body": "KEPT-TEXT of mine"})
    assert page.status_code == 429
    assert "Slow mode is on" in text(page) and "KEPT-TEXT of mine" in text(page)
    ack = socket_for("supplier").emit("post", {"thread_id": thread_id, "body": "Over the socket"}, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "rate_limited" and "seconds" in ack["error"]["message"]
    with app.app_context():
        assert post_count() == before


# --- who may start threads ---------------------------------------------------------------------------------
@pytest.mark.parametrize("setting, allowed, refused", [
    ("everyone", ["supplier", "member", "moderator"], []),
    ("members", ["member", "moderator", "admin"], ["supplier", "supplier2"]),
    ("moderators", ["moderator", "admin"], ["member", "supplier"]),
])
def test_who_may_start_threads(api, set_topic, setting, allowed, refused):
    set_topic("grievance", who_can_start=setting)
    for who in allowed:
        api.start_thread(who, title=f"A thread by {who} here")
    for who in refused:
        error = assert_error(api.post("/topics/grievance/threads", who,
                                      json={"title": "Not allowed to start", "body": "Words"}), 403, "forbidden")
        assert "start threads" in error["message"]


def test_who_may_start_threads_page_keeps_the_text(login_as, set_topic):
    set_topic("grievance", who_can_start="moderators")
    response = login_as("supplier").post("/t/grievance/new", data={"title": "A thread I want", "body": "MY-OWN-WORDS"})
    assert response.status_code == 403
    assert "Only moderators can start threads in this topic." in text(response)


# --- anonymous posting ------------------------------------------------------------------------------------
def test_anonymous_posting_allowed_in_one_topic_refused_in_another(api, app, world):
    made = api.start_thread("supplier", anonymous=True, title="Asked without my name")
    assert made["post"]["anonymous"] is True
    lounge = api.start_thread("member", topic="members-lounge", title="Members only thread")
    error = assert_error(api.post(f"/threads/{lounge['thread']['id']}/posts", "member",
                                  json={"body": "Trying anonymously", "anonymous": True}), 403, "forbidden")
    assert error["message"] == "This topic does not allow anonymous posts."
    with app.app_context(), pytest.raises(Forbidden):
        start_thread(world.user("member"), world.topic("members-lounge"), title="Anonymous attempt",
                     body="Words", anonymous=True)


def test_anonymous_checkbox_only_where_allowed(api, login_as):
    grievance = api.start_thread("member", title="Open grievance thread")["thread"]["id"]
    lounge = api.start_thread("member", topic="members-lounge", title="Members only thread")["thread"]["id"]
    member = login_as("member")
    assert 'name="anonymous"' in text(member.get(f"/threads/{grievance}"))
    assert 'name="anonymous"' not in text(member.get(f"/threads/{lounge}"))
