"""actions.reactions: one reaction of each kind per person and post, the post's counts, the events
sent, the author's batched notification, and an anonymous author never named through them."""
from __future__ import annotations

import json
import time

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from community.actions.moderation import moderate_thread
from community.actions.reactions import helpful_order, react, reactors, unreact
from community.errors import Forbidden, Invalid, Locked, NotFound, RateLimited
from community.extensions import db
from community.models import Notification, Post, Reaction
from community.payloads import post_payload
from community.permissions import Guardian
from tests.actions.support import answer, start


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def wait_for(emitted, name, room, timeout=2.0):
    """Coalesced events go out a tick after the commit."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = emitted.named(name, room=room)
        if found:
            return found
        time.sleep(0.02)
    return []


def reaction_notes(user_id):
    return db.session.scalars(select(Notification).where(Notification.user_id == user_id,
                                                         Notification.kind == "reaction")
                              .order_by(Notification.id)).all()


# --- one of each kind per person ----------------------------------------------------------------
def test_a_reaction_counts_once_and_can_be_taken_back(world, emitted):
    thread, opening = start(world, "member")
    supplier = world.user("supplier")
    version = opening.version

    assert react(supplier, opening, "helpful") is True
    assert react(supplier, opening, "helpful") is False  # idempotent: still one
    assert react(supplier, opening, "agree") is True
    react(world.user("supplier2"), opening, "helpful")

    post = db.session.get(Post, opening.id)
    assert post.reaction_counts == {"helpful": 2, "thanks": 0, "agree": 1}
    assert count(Reaction, Reaction.post_id == opening.id) == 3
    assert post.version == version, "a reaction is no edit: the moderators' version check is untouched"

    assert unreact(supplier, post, "helpful") is True
    assert unreact(supplier, post, "helpful") is False
    assert db.session.get(Post, opening.id).reaction_counts == {"helpful": 1, "thanks": 0, "agree": 1}


def test_every_post_object_carries_its_counts_and_the_viewers_own(world):
    thread, opening = start(world, "member")
    react(world.user("supplier"), opening, "thanks")
    react(world.user("supplier"), opening, "helpful")

    mine = post_payload(opening, Guardian(world.user("supplier")))
    assert mine["reactions"] == {"helpful": 1, "thanks": 1, "agree": 0}
    assert mine["my_reactions"] == ["helpful", "thanks"]
    other = post_payload(opening, Guardian(world.user("supplier2")))
    assert other["reactions"] == mine["reactions"] and other["my_reactions"] == []
    assert post_payload(opening, None)["my_reactions"] == []


@pytest.mark.parametrize("kind", ["love", "", None, 3, ["helpful"], "Helpful"])
def test_only_the_fixed_kinds(world, kind):
    _thread, opening = start(world, "member")
    with pytest.raises(Invalid) as err:
        react(world.user("supplier"), opening, kind)
    assert err.value.field == "kind"
    assert count(Reaction) == 0


def test_not_to_ones_own_post(world):
    _thread, opening = start(world, "member")
    with pytest.raises(Forbidden):
        react(world.user("member"), opening, "helpful")


def test_not_to_a_post_out_of_sight_nor_one_waiting_for_review(world):
    thread, _ = start(world, "member", slug="members-lounge")
    lounge_post = answer(world, "member2", thread)
    with pytest.raises(NotFound):
        react(world.user("supplier"), lounge_post, "helpful")

    grievance, _ = start(world, "member")
    held = answer(world, "supplier", grievance)
    held.state = "held"
    db.session.commit()
    with pytest.raises(NotFound):  # others do not see a held post at all
        react(world.user("supplier2"), held, "helpful")
    with pytest.raises(Forbidden):  # a moderator sees it, but it is not published
        react(world.user("moderator"), held, "helpful")


def test_a_locked_thread_takes_no_new_reactions_but_one_can_take_ones_back(world):
    thread, opening = start(world, "member")
    react(world.user("supplier"), opening, "agree")
    moderate_thread(world.user("moderator"), thread, "lock", "cooling down")
    with pytest.raises(Locked):
        react(world.user("supplier2"), db.session.get(Post, opening.id), "agree")
    assert unreact(world.user("supplier"), db.session.get(Post, opening.id), "agree") is True
    react(world.user("moderator"), db.session.get(Post, opening.id), "agree")  # moderators still may


def test_suspended_and_pending_people_cannot_react(world):
    _thread, opening = start(world, "member")
    for who in ("suspended", "pending"):
        with pytest.raises((Forbidden, NotFound)):
            react(world.user(who), opening, "helpful")


def test_reactions_are_rate_limited(world, rate_limits):
    rate_limits["reaction"] = "2/minute"
    thread, opening = start(world, "member")
    second = answer(world, "member2", thread)
    supplier = world.user("supplier")
    react(supplier, opening, "helpful")
    react(supplier, opening, "thanks")
    with pytest.raises(RateLimited):
        react(supplier, second, "helpful")


# --- events ----------------------------------------------------------------------------------
def test_the_room_hears_counts_only_and_the_reactor_their_own(world, emitted):
    thread, opening = start(world, "member")
    emitted.clear()
    react(world.user("supplier"), opening, "helpful")

    room = wait_for(emitted, "post.reactions", f"thread:{thread.id}")
    assert room and room[-1].payload["reactions"] == {"helpful": 1, "thanks": 0, "agree": 0}
    assert set(room[-1].payload) == {"room", "thread_id", "post_id", "reactions", "cursor"}
    assert "Supplier" not in room[-1].json()

    own = emitted.named("post.reactions", room=f"user:{world.ids['supplier']}")
    assert own and own[0].committed and own[0].payload["my_reactions"] == ["helpful"]


def test_nothing_is_announced_when_nothing_changed(world, emitted):
    _thread, opening = start(world, "member")
    react(world.user("supplier"), opening, "helpful")
    time.sleep(0.3)
    emitted.clear()
    react(world.user("supplier"), opening, "helpful")
    unreact(world.user("supplier"), opening, "thanks")
    time.sleep(0.3)
    assert not emitted.named("post.reactions")


# --- the author is told, in batches -----------------------------------------------------------
def test_one_notification_for_several_reactions_while_unread(world, emitted):
    thread, _ = start(world, "member", kind="question")
    reply = answer(world, "supplier", thread, "Check the agency's invoices.")
    supplier_id = world.ids["supplier"]

    react(world.user("member"), reply, "helpful")
    notes = reaction_notes(supplier_id)
    assert [n.text for n in notes] == ["Member found your answer helpful"]
    assert notes[0].url == f"/posts/{reply.id}"

    react(world.user("member2"), reply, "helpful")
    react(world.user("moderator"), reply, "helpful")
    notes = reaction_notes(supplier_id)
    assert [n.text for n in notes] == ["3 people found your answer helpful"]

    react(world.user("member"), reply, "thanks")  # another kind: its own notification
    assert [n.text for n in reaction_notes(supplier_id)] == ["3 people found your answer helpful",
                                                            "Member thanked you for your answer"]
    # the reworded one is pushed again with the same id
    pushed = [e.payload["notification"] for e in emitted.named("notification", room=f"user:{supplier_id}")]
    assert [p["id"] for p in pushed].count(notes[0].id) == 3
    assert pushed[-2]["text"] == "3 people found your answer helpful"


def test_after_reading_a_new_reaction_starts_a_new_notification(world):
    thread, opening = start(world, "member")
    react(world.user("supplier"), opening, "agree")
    note = reaction_notes(world.ids["member"])[0]
    note.read_at = note.created_at
    db.session.commit()
    react(world.user("supplier2"), opening, "agree")
    assert [n.text for n in reaction_notes(world.ids["member"])] == ["Supplier agreed with your post",
                                                                    "Supplier2 agreed with your post"]


def test_taking_reactions_back_rewords_then_removes_an_unread_notification(world, emitted):
    _thread, opening = start(world, "member")
    react(world.user("supplier"), opening, "thanks")
    react(world.user("supplier2"), opening, "thanks")
    assert [n.text for n in reaction_notes(world.ids["member"])] == ["2 people thanked you for your post"]
    unreact(world.user("supplier"), opening, "thanks")
    assert [n.text for n in reaction_notes(world.ids["member"])] == ["Supplier2 thanked you for your post"]
    note_id = reaction_notes(world.ids["member"])[0].id
    unreact(world.user("supplier2"), opening, "thanks")
    assert reaction_notes(world.ids["member"]) == []
    removed = emitted.named("notification.removed", room=f"user:{world.ids['member']}")
    assert removed and removed[-1].payload["id"] == note_id and removed[-1].payload["unread"] == 0


def test_notifications_are_worded_in_the_authors_language(world):
    member = world.user("member")
    member.locale = "es"
    db.session.commit()
    _thread, opening = start(world, "member")
    react(world.user("supplier"), opening, "helpful")
    react(world.user("supplier2"), opening, "helpful")
    text = reaction_notes(world.ids["member"])[0].text
    with force_locale("es"):  # the lead's translation pass brings the Spanish words
        assert text == gettext("%(num)s people found your post helpful", num=2)
    with force_locale("en"):
        assert gettext("%(num)s people found your post helpful", num=2) == "2 people found your post helpful"


# --- an anonymous author stays anonymous ------------------------------------------------------
def test_an_anonymous_author_reacting_in_their_thread_is_counted_never_named(world, emitted):
    thread, _ = start(world, "supplier", kind="question", anonymous=True)
    reply = answer(world, "member", thread, "Ask for the fee receipts.")
    emitted.clear()
    react(world.user("supplier"), reply, "thanks")  # the anonymous asker thanks the answer
    react(world.user("member2"), reply, "thanks")

    listed = reactors(world.user("moderator"), db.session.get(Post, reply.id))["thanks"]
    assert listed["count"] == 2
    assert [p["name"] for p in listed["people"]] == ["Member2"]
    assert listed["others"] == 1
    # nobody learns it, the answer's author included: "Someone", then "2 people"
    pushed = emitted.named("notification", room=f"user:{world.ids['member']}")
    texts = [e.payload["notification"]["text"] for e in pushed]
    assert texts[0] == "Someone thanked you for your answer"
    assert "Supplier" not in " ".join(texts)
    assert all("Supplier" not in e.json() for e in emitted.events if e.room != f"user:{world.ids['supplier']}")
    # the asker themself sees their own reaction
    assert reactors(world.user("supplier"), db.session.get(Post, reply.id))["thanks"]["you"] is True


def test_a_later_anonymous_post_does_not_make_an_earlier_name_vanish(world):
    thread, opening = start(world, "member")
    react(world.user("supplier"), opening, "agree")
    answer(world, "supplier", thread, "Speaking for my factory, anonymously.", anonymous=True)
    listed = reactors(world.user("member2"), db.session.get(Post, opening.id))["agree"]
    assert [p["name"] for p in listed["people"]] == ["Supplier"]


def test_anonymous_posts_reactions_count_and_name_only_the_reactors(world):
    thread, opening = start(world, "supplier", anonymous=True)
    react(world.user("member"), opening, "helpful")
    payload = json.dumps(reactors(world.user("member2"), db.session.get(Post, opening.id)))
    assert "Member" in payload and "Supplier" not in payload and "Textiles" not in payload


# --- order ------------------------------------------------------------------------------------
def test_helpful_order_puts_the_accepted_answer_then_the_most_helpful(world):
    from community.actions.threads import accept_answer

    thread, opening = start(world, "member", kind="question")
    first = answer(world, "supplier", thread, "first")
    second = answer(world, "supplier2", thread, "second")
    third = answer(world, "admin", thread, "third")
    react(world.user("member2"), third, "helpful")
    react(world.user("moderator"), third, "helpful")
    react(world.user("member2"), second, "helpful")
    accept_answer(world.user("member"), thread, first.id)
    thread = db.session.get(type(thread), thread.id)
    ids = db.session.scalars(select(Post.id).where(Post.thread_id == thread.id).order_by(*helpful_order(thread))).all()
    assert ids == [opening.id, first.id, third.id, second.id]


# --- at the same moment ---------------------------------------------------------------------------
def test_people_reacting_at_the_same_moment_all_count(app, world):
    """Each in its own session and thread: the counts move by increments, never by a recount
    that would miss the other transaction (PostgreSQL runs them truly at once)."""
    import threading

    # SQLite runs one writer at a time: there the same reactions come one after another, each in
    # its own session (the race itself is run on PostgreSQL, in the PostgreSQL pass).
    at_once = db.engine.dialect.name == "postgresql"
    _thread, opening = start(world, "member")
    post_id = opening.id
    people = ["supplier", "supplier2", "member2", "moderator", "admin"]
    barrier = threading.Barrier(len(people) * 2) if at_once else None
    errors = []

    def go(who, kind):
        try:
            with app.app_context():
                post = db.session.get(Post, post_id)
                if barrier is not None:
                    barrier.wait(timeout=10)
                react(world.user(who), post, kind)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    runners = [threading.Thread(target=go, args=(who, kind)) for who in people for kind in ("helpful", "helpful")]
    for runner in runners:
        runner.start()
        if not at_once:
            runner.join()
    for runner in runners:
        runner.join()
    assert not errors, errors
    db.session.expire_all()
    assert db.session.get(Post, post_id).reactions_helpful == len(people)  # each person twice: once
    assert count(Reaction, Reaction.post_id == post_id) == len(people)
    [note] = reaction_notes(world.ids["member"])
    assert note.text == f"{len(people)} people found your post helpful"
