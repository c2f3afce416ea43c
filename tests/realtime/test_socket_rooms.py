"""Joining rooms: the Guardian decides on every join; malformed events get error acks, never exceptions."""
from __future__ import annotations

import pytest

from community.actions.moderation import moderate_thread
from community.extensions import db
from tests.realtime.support import drain, joined

REFUSED = {"not_found", "forbidden"}


def refused(ack) -> bool:
    return ack["ok"] is False and ack["error"]["code"] in REFUSED and ack["error"]["message"]


def test_join_a_thread_room(world, socket_for, make_thread):
    thread_id = make_thread("member")
    sock = socket_for("supplier")
    ack = joined(sock, f"thread:{thread_id}")
    assert ack["room"] == f"thread:{thread_id}"
    assert isinstance(ack["cursor"], int) and ack["missed"] == []


def test_outsider_cannot_join_rooms_of_a_closed_topic(world, socket_for, make_thread, act):
    thread_id = make_thread("supplier", "textiles-circle")
    insider, outsider = socket_for("supplier"), socket_for("supplier2")
    for room in (f"thread:{thread_id}", "topic:textiles-circle", "mods:textiles-circle"):
        ack = outsider.emit("join", {"room": room}, callback=True)
        assert refused(ack), (room, ack)
        assert "Textiles" not in ack["error"]["message"]
    joined(insider, f"thread:{thread_id}")
    joined(insider, "topic:textiles-circle")
    drain(outsider)
    from community.actions.posts import reply
    act(lambda: reply(world.user("supplier"), world_thread(thread_id), "inside talk"))
    assert drain(outsider) == []
    assert [name for name, _ in drain(insider)].count("post.created") == 1


def world_thread(thread_id):
    from community.models import Thread
    return db.session.get(Thread, thread_id)


def test_members_only_and_moderators_rooms(world, socket_for, make_thread):
    lounge = make_thread("member", "members-lounge")
    supplier, member, moderator = socket_for("supplier"), socket_for("member"), socket_for("moderator")
    assert refused(supplier.emit("join", {"room": f"thread:{lounge}"}, callback=True))
    assert refused(supplier.emit("join", {"room": "topic:members-lounge"}, callback=True))
    joined(member, f"thread:{lounge}")
    assert refused(member.emit("join", {"room": "mods:grievance"}, callback=True))
    joined(moderator, "mods:grievance")
    assert refused(moderator.emit("join", {"room": "mods:members-lounge"}, callback=True))


def test_held_thread_room_is_for_its_author_and_moderators(app, world, socket_for, make_thread):
    with app.app_context():
        world.topic("grievance").moderation = "all"
        db.session.commit()
    held = make_thread("supplier")
    assert refused(socket_for("member").emit("join", {"room": f"thread:{held}"}, callback=True))
    joined(socket_for("supplier"), f"thread:{held}")
    joined(socket_for("moderator"), f"thread:{held}")


def test_join_is_checked_every_time(app, world, socket_for, make_thread, act):
    """Access can change between two joins: the second join asks the Guardian again."""
    thread_id = make_thread("member")
    sock = socket_for("supplier2")
    joined(sock, f"thread:{thread_id}")
    sock.emit("leave", {"room": f"thread:{thread_id}"}, callback=True)
    with app.app_context():
        world.topic("grievance").visibility = "members"
        db.session.commit()
    assert refused(sock.emit("join", {"room": f"thread:{thread_id}"}, callback=True))
    assert refused(sock.emit("join", {"room": "topic:grievance"}, callback=True))


def test_moving_a_thread_out_of_reach_makes_the_reader_leave(world, socket_for, make_thread, act):
    thread_id = make_thread("member")
    reader, insider = socket_for("supplier2"), socket_for("supplier")
    joined(reader, f"thread:{thread_id}")
    joined(insider, f"thread:{thread_id}")
    drain(reader)
    drain(insider)
    act(lambda: moderate_thread(world.user("admin"), world_thread(thread_id), "move",
                                topic_slug="textiles-circle"))
    got = drain(reader)
    assert ("room.left" in [name for name, _ in got])
    left = [p for name, p in got if name == "room.left"][0]
    assert left["room"] == f"thread:{thread_id}"
    assert "room.left" not in [name for name, _ in drain(insider)]
    # from now on the reader hears nothing of that thread; the insider still does
    from community.actions.posts import reply
    act(lambda: reply(world.user("supplier"), world_thread(thread_id), "after the move"))
    assert drain(reader) == []
    assert [name for name, _ in drain(insider)].count("post.created") == 1
    assert refused(reader.emit("join", {"room": f"thread:{thread_id}"}, callback=True))


