"""Mentions are bounded: at most MENTIONS_NOTIFIED_PER_POST people are notified of one post
(in the order they are named; the author is told who was not), and one person gets at most
the "mention_email" rule's emails an hour (the notifications themselves still arrive)."""
from __future__ import annotations

from sqlalchemy import select

from community.actions.posts import author_notices, reply
from community.extensions import db
from community.models import Notification, Organisation, OutboxEmail, User
from tests.actions.support import start
from tests.conftest import make_user


def crowd(count: int) -> list[User]:
    org = db.session.scalar(select(Organisation).where(Organisation.name == "Textiles Ltd"))
    people = [make_user(f"person{n:02d}", "supplier", org) for n in range(count)]
    db.session.commit()
    return people


def mentioned(user_ids) -> list[int]:
    return sorted(db.session.scalars(select(Notification.user_id).where(
        Notification.kind == "mention", Notification.user_id.in_(user_ids))))


def test_only_the_first_ten_named_are_notified_and_the_author_is_told(app, world):
    people = crowd(12)
    thread, _ = start(world, "member")
    body = "Thoughts? " + " ".join("@" + p.handle for p in people)
    post = reply(world.user("supplier"), thread, body)
    assert mentioned([p.id for p in people]) == sorted(p.id for p in people[:10])
    notices = author_notices(post)
    assert [n["code"] for n in notices] == ["mentions_capped"]
    assert notices[0]["not_notified"] == ["@" + p.handle for p in people[10:]]
    assert "first 10" in notices[0]["message"] and people[11].handle in notices[0]["message"]
    # the text shows every name the same way (mentions are plain text, not links)
    assert "@" + people[11].handle in post.html and "<a" not in post.html


def test_the_cap_is_a_setting_and_repeats_do_not_count(app, world):
    app.config["MENTIONS_NOTIFIED_PER_POST"] = 2
    people = crowd(3)
    thread, _ = start(world, "member")
    a, b, c = ("@" + p.handle for p in people)
    post = reply(world.user("supplier"), thread, f"{a} {a} {a} {b} {c}")
    assert mentioned([p.id for p in people]) == sorted([people[0].id, people[1].id])
    assert author_notices(post)[0]["not_notified"] == [c]


def test_few_mentions_tell_the_author_nothing(app, world):
    thread, _ = start(world, "member")
    post = reply(world.user("supplier"), thread, "Thanks @member2")
    assert author_notices(post) == []


def test_api_and_socket_answers_carry_the_notice(app, world, client, token_for, socket_for):
    handles = ["@" + p.handle for p in crowd(11)]
    with app.app_context():
        thread, _ = start(world, "member")
        thread_id = thread.id
    body = " ".join(handles)
    answer = client.post(f"/api/v1/threads/{thread_id}/posts", json={"body": body},
                         headers=token_for("supplier")).get_json()
    assert answer["notices"][0]["code"] == "mentions_capped"
    ack = socket_for("supplier2").emit("post", {"thread_id": thread_id, "body": body + " again"}, callback=True)
    assert ack["ok"] and ack["notices"][0]["not_notified"] == handles[10:]


def test_one_person_gets_at_most_the_hourly_mention_emails(app, world, rate_limits):
    rate_limits["mention_email"] = "2/hour"
    rate_limits["post"] = rate_limits["post:newcomer"] = "100/minute"
    target = world.user("member2")
    thread, _ = start(world, "member")
    for n in range(4):
        reply(world.user("supplier"), thread, f"@{target.handle} look at this, take {n}")
    notes = db.session.scalars(select(Notification).where(Notification.user_id == target.id,
                                                          Notification.kind == "mention")).all()
    emails = db.session.scalars(select(OutboxEmail).where(OutboxEmail.user_id == target.id)).all()
    assert len(notes) == 4  # every mention still notifies in the site
    assert len(emails) == 2
