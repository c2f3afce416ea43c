"""Protected identities: the author of an anonymous post cannot be found by anyone — not
through the thread page (text or HTML attributes), the topic page, the API, socket room
events, notifications (text and payload), moderators' queue events or the review pages
(404 for those who do not moderate the topic). The topic's moderators and administrators
learn who it is only by a logged reveal (issue #11), and then only they, for that post.
"""
from __future__ import annotations

import json
import re

import pytest

from community.actions.moderation import assign_moderator
from community.extensions import db
from tests.api.helpers import assert_anonymous
from tests.moderation.support import card, text
from tests.realtime.support import drain, joined

NAME, HANDLE, EMAIL, ORG = "Zanele Quixote", "zquixote", "supplier@example.com", "Textiles Ltd"
SECRETS = [NAME, HANDLE, EMAIL, ORG]
READERS = ["member", "member2", "supplier2"]


def error_message(response) -> str:
    return re.search(r'<p class="mb-2">(.*?)</p>', text(response)).group(1)


def assert_hidden(content: str, author_id: int, where: str) -> None:
    for secret in SECRETS:
        assert secret not in content, f"{secret!r} found in {where}"
    for pattern in (rf"(author|user)[_-]?id\W{{1,4}}{author_id}\b", rf"/users?/{author_id}\b", rf"@{HANDLE}"):
        assert not re.search(pattern, content, re.IGNORECASE), f"{pattern} found in {where}"


@pytest.fixture
def story(app, world, client, token_for, socket_for, set_topic) -> dict:
    """The supplier (renamed so the name is unmistakable) asks anonymously in grievance while
    readers listen on sockets; members reply; the supplier answers a member anonymously (the
    member is notified); then, with grievance holding posts, a held anonymous reply."""
    with app.app_context():
        supplier = world.user("supplier")
        supplier.name, supplier.handle = NAME, HANDLE
        # member moderates another topic: that gives no sight of grievance's anonymous authors.
        assign_moderator(None, world.topic("members-lounge"), world.user("member"))
        db.session.commit()
    listeners = {who: socket_for(who) for who in READERS}
    moderators = socket_for("moderator")
    for sock in listeners.values():
        joined(sock, "topic:grievance")
    joined(moderators, "mods:grievance")

    def api(method, path, who, **kw):
        return client.open("/api/v1" + path, method=method, headers=token_for(who), **kw)

    made = api("POST", "/topics/grievance/threads", "supplier",
               json={"title": "Is it safe to report recruitment fees?", "body": "OPENING-ANON words",
                     "kind": "question", "anonymous": True}).get_json()
    thread_id, opening = made["thread"]["id"], made["post"]["id"]
    for sock in listeners.values():
        joined(sock, f"thread:{thread_id}")
    member_reply = api("POST", f"/threads/{thread_id}/posts", "member",
                       json={"body": "Yes, through the hotline.", "reply_to": opening}).get_json()["post"]["id"]
    anon_reply = api("POST", f"/threads/{thread_id}/posts", "supplier",
                     json={"body": "REPLY-ANON thank you", "reply_to": member_reply,
                           "anonymous": True}).get_json()["post"]["id"]
    api("PATCH", f"/posts/{anon_reply}", "supplier", json={"body": "REPLY-ANON thank you, edited", "reason": "typo"})
    api("POST", f"/posts/{anon_reply}/flags", "member2", json={"reason": "other", "note": "Who is this?"})
    set_topic("grievance", moderation="all")
    held = api("POST", f"/threads/{thread_id}/posts", "supplier",
               json={"body": "HELD-ANON awaiting review", "anonymous": True}).get_json()["post"]["id"]
    return {"thread": thread_id, "opening": opening, "anon_reply": anon_reply, "held": held,
            "member_reply": member_reply, "author": world.ids["supplier"], "listeners": listeners,
            "moderators": moderators, "api": api}


@pytest.mark.parametrize("who", READERS)
def test_pages_never_name_the_author(login_as, story, who):
    c = login_as(who)
    t = story["thread"]
    pages = {
        "thread page": c.get(f"/threads/{t}"),
        "thread last page": c.get(f"/threads/{t}/last", follow_redirects=True),
        "topic page": c.get("/t/grievance"),
        "topic questions": c.get("/t/grievance?filter=questions"),
        "home": c.get("/"),
        "notifications": c.get("/notifications"),
        "revisions": c.get(f"/posts/{story['anon_reply']}/revisions"),
        "quote": c.get(f"/threads/{t}?quote={story['anon_reply']}"),
    }
    for where, response in pages.items():
        assert response.status_code == 200, where
        assert_hidden(text(response), story["author"], where)
    page = text(pages["thread page"])
    assert "Anonymous supplier" in page and "OPENING-ANON" in page and "REPLY-ANON" in page
    assert "HELD-ANON" not in page  # held: only its author and the moderators
    permalink = c.get(f"/posts/{story['anon_reply']}")
    assert_hidden(permalink.headers.get("Location", ""), story["author"], "permalink")


