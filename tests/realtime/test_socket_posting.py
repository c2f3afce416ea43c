"""Live delivery: posts over the socket and from the HTTP paths, replay on reconnect, typing, presence."""
from __future__ import annotations

import json

from community.actions.moderation import moderate_post, moderate_thread
from community.actions.posts import delete_post, edit_post, reply
from community.actions.threads import accept_answer
from community.extensions import db
from community.models import Post, Thread
from tests.actions.support import assert_names_nobody
from tests.realtime.support import drain, events_named, joined, only


def thread_of(thread_id: int) -> Thread:
    return db.session.get(Thread, thread_id)


def test_a_post_reaches_the_room_and_not_the_outsider(app, world, socket_for, make_thread):
    thread_id = make_thread("supplier", "textiles-circle")
    author, reader, outsider = socket_for("supplier"), socket_for("admin"), socket_for("supplier2")
    room = f"thread:{thread_id}"
    start_cursor = joined(reader, room)["cursor"]
    joined(author, room)
    assert outsider.emit("join", {"room": room}, callback=True)["ok"] is False
    for sock in (author, reader, outsider):
        drain(sock)

    ack = author.emit("post", {"thread_id": thread_id, "body": "Hello *room*", "client_id": "a-1"},
                      callback=True)
    assert ack["ok"] is True
    post = ack["post"]
    assert post["thread_id"] == thread_id and post["state"] == "visible"
    assert post["body"] == "Hello *room*"  # the author sees their Markdown
    assert "<em>room</em>" in post["html"]
    assert set(ack) == {"ok", "post"}  # data only: the page renders it with its own blanks

    (created,) = events_named(reader, "post.created")
    assert created["post"]["id"] == post["id"] and created["cursor"] > start_cursor
    assert created["room"] == room and "<em>room</em>" in created["post"]["html"]
    assert "body" not in created["post"]
    assert len(events_named(author, "post.created")) == 1  # the author's other tabs insert it too
    assert drain(outsider) == []


def test_duplicate_client_id_gives_one_post_and_the_same_ack(world, socket_for, make_thread):
    thread_id = make_thread("member")
    author, reader = socket_for("supplier"), socket_for("member")
    joined(reader, f"thread:{thread_id}")
    drain(reader)
    data = {"thread_id": thread_id, "body": "sent twice on a flaky line", "client_id": "retry-1"}
    first = author.emit("post", data, callback=True)
    second = author.emit("post", data, callback=True)
    assert first["ok"] and second["ok"]
    assert first["post"] == second["post"]
    assert len(events_named(reader, "post.created")) == 1


def test_reconnect_with_since_gets_exactly_what_was_missed(app, world, socket_for, make_thread, act):
    thread_id = make_thread("member")
    room = f"thread:{thread_id}"
    author = socket_for("supplier")
    joined(author, room)
    away = socket_for("member")
    cursor = joined(away, room)["cursor"]
    ack = author.emit("post", {"thread_id": thread_id, "body": "before"}, callback=True)
    (seen,) = events_named(away, "post.created")
    cursor = seen["cursor"]
    away.disconnect()

    sent = [author.emit("post", {"thread_id": thread_id, "body": f"missed {i}"}, callback=True)["post"]["id"]
            for i in range(3)]
    back = socket_for("member")
    drain(back)
    ack = joined(back, room, since=cursor)
    missed = ack["missed"]
    assert [m["name"] for m in missed] == ["post.created"] * 3
    assert [m["data"]["post"]["id"] for m in missed] == sent
    cursors = [m["data"]["cursor"] for m in missed]
    assert cursors == sorted(set(cursors)) and cursors[0] > cursor
    assert ack["cursor"] == cursors[-1]
    # nothing is delivered twice: the live stream continues after the replay
    assert events_named(back, "post.created") == []
    ack = author.emit("post", {"thread_id": thread_id, "body": "live again"}, callback=True)
    (live,) = events_named(back, "post.created")
    assert live["cursor"] > cursors[-1] and live["post"]["id"] == ack["post"]["id"]
    # joining again from the newest cursor misses nothing and repeats nothing
    assert joined(back, room, since=live["cursor"])["missed"] == []


def test_replay_covers_every_kind_of_change(app, world, socket_for, make_thread, act):
    thread_id = make_thread("supplier", kind="question")
    room = f"thread:{thread_id}"
    sock = socket_for("supplier")
    cursor = joined(sock, room)["cursor"]
    with app.app_context():
        post = reply(world.user("member"), thread_of(thread_id), "an answer")
        edit_post(world.user("member"), post, "a better answer")
        accept_answer(world.user("supplier"), thread_of(thread_id), post.id)
        spam = reply(world.user("member2"), thread_of(thread_id), "buy cheap watches")
        delete_post(world.user("moderator"), spam, reason="spam")
        moderate_thread(world.user("moderator"), thread_of(thread_id), "lock")
    missed = joined(sock, room, since=cursor)["missed"]
    assert [m["name"] for m in missed] == [
        "post.created", "post.updated", "thread.updated",
        "post.deleted",  # the spam's post.created, replayed as it is now: gone
        "post.deleted", "thread.updated"]
    assert all(m["data"]["post"]["html"] == "<p>a better answer</p>" for m in missed[:2])
    assert "cheap watches" not in json.dumps(missed)


