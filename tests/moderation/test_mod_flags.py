"""Flags: once per reader, N distinct flaggers (FLAGS_TO_HIDE) hide the post until a moderator
decides, and every flagger learns the outcome through a notification."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from community.actions.moderation import held_and_flagged, moderate_post
from community.actions.posts import delete_post, flag_post, reply
from community.errors import Conflict, Invalid
from community.extensions import db
from community.models import Flag, Notification, Post
from tests.actions.support import start
from tests.moderation.support import text

FLAGGERS = ("member", "member2", "supplier")


@pytest.fixture
def target(app, world) -> int:
    """A visible reply by supplier2 in grievance."""
    with app.app_context():
        thread, _ = start(world, "moderator", title="A thread with a flagged reply")
        return reply(world.user("supplier2"), thread, "Buy cheap watches at example.com").id


def notes_of(world, who: str) -> list[str]:
    return list(db.session.scalars(select(Notification.text).where(Notification.user_id == world.ids[who])
                                   .order_by(Notification.id)))


def flag_all(world, post_id: int, who=FLAGGERS) -> Post:
    post = db.session.get(Post, post_id)
    for name in who:
        flag_post(world.user(name), post, "spam", "")
    return post


def test_threshold_of_distinct_flaggers_hides_the_post(app, world, emitted, target):
    assert app.config["FLAGS_TO_HIDE"] == 3
    with app.app_context():
        post = flag_all(world, target, FLAGGERS[:2])
        assert post.state == "visible"
        flagged = emitted.named("moderation.queue")
        assert [(e.room, e.payload["change"], e.payload["flags"], e.payload["hidden"]) for e in flagged] == \
            [("mods:grievance", "flagged", 1, False), ("mods:grievance", "flagged", 2, False)]
        assert not emitted.named("post.hidden")
        with pytest.raises(Conflict):
            flag_post(world.user("member"), post, "abusive", "again")  # once per reader
        db.session.rollback()
        flag_post(world.user("supplier"), db.session.get(Post, target), "other", "Looks like spam to me")
        post = db.session.get(Post, target)
        assert post.state == "hidden" and post.state_cause == "flags"
        assert [e.room for e in emitted.named("post.hidden")] == [f"thread:{post.thread_id}"]
        assert emitted.named("moderation.queue")[-1].payload["hidden"] is True
        assert post in held_and_flagged(world.topic("grievance"))


def test_the_threshold_is_configurable(app, world, target):
    app.config["FLAGS_TO_HIDE"] = 1
    with app.app_context():
        assert flag_all(world, target, ["member"]).state == "hidden"


def test_other_needs_a_note_and_the_author_cannot_flag(app, world, target):
    with app.app_context():
        post = db.session.get(Post, target)
        with pytest.raises(Invalid):
            flag_post(world.user("member"), post, "other", "")
        db.session.rollback()
        from community.errors import Forbidden
        with pytest.raises(Forbidden):
            flag_post(world.user("supplier2"), db.session.get(Post, target), "spam", "")


@pytest.mark.parametrize("action, outcome, status", [
    ("approve", "it stays visible", "dismissed"),
    ("restore", "it stays visible", "dismissed"),
    ("hide", "it has been hidden", "upheld"),
])
def test_flaggers_learn_the_outcome(app, world, emitted, target, action, outcome, status):
    with app.app_context():
        flag_all(world, target)
        emitted.clear()
        moderate_post(world.user("moderator"), db.session.get(Post, target), action,
                      "Decided")
        statuses = set(db.session.scalars(select(Flag.status).where(Flag.post_id == target)))
        assert statuses == {status}
        for who in FLAGGERS:
            assert any(outcome in note for note in notes_of(world, who)), who
            pushed = emitted.named("notification", f"user:{world.ids[who]}")
            assert pushed and outcome in pushed[-1].payload["notification"]["text"]
        # Handled: out of the queue, and the moderators' open queues are told who did it.
        assert db.session.get(Post, target) not in held_and_flagged(world.topic("grievance"))
        handled = emitted.named("moderation.queue")[-1].payload
        assert (handled["change"], handled["action"], handled["by"]) == ("handled", action, "Moderator")


def test_a_moderators_delete_upholds_the_flags_and_leaves_the_queue(app, world, emitted, target):
    with app.app_context():
        flag_all(world, target, FLAGGERS[:2])
        emitted.clear()
        delete_post(world.user("moderator"), db.session.get(Post, target), "Spam")
        assert set(db.session.scalars(select(Flag.status).where(Flag.post_id == target))) == {"upheld"}
        assert any("it has been hidden" in n for n in notes_of(world, "member"))
        assert db.session.get(Post, target) not in held_and_flagged(world.topic("grievance"))
        handled = emitted.named("moderation.queue")
        assert [(e.payload["change"], e.payload["action"]) for e in handled] == [("handled", "delete")]


def test_an_authors_delete_takes_a_flagged_post_out_of_the_queue(app, world, target):
    with app.app_context():
        flag_all(world, target, ["member"])
        delete_post(world.user("supplier2"), db.session.get(Post, target))
        assert db.session.get(Post, target) not in held_and_flagged(world.topic("grievance"))


def test_flag_page_for_readers(app, login_as, target):
    reader = login_as("member")
    form = reader.get(f"/posts/{target}/flag")
    assert form.status_code == 200
    refused = reader.post(f"/posts/{target}/flag", data={"reason": "other", "note": ""})
    assert refused.status_code == 400
    assert reader.post(f"/posts/{target}/flag", data={"reason": "spam", "note": "An advert"}).status_code == 302
    queue = text(login_as("moderator").get("/moderation"))
    assert f'id="queue-post-{target}"' in queue and "An advert" in queue and "Spam" in queue
