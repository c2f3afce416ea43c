"""Ephemeral events name nobody where people may be anonymous (issue #11).

In a thread of a topic that allows anonymous posts, and in a live session whose questions
may be anonymous, `typing` and `presence` carry counts and opaque tokens only: no user id,
name, @handle, organisation or even the anonymous label (which would tell a supplier from
a member). The server decides by the room, from the first keystroke, whatever the client
says about its "anonymous" box. Elsewhere people are still named.
"""
from __future__ import annotations

import json

from community.actions import live
from community.extensions import db
from tests.realtime.support import drain, events_named, joined

SECRETS = ["Supplier", "supplier@", "Textiles", "Anonymous supplier", "Anonymous member"]


def names_nobody(payload: dict, user_id: int) -> None:
    text = json.dumps(payload)
    for secret in SECRETS:
        assert secret not in text, (secret, payload)
    assert f'"id": {user_id}' not in text and f'"user_id": {user_id}' not in text, payload


def _typing_events(typist, reader, thread_id: int, **extra) -> list[dict]:
    from community.realtime import connection

    connection.typing_last.clear()  # the typing throttle would swallow the second event
    ack = typist.emit("typing", {"thread_id": thread_id, **extra}, callback=True)
    assert ack["ok"] is True, ack
    return events_named(reader, "typing")


def test_typing_names_nobody_before_and_after_the_anonymous_box_is_ticked(world, socket_for, make_thread):
    thread_id = make_thread("member", "grievance")  # grievance allows anonymous posts
    typist, reader = socket_for("supplier"), socket_for("member2")
    for sock in (typist, reader):
        joined(sock, f"thread:{thread_id}")
        drain(sock)
    seen = []
    for flag in ({}, {"anonymous": False}, {"anonymous": True}, {"anonymous": "yes"}):  # before, ticked, junk
        (event,) = _typing_events(typist, reader, thread_id, **flag)
        names_nobody(event, world.ids["supplier"])
        assert event["user"]["anonymous"] is True and set(event["user"]) == {"anonymous", "typist"}
        seen.append(event["user"]["typist"])
    # One typist, one opaque token (the room can count typists, not tell who they are).
    assert len(set(seen)) == 1 and len(seen[0]) == 16
    other = socket_for("supplier2")
    joined(other, f"thread:{thread_id}")
    drain(reader)
    (event,) = _typing_events(other, reader, thread_id)
    assert event["user"]["typist"] != seen[0]


def test_typing_still_names_people_where_nobody_posts_anonymously(world, socket_for, make_thread):
    thread_id = make_thread("member", "announcements")
    typist, reader = socket_for("supplier"), socket_for("member2")
    for sock in (typist, reader):
        joined(sock, f"thread:{thread_id}")
        drain(sock)
    (event,) = _typing_events(typist, reader, thread_id, anonymous=True)  # the box means nothing here
    assert event["user"] == {"id": world.ids["supplier"], "name": "Supplier"}


def test_typing_is_not_echoed_to_the_typists_other_tabs(world, socket_for, make_thread):
    thread_id = make_thread("member", "grievance")
    typist, second_tab = socket_for("supplier"), socket_for("supplier")
    for sock in (typist, second_tab):
        joined(sock, f"thread:{thread_id}")
        drain(sock)
    _typing_events(typist, socket_for("member"), thread_id)
    assert events_named(second_tab, "typing") == []


def test_presence_in_an_anonymous_thread_counts_people_and_organisations(world, socket_for, make_thread):
    thread_id = make_thread("member", "grievance")
    room = f"thread:{thread_id}"
    first = socket_for("member")
    joined(first, room)
    for who in ("supplier", "supplier2", "supplier"):  # a second tab is the same person
        joined(socket_for(who), room)
    presence = events_named(first, "presence")[-1]
    assert presence["count"] == 3 and presence["organisation_count"] == 3
    assert presence["anonymous_room"] is True
    assert presence["users"] == [] and presence["organisations"] == []
    for user in ("supplier", "supplier2", "member"):
        names_nobody(presence, world.ids[user])
    assert "Brand Co" not in json.dumps(presence) and "Rubber" not in json.dumps(presence)


def test_presence_in_other_threads_names_people(world, socket_for, make_thread):
    thread_id = make_thread("member", "announcements")
    room = f"thread:{thread_id}"
    first = socket_for("member")
    joined(first, room)
    joined(socket_for("supplier"), room)
    presence = events_named(first, "presence")[-1]
    assert presence["anonymous_room"] is False
    assert {u["name"] for u in presence["users"]} == {"Member", "Supplier"}


def test_presence_in_a_live_session_with_anonymous_questions_names_no_organisation(
        app, world, socket_for, make_thread):
    from tests.live.conftest import iso_in

    with app.app_context():
        session = live.schedule(world.user("member"), world.topic("grievance"), title="Ask the brands: fees",
                                starts_at=iso_in(-5), ends_at=iso_in(60))
        live.start(world.user("member"), session)
        sid = session.id
        db.session.remove()
    host = socket_for("member")
    joined(host, f"live:{sid}")
    joined(socket_for("supplier"), f"live:{sid}")  # no "anonymous" flag: the room decides
    joined(socket_for("supplier2"), f"live:{sid}", anonymous=False)
    presence = events_named(host, "presence")[-1]
    assert presence["count"] == 3 and presence["organisation_count"] == 3 and presence["anonymous_room"] is True
    assert presence["users"] == [] and presence["organisations"] == []
    for user in ("supplier", "supplier2"):
        names_nobody(presence, world.ids[user])
    assert "Rubber Works" not in json.dumps(presence) and "Brand Co" not in json.dumps(presence)


def test_the_pages_say_why_nobody_is_named(login_as, make_thread, world):
    reader = login_as("member2")
    anonymous = reader.get(f"/threads/{make_thread('member', 'grievance')}").get_data(as_text=True)
    assert 'id="presence-why"' in anonymous and "only how many" in anonymous
    named = reader.get(f"/threads/{make_thread('member', 'announcements')}").get_data(as_text=True)
    assert 'id="presence-why"' not in named