def test_anonymous_post_broadcast_has_no_name(app, world, socket_for, make_thread):
    thread_id = make_thread("member")
    author, reader, moderator = socket_for("supplier2"), socket_for("member"), socket_for("moderator")
    for sock in (author, reader):
        joined(sock, f"thread:{thread_id}")
    joined(reader, "topic:grievance")
    joined(moderator, "mods:grievance")
    for sock in (author, reader, moderator):
        drain(sock)
    ack = author.emit("post", {"thread_id": thread_id, "body": "who am I?", "anonymous": True}, callback=True)
    assert ack["ok"] and ack["post"]["anonymous"] is True
    assert ack["post"]["author"].get("name") == "Supplier2"  # the author sees it is theirs
    got = drain(reader)
    assert "post.created" in [name for name, _ in got]
    with app.app_context():
        who = world.user("supplier2")
        for _name, payload in got:
            assert_names_nobody(json.dumps(payload), who)
    (created,) = only(got, "post.created")
    assert created["post"]["author"] == {"anonymous": True, "label": "Anonymous supplier"}
    # a later join with since replays the same anonymous payload
    replayed = joined(reader, f"thread:{thread_id}", since=created["cursor"] - 1)["missed"]
    with app.app_context():
        assert_names_nobody(json.dumps(replayed), world.user("supplier2"))


def test_held_post_goes_to_moderators_not_the_room(app, world, socket_for, make_thread, act):
    thread_id = make_thread("moderator")
    with app.app_context():
        world.topic("grievance").moderation = "all"
        db.session.commit()
    author, reader, moderator = socket_for("supplier2"), socket_for("member"), socket_for("moderator")
    joined(reader, f"thread:{thread_id}")
    joined(moderator, "mods:grievance")
    drain(reader)
    drain(moderator)
    ack = author.emit("post", {"thread_id": thread_id, "body": "please approve", "anonymous": True},
                      callback=True)
    assert ack["ok"] and ack["post"]["state"] == "held"
    assert drain(reader) == []
    (queued,) = events_named(moderator, "moderation.queue")
    # the moderators' copy has what they need to decide, but not who it is (that takes a logged reveal)
    assert queued["post"]["author"] == {"anonymous": True, "label": "Anonymous supplier"}
    assert queued["post"]["body"] == "please approve"
    with app.app_context():
        moderate_post(world.user("moderator"), db.session.get(Post, ack["post"]["id"]), "approve")
    (created,) = events_named(reader, "post.created")
    assert created["post"]["id"] == ack["post"]["id"]
    assert "Supplier2" not in json.dumps(created)


def test_events_from_http_paths_reach_sockets(app, world, socket_for, make_thread):
    """The form and the API call the same actions: whatever calls them, sockets hear it."""
    thread_id = make_thread("supplier")
    reader, topic_reader, parent_author = socket_for("member"), socket_for("member2"), socket_for("supplier")
    joined(reader, f"thread:{thread_id}")
    joined(topic_reader, "topic:grievance")
    for sock in (reader, topic_reader, parent_author):
        drain(sock)
    with app.app_context():
        opening = db.session.scalar(db.select(Post).where(Post.thread_id == thread_id))
        post = reply(world.user("member2"), thread_of(thread_id), "via the form", reply_to=opening.id)
        post_id = post.id
        moderate_thread(world.user("moderator"), thread_of(thread_id), "pin")
    got = drain(reader)
    assert [p["post"]["id"] for p in only(got, "post.created")] == [post_id]
    assert [p["change"] for p in only(got, "thread.updated")] == ["pin"]
    assert [p["change"] for p in only(drain(topic_reader), "thread.updated")] == ["activity", "pin"]
    # the parent's author hears about the reply in their own room, joined at connect
    (note,) = events_named(parent_author, "notification")
    assert note["notification"]["kind"] == "reply" and note["unread"] == 1


def test_typing(app, world, socket_for, make_thread):
    thread_id = make_thread("supplier", "textiles-circle")
    typist, reader, outsider = socket_for("supplier"), socket_for("admin"), socket_for("supplier2")
    for sock in (typist, reader):
        joined(sock, f"thread:{thread_id}")
        drain(sock)
    ack = typist.emit("typing", {"thread_id": thread_id}, callback=True)
    assert ack["ok"] is True
    (typing,) = events_named(reader, "typing")
    assert typing["user"]["name"] == "Supplier" and typing["thread_id"] == thread_id
    assert typing["cursor"] is None  # ephemeral: never replayed
    assert events_named(typist, "typing") == []  # not echoed to the typist
    assert typist.emit("typing", {"thread_id": thread_id}, callback=True).get("throttled") is True
    ack = outsider.emit("typing", {"thread_id": thread_id}, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] in {"not_found", "forbidden"}
    assert drain(reader) == []


def test_presence(app, world, socket_for, make_thread):
    thread_id = make_thread("member", "announcements")  # a topic without anonymous posts: names shown
    room = f"thread:{thread_id}"
    first = socket_for("member")
    joined(first, room)
    (alone,) = events_named(first, "presence")
    assert alone["count"] == 1 and alone["room"] == room
    second = socket_for("supplier")
    joined(second, room)
    (both,) = events_named(first, "presence")
    assert both["count"] == 2
    assert {u["name"] for u in both["users"]} == {"Member", "Supplier"}
    same_person = socket_for("supplier")  # a second tab is still one person
    joined(same_person, room)
    assert events_named(first, "presence")[-1]["count"] == 2
    second.emit("leave", {"room": room}, callback=True)
    same_person.disconnect()
    assert events_named(first, "presence")[-1]["count"] == 1