@pytest.mark.parametrize("who", ["member2", "supplier2"])
def test_the_review_pages_are_closed_to_readers(login_as, story, who):
    c = login_as(who)
    for path in ("/moderation", "/moderation/log"):  # no object: "only moderators"
        response = c.get(path)
        assert response.status_code == 403, path
        assert_hidden(text(response), story["author"], path)
    missing = error_message(c.get("/moderation/posts/999999"))
    for path in (f"/moderation/posts/{story['anon_reply']}", f"/moderation/posts/{story['held']}",
                 f"/moderation/queue/items/{story['held']}", f"/moderation/threads/{story['thread']}",
                 "/moderation/topics/grievance/words"):
        response = c.get(path)
        # "not yours to see" and "not there" are one answer: a held post's page is not a 403
        assert response.status_code == 404, path
        assert_hidden(text(response), story["author"], path)
    assert error_message(c.get(f"/moderation/posts/{story['held']}")) == missing == "That post does not exist."


@pytest.mark.parametrize("who", READERS)
def test_the_api_never_names_the_author(story, who):
    api, t = story["api"], story["thread"]
    answers = {
        "topics": api("GET", "/topics", who),
        "thread list": api("GET", "/topics/grievance/threads", who),
        "thread": api("GET", f"/threads/{t}", who),
        "opening": api("GET", f"/posts/{story['opening']}", who),
        "reply": api("GET", f"/posts/{story['anon_reply']}", who),
        "notifications": api("GET", "/notifications", who),
    }
    for where, response in answers.items():
        assert response.status_code == 200, (where, response.get_json())
        assert_anonymous(response.get_json(), SECRETS, story["author"])
        assert_hidden(response.get_data(as_text=True), story["author"], where)
    assert api("GET", f"/posts/{story['held']}", who).status_code == 404
    thread = answers["thread"].get_json()
    assert thread["thread"]["author"] == {"anonymous": True, "label": "Anonymous supplier"}


def test_search_never_names_the_author(app, story):
    for q in ("REPLY-ANON", NAME, HANDLE, ORG):
        response = story["api"]("GET", f"/search?q={q}", "member2")
        assert response.status_code == 200
        assert_anonymous(response.get_json(), SECRETS, story["author"])


def test_socket_events_never_name_the_author(story):
    for who, sock in story["listeners"].items():
        received = drain(sock)
        names = [name for name, _ in received]
        assert "post.created" in names and "thread.created" in names and "post.updated" in names, (who, names)
        assert "moderation.queue" not in names, who  # the moderators' room only
        for name, payload in received:
            if name == "notification":
                continue  # checked below, per person
            assert_hidden(json.dumps(payload), story["author"], f"{who}: {name}")
        for _name, payload in received:
            if isinstance(payload, dict) and isinstance(payload.get("post"), dict):
                assert_anonymous(payload, SECRETS, story["author"])
        # Nobody else may join the moderators' room.
        ack = sock.emit("join", {"room": "mods:grievance"}, callback=True)
        assert ack["ok"] is False


def test_notifications_never_name_the_author(app, world, story):
    # The member was answered by the anonymous supplier: told who? Only "Anonymous supplier".
    received = drain(story["listeners"]["member"])
    pushed = [payload for name, payload in received if name == "notification"]
    assert pushed, "the member should have been notified of the anonymous reply"
    texts = [p["notification"]["text"] for p in pushed]
    assert any(t.startswith("Anonymous supplier replied to your post") for t in texts), texts
    for payload in pushed:
        assert_hidden(json.dumps(payload), story["author"], "notification event")
    from sqlalchemy import select

    from community.models import Notification
    with app.app_context():
        for note in db.session.scalars(select(Notification).where(Notification.user_id != world.ids["supplier"])):
            assert_hidden(f"{note.text} {note.url}", story["author"], f"notification {note.id}")