@pytest.mark.parametrize("data", [
    "thread:1", 42, ["thread:1"], True,
    {}, {"room": None}, {"room": 7}, {"room": "thread"}, {"room": "thread:"}, {"room": "thread:abc"},
    {"room": "thread:-1"}, {"room": "thread:99999999999999999999"}, {"room": "nonsense:1"},
    {"room": "x" * 500}, {"room": "topic:no-such-topic"}, {"room": "live:1"},
])
def test_malformed_joins_get_error_acks(world, socket_for, make_thread, data):
    thread_id = make_thread("member")
    sock = socket_for("supplier")
    ack = sock.emit("join", data, callback=True)
    assert ack["ok"] is False, ack
    assert ack["error"]["code"] in {"invalid", "not_found", "forbidden"} and ack["error"]["message"]
    assert sock.is_connected()
    joined(sock, f"thread:{thread_id}")  # and the connection still works


@pytest.mark.parametrize("since", ["5", -1, True, 1.5, [1], {"a": 1}])
def test_bad_since_is_refused(world, socket_for, make_thread, since):
    thread_id = make_thread("member")
    sock = socket_for("supplier")
    ack = sock.emit("join", {"room": f"thread:{thread_id}", "since": since}, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "invalid"
    assert sock.is_connected()


def test_a_cursor_that_was_pruned_asks_for_a_reload(world, socket_for, make_thread):
    thread_id = make_thread("member")
    sock = socket_for("supplier")
    ack = joined(sock, f"thread:{thread_id}", since=10**9)
    assert ack["reset"] is True and ack["missed"] == []


def test_huge_and_empty_events_get_error_acks(world, socket_for, make_thread):
    thread_id = make_thread("member")
    sock = socket_for("supplier")
    ack = sock.emit("post", {"thread_id": thread_id, "body": "x" * 70_000}, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "invalid"
    ack = sock.emit("join", callback=True)  # no data at all
    assert ack["ok"] is False and ack["error"]["code"] == "invalid"
    ack = sock.emit("join", {"room": f"thread:{thread_id}", "junk": {"deep": ["x" * 10] * 10}}, callback=True)
    assert ack["ok"] is True
    assert sock.is_connected()


@pytest.mark.parametrize("data, code", [
    ({"thread_id": "abc", "body": "hi"}, "not_found"),
    ({"thread_id": None, "body": "hi"}, "not_found"),
    ({"body": "hi"}, "not_found"),
    ({"thread_id": 10**6, "body": "hi"}, "not_found"),
    ({"thread_id": "THREAD", "body": ""}, "invalid"),
    ({"thread_id": "THREAD"}, "invalid"),
    ({"thread_id": "THREAD", "body": ["list"]}, "invalid"),
    ({"thread_id": "THREAD", "body": "hi", "reply_to": "x"}, "invalid"),
    ({"thread_id": "THREAD", "body": "hi", "anonymous": "maybe"}, "invalid"),
    ({"thread_id": "THREAD", "body": "hi", "client_id": 5}, "invalid"),
])
def test_malformed_posts_get_error_acks(world, socket_for, make_thread, data, code):
    thread_id = make_thread("member")
    data = {k: (thread_id if v == "THREAD" else v) for k, v in data.items()}
    sock = socket_for("supplier")
    ack = sock.emit("post", data, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == code, ack
    assert sock.is_connected()
    ack = sock.emit("post", {"thread_id": thread_id, "body": "still fine"}, callback=True)
    assert ack["ok"] is True


def test_leave(world, socket_for, make_thread):
    thread_id = make_thread("member")
    sock = socket_for("supplier")
    joined(sock, f"thread:{thread_id}")
    assert sock.emit("leave", {"room": f"thread:{thread_id}"}, callback=True)["ok"] is True
    own = sock.emit("leave", {"room": f"user:{world.ids['supplier']}"}, callback=True)
    assert own["ok"] is False and own["error"]["code"] == "invalid"
    assert sock.emit("leave", {"room": 5}, callback=True)["ok"] is False
    assert sock.emit("leave", "nope", callback=True)["ok"] is False


def test_a_removed_moderator_leaves_the_moderators_room(app, world, socket_for, make_thread, act):
    from community.actions.moderation import remove_moderator
    from community.actions.posts import reply

    thread_id = make_thread("member")
    former = socket_for("moderator")
    joined(former, "mods:grievance")
    joined(former, f"thread:{thread_id}")
    drain(former)
    with app.app_context():
        remove_moderator(world.user("admin"), world.topic("grievance"), world.user("moderator"))
    left = [p["room"] for name, p in drain(former) if name == "room.left"]
    assert left == ["mods:grievance"]  # the thread itself stays readable to a member
    with app.app_context():
        world.topic("grievance").moderation = "all"
        db.session.commit()
    act(lambda: reply(world.user("supplier2"), world_thread(thread_id), "held, anonymous", anonymous=True))
    assert drain(former) == []  # no identities of anonymous authors any more
