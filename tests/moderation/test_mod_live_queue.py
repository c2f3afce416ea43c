"""The live review queue: the page tells static/js/moderation.js which moderators' rooms to
follow and from which cursor; items arrive in those rooms (and only there), and each can be
fetched as a rendered card; handled items are announced with who handled them."""
from __future__ import annotations

import html
import json
import re

import pytest

from community.actions.moderation import moderate_post
from community.actions.posts import flag_post, reply
from community.extensions import db
from community.models import Post, Thread
from tests.actions.support import start
from tests.moderation.support import card, text
from tests.realtime.support import drain, joined, only


@pytest.fixture
def thread_id(app, world, set_topic) -> int:
    with app.app_context():
        thread, _ = start(world, "moderator", title="Live queue thread")
        reply(world.user("member"), thread, "An early visible reply")
        thread_id = thread.id
    set_topic("grievance", moderation="all")
    set_topic("members-lounge", moderation="all")
    return thread_id


def page_rooms(page: str) -> dict:
    match = re.search(r'data-rooms="([^"]*)"', page)
    return json.loads(html.unescape(match.group(1)))


def test_the_queue_page_wires_the_live_queue(app, login_as, thread_id):
    moderator_page = text(login_as("moderator").get("/moderation"))
    assert '<script type="module" src="/static/js/moderation.js"></script>' in moderator_page
    assert 'data-item-url="/moderation/queue/items/0"' in moderator_page
    assert page_rooms(moderator_page) == {"mods:grievance": 0}
    admin_page = text(login_as("admin").get("/moderation"))
    rooms = page_rooms(admin_page)
    assert {"mods:grievance", "mods:members-lounge", "mods:announcements", "mods:textiles-circle"} == set(rooms)
    assert set(page_rooms(text(login_as("admin").get("/moderation?topic=members-lounge")))) == {"mods:members-lounge"}
    assert "style=" not in moderator_page.split('id="main"')[1]
    assert "<script>" not in moderator_page  # no inline script (CSP)


def test_page_cursor_then_join_replays_what_arrived_in_between(app, world, login_as, socket_for, thread_id):
    rooms = page_rooms(text(login_as("moderator").get("/moderation")))
    with app.app_context():  # arrives after the page was rendered, before the socket joined
        late = reply(world.user("supplier"), db.session.get(Thread, thread_id), "Arrived in between").id
    ack = joined(socket_for("moderator"), "mods:grievance", since=rooms["mods:grievance"])
    assert [(e["name"], e["data"]["change"], e["data"]["post"]["id"]) for e in ack["missed"]] == \
        [("moderation.queue", "added", late)]


def test_items_arrive_and_handled_items_say_by_whom(app, world, socket_for, thread_id):
    moderators = socket_for("moderator")
    joined(moderators, "mods:grievance")
    reader = socket_for("member")
    joined(reader, f"thread:{thread_id}")
    assert socket_for("supplier2").emit("join", {"room": "mods:grievance"}, callback=True)["ok"] is False
    drain(moderators), drain(reader)
    with app.app_context():
        post = reply(world.user("supplier"), db.session.get(Thread, thread_id), "Please review me")
        post_id = post.id
    added = only(drain(moderators), "moderation.queue")
    assert [(p["change"], p["why"], p["post"]["id"], p["thread"]["id"]) for p in added] == \
        [("added", "held", post_id, thread_id)]
    assert not drain(reader)  # a held post is not announced to the thread's readers
    with app.app_context():
        moderate_post(world.user("admin"), db.session.get(Post, post_id), "approve")
    handled = only(drain(moderators), "moderation.queue")
    assert [(p["change"], p["action"], p["by"], p["post"]["state"]) for p in handled] == \
        [("handled", "approve", "Admin", "visible")]
    assert [p["post"]["id"] for p in only(drain(reader), "post.created")] == [post_id]


def test_flags_arrive_live(app, world, socket_for, set_topic, thread_id):
    set_topic("grievance", moderation="post")
    with app.app_context():
        target = reply(world.user("supplier2"), db.session.get(Thread, thread_id), "Flag me").id
    moderators = socket_for("moderator")
    joined(moderators, "mods:grievance")
    drain(moderators)
    with app.app_context():
        flag_post(world.user("member"), db.session.get(Post, target), "abusive", "Rude words")
    flagged = only(drain(moderators), "moderation.queue")
    assert [(p["change"], p["flags"], p["post"]["id"]) for p in flagged] == [("flagged", 1, target)]


def test_a_card_for_the_live_queue(app, world, login_as, thread_id):
    with app.app_context():
        post_id = reply(world.user("supplier"), db.session.get(Thread, thread_id), "CARD-BODY to review").id
        lounge, _ = start(world, "member", "members-lounge", title="Lounge thread for cards")
        lounge_post = lounge.id
    moderator = login_as("moderator")
    response = moderator.get(f"/moderation/queue/items/{post_id}?next=/moderation%3Ftopic%3Dgrievance")
    assert response.status_code == 200
    fragment = text(response)
    assert fragment.lstrip().startswith("<article") and "<html" not in fragment
    assert f'id="queue-post-{post_id}"' in fragment and "CARD-BODY to review" in fragment
    assert 'name="next" value="/moderation?topic=grievance"' in fragment
    assert 'name="csrf_token"' in fragment and 'value="approve"' in fragment
    assert "Earlier posts by Supplier in Grievance mechanisms" in fragment
    assert moderator.get("/moderation/queue/items/999999").status_code == 404
    with app.app_context():
        opening_id = db.session.scalar(db.select(Post.id).where(Post.thread_id == lounge_post))
    assert moderator.get(f"/moderation/queue/items/{opening_id}").status_code == 404
    assert moderator.post(f"/moderation/posts/{post_id}", data={"action": "approve"}).status_code == 302
    gone = moderator.get(f"/moderation/queue/items/{post_id}")
    assert gone.status_code == 204 and gone.get_data() == b""


def test_queue_shows_the_authors_previous_posts_in_the_topic(app, world, login_as, set_topic, thread_id):
    set_topic("grievance", moderation="post")
    with app.app_context():
        thread = db.session.get(Thread, thread_id)
        earlier = [reply(world.user("supplier2"), thread, f"EARLIER-{n} words").id for n in range(7)]
        moderate_post(world.user("moderator"), db.session.get(Post, earlier[-1]), "hide", "Too personal")
    set_topic("grievance", moderation="all")
    with app.app_context():
        held = reply(world.user("supplier2"), db.session.get(Thread, thread_id), "HELD-NOW words").id
    page = text(login_as("moderator").get("/moderation"))
    item = card(page, held)
    assert "Earlier posts by Supplier2 in Grievance mechanisms" in item and "(last 5)" in item
    shown = re.findall(r"EARLIER-(\d) words", item)
    assert shown == ["6", "5", "4", "3", "2"]  # the last five, newest first
    section = item[item.index("Earlier posts by"):]
    assert "Hidden" in section and "Visible" in section  # with their states