def test_moderators_room_events_never_name_the_author(story):
    received = drain(story["moderators"])
    queue = [payload for name, payload in received if name == "moderation.queue"]
    assert [(p["change"], p["post"]["id"]) for p in queue] == \
        [("flagged", story["anon_reply"]), ("added", story["held"])]
    for payload in queue:
        assert payload["room"] == "mods:grievance"
        assert payload["post"]["author"] == {"anonymous": True, "label": "Anonymous supplier"}
        assert "HELD-ANON" in payload["post"]["body"] or payload["change"] == "flagged"  # enough to moderate
        assert_hidden(json.dumps(payload), story["author"], "moderators' room")


@pytest.mark.parametrize("who", ["moderator", "admin"])
def test_moderators_and_admins_see_the_label_until_they_reveal(app, login_as, story, who):
    c = login_as(who)
    queue = text(c.get("/moderation"))
    for post_id in (story["anon_reply"], story["held"]):
        item = card(queue, post_id)
        assert_hidden(item, story["author"], f"queue card {post_id}")
        assert "Anonymous supplier" in item and "Reveal author" in item
        assert "This author in Grievance mechanisms" in item  # their record, without a name
    for path in (f"/threads/{story['thread']}", f"/moderation/posts/{story['held']}",
                 f"/moderation/threads/{story['thread']}", "/moderation/log", f"/posts/{story['anon_reply']}/revisions"):
        assert_hidden(text(c.get(path)), story["author"], f"{who}: {path}")
    api = story["api"]("GET", f"/threads/{story['thread']}", who).get_json()
    assert_anonymous(api, SECRETS, story["author"])
    assert api["thread"]["author"] == {"anonymous": True, "label": "Anonymous supplier"}


def test_a_reveal_shows_the_author_to_the_revealer_only_and_is_logged(app, login_as, story):
    from sqlalchemy import select

    from community.models import ModerationAction

    moderator = login_as("moderator")
    refused = moderator.post(f"/moderation/posts/{story['held']}/reveal", data={"reason": ""})
    assert refused.status_code == 400 and "Reveal author" in text(refused)
    assert_hidden(text(refused), story["author"], "a refused reveal")
    done = moderator.post(f"/moderation/posts/{story['held']}/reveal",
                          data={"reason": "Threatening a named worker"})
    assert done.status_code == 302
    page = text(moderator.get(f"/moderation/posts/{story['held']}"))
    assert f"revealed to you: {NAME}, {ORG}" in page and "You revealed who wrote this post" in page
    with app.app_context():
        row = db.session.scalar(select(ModerationAction).where(ModerationAction.action == "reveal_author"))
        assert (row.target_type, row.target_id, row.target_user_id, row.reason, row.target_anonymous) == \
            ("post", story["held"], story["author"], "Threatening a named worker", True)
        assert row.actor_id != story["author"] and row.topic_id is not None and row.created_at is not None
    # One post, one person: the other anonymous post stays anonymous, and so it does for the admin.
    assert_hidden(text(moderator.get(f"/moderation/posts/{story['anon_reply']}")), story["author"], "other post")
    admin = login_as("admin")
    assert_hidden(text(admin.get(f"/moderation/posts/{story['held']}")), story["author"], "admin, unrevealed")
    # The log names the reveal, never whom, to the topic's moderators.
    log = text(moderator.get("/moderation/log"))
    assert "reveal author" in log and "Threatening a named worker" in log
    assert_hidden(log, story["author"], "audit log")
    assert_hidden(text(moderator.get(f"/moderation/log?user={NAME.split()[0]}")), story["author"], "log search")


def test_a_moderator_of_another_topic_does_not_see_who_it_is(login_as, story):
    member = login_as("member")  # moderates members-lounge only
    for path in ("/moderation", "/moderation/log"):
        response = member.get(path)
        assert response.status_code == 200
        assert_hidden(text(response), story["author"], f"member's own {path}")
    assert member.get("/moderation?topic=grievance").status_code == 404
    for path in (f"/moderation/posts/{story['held']}", f"/moderation/queue/items/{story['anon_reply']}",
                 f"/moderation/threads/{story['thread']}"):
        response = member.get(path)
        assert response.status_code == 404, path
        assert_hidden(text(response), story["author"], path)
    assert member.post(f"/moderation/posts/{story['anon_reply']}/reveal", data={"reason": "curious, sorry"}).status_code == 404
    api = story["api"]("GET", f"/threads/{story['thread']}", "member").get_json()
    assert_anonymous(api, SECRETS, story["author"])
    assert_hidden(text(member.get(f"/threads/{story['thread']}")), story["author"], "thread page")
