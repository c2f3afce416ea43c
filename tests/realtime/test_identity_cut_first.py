"""Nothing is sent to a socket about a change that removes its access, before it is removed
(issue #11): a topic made private, a thread moved out of reach, a moderator removed. The
sockets that lost access are cut first; only then does the change go out, to those left."""
from __future__ import annotations

import json

from community.actions.moderation import assign_moderator, moderate_thread, remove_moderator
from community.actions.topics import update_topic
from community.extensions import db
from community.models import Thread
from tests.realtime.support import drain, joined


def names(received) -> list[str]:
    return [name for name, _ in received]


def test_a_topic_made_private_cuts_the_outsiders_before_saying_who_may_read_it(world, socket_for, make_thread, act):
    thread_id = make_thread("member", "grievance")
    outsider, insider = socket_for("supplier2"), socket_for("supplier")
    for sock in (outsider, insider):
        joined(sock, "topic:grievance")
        joined(sock, f"thread:{thread_id}")
    drain(outsider)
    drain(insider)
    act(lambda: update_topic(world.user("admin"), world.topic("grievance"), visibility="organisations",
                             organisations=["Textiles Ltd"]))
    got = drain(outsider)
    assert "room.left" in names(got)
    assert "topic.updated" not in names(got), names(got)
    assert "Textiles Ltd" not in json.dumps(got)  # the new list of admitted organisations
    kept = drain(insider)
    (update,) = [p for name, p in kept if name == "topic.updated"]
    assert update["settings"]["organisations"] == ["Textiles Ltd"]
    assert "room.left" not in names(kept)


def test_a_thread_moved_out_of_reach_never_tells_the_reader_where(world, socket_for, make_thread, act):
    thread_id = make_thread("member", "grievance")
    reader, insider = socket_for("supplier2"), socket_for("supplier")
    for sock in (reader, insider):
        joined(sock, "topic:grievance")
        joined(sock, f"thread:{thread_id}")
    drain(reader)
    drain(insider)
    act(lambda: moderate_thread(world.user("admin"), db.session.get(Thread, thread_id), "move",
                                topic_slug="textiles-circle"))
    got = drain(reader)
    assert [p["room"] for name, p in got if name == "room.left"] == [f"thread:{thread_id}"]
    assert "textiles-circle" not in json.dumps(got) and "Textiles circle" not in json.dumps(got)
    assert [name for name, p in got if p.get("room") == f"thread:{thread_id}"] == ["room.left"]
    # the old topic's page learns the thread left it
    assert [(name, p["thread_id"]) for name, p in got if p.get("room") == "topic:grievance"] == \
        [("thread.removed", thread_id)]
    kept = drain(insider)
    (update,) = [p for name, p in kept if name == "thread.updated" and p["room"] == f"thread:{thread_id}"]
    assert update["change"] == "move" and update["thread"]["topic"] == "textiles-circle"


def test_a_removed_moderator_hears_nothing_more_from_the_moderators_room(world, socket_for, act):
    act(lambda: assign_moderator(None, world.topic("members-lounge"), world.user("supplier")))
    former = socket_for("supplier")
    joined(former, "mods:members-lounge")
    joined(former, "topic:members-lounge")
    drain(former)
    act(lambda: remove_moderator(world.user("admin"), world.topic("members-lounge"), world.user("supplier")))
    left = sorted(p["room"] for name, p in drain(former) if name == "room.left")
    assert left == ["mods:members-lounge", "topic:members-lounge"]
