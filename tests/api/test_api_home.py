"""The home page's lists through the API: /home/latest, /home/unread, /home/unanswered, /home/mine."""
from __future__ import annotations

from datetime import timedelta

import pytest

from community.extensions import db
from community.models import Thread, utcnow
from tests.api.helpers import assert_anonymous, assert_error


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.get_json()
    return [t["id"] for t in response.get_json()["threads"]]


def test_latest_spans_readable_topics_newest_first_with_a_cursor(api):
    a = api.start_thread("supplier", title="First thread in grievance")["thread"]["id"]
    b = api.start_thread("member", topic="members-lounge", title="Members only thread")["thread"]["id"]
    c = api.start_thread("supplier", topic="textiles-circle", title="Textiles circle thread")["thread"]["id"]
    api.reply("member", a, "Bump to the top")
    assert _ids(api.get("/home/latest", "admin")) == [a, c, b]
    assert _ids(api.get("/home/latest", "supplier2")) == [a]
    first = api.get("/home/latest?limit=2", "admin").get_json()
    assert [t["id"] for t in first["threads"]] == [a, c] and first["next_cursor"]
    assert _ids(api.get(f"/home/latest?limit=2&cursor={first['next_cursor']}", "admin")) == [b]
    assert_error(api.get("/home/latest?cursor=nonsense", "admin"), 400, "invalid")
    assert_error(api.get(f"/home/unread?cursor={first['next_cursor']}", "admin"), 400, "invalid")
    threads = api.get("/home/latest", "member").get_json()["threads"]
    assert {"unread", "new", "last_read_post_id"} <= set(threads[0])


def test_unread_has_new_threads_and_threads_with_unread_posts(api):
    read = api.start_thread("supplier", title="A thread the member reads")
    api.post(f"/threads/{read['thread']['id']}/read", "member", json={"post_id": read["post"]["id"]})
    quiet = api.start_thread("supplier", title="A thread read to the end")
    api.post(f"/threads/{quiet['thread']['id']}/read", "member", json={"post_id": quiet["post"]["id"]})
    fresh = api.start_thread("supplier2", title="A thread never opened")["thread"]["id"]
    own = api.start_thread("member", title="The member's own thread")["thread"]["id"]
    assert _ids(api.get("/home/unread", "member")) == [fresh]
    api.reply("supplier2", read["thread"]["id"], "Something new")
    listed = api.get("/home/unread", "member").get_json()["threads"]
    assert [t["id"] for t in listed] == [read["thread"]["id"], fresh]
    assert (listed[0]["unread"], listed[1]["new"]) == (1, True)
    assert own not in _ids(api.get("/home/unread", "member"))
    api.post("/me/read", "member")
    assert _ids(api.get("/home/unread", "member")) == []


def test_unanswered_questions_in_watched_or_moderated_topics_oldest_first(api, in_db, world):
    old = api.start_thread("supplier", title="An old question waiting", kind="question")["thread"]["id"]
    anon = api.start_thread("supplier2", title="Anonymous waiting question", kind="question",
                            anonymous=True)["thread"]["id"]
    asker_only = api.start_thread("supplier", title="Question with a bump only", kind="question")["thread"]["id"]
    api.reply("supplier", asker_only, "Anyone?")
    answered = api.start_thread("supplier", title="A question with a reply", kind="question")["thread"]["id"]
    api.reply("member2", answered, "Here is how")
    api.start_thread("supplier", title="A discussion, not a question")
    lounge = api.start_thread("member2", topic="members-lounge", title="Lounge question waiting",
                              kind="question")["thread"]["id"]

    def age(thread_id, days):
        def run():
            db.session.get(Thread, thread_id).created_at = utcnow() - timedelta(days=days)
        in_db(run)

    age(old, 3)
    assert _ids(api.get("/home/unanswered", "member")) == []  # watches nothing, moderates nothing
    assert _ids(api.get("/home/unanswered", "moderator")) == [old, anon, asker_only]
    in_db(lambda: _watch(world, "member", "members-lounge"))
    assert _ids(api.get("/home/unanswered", "member")) == [lounge]
    data = api.get("/home/unanswered", "moderator").get_json()["threads"]
    assert data[0]["organisation_kind"] == "supplier" and data[0]["waiting_since"].endswith("Z")
    assert data[1]["organisation_kind"] == "supplier"
    assert_anonymous(data[1], ["Supplier2", "Rubber Works", "supplier2@example.com"], world.ids["supplier2"])
    assert _ids(api.get("/home/unanswered?limit=1", "admin"))[0] == old


def _watch(world, who, slug):
    from community.models import TopicWatch

    db.session.add(TopicWatch(user_id=world.ids[who], topic_id=world.topic_ids[slug], level="watching"))


def test_my_questions(api):
    mine = api.start_thread("supplier", title="My question about audits", kind="question")["thread"]["id"]
    anon = api.start_thread("supplier", title="My anonymous question", kind="question", anonymous=True)["thread"]["id"]
    api.start_thread("supplier", title="My discussion thread")
    api.start_thread("supplier2", title="Someone else's question", kind="question")
    assert _ids(api.get("/home/mine", "supplier")) == [anon, mine]
    assert _ids(api.get("/home/mine", "member")) == []


@pytest.mark.parametrize("path", ["latest", "unread", "unanswered", "mine"])
def test_lists_need_a_signed_in_caller(api, path):
    assert_error(api.get(f"/home/{path}"), 401, "unauthorized")
