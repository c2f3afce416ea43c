"""Each review-queue action on a post, done through the pages a moderator uses: approve,
reject (the author may edit and resubmit), hide, restore, edit with a reason, delete and
undelete. Each writes its audit row (who, what, target, reason, before/after) and
announces itself: to the thread's readers, to the moderators' room, to the author."""
from __future__ import annotations

import pytest

from community.actions.posts import reply
from community.extensions import db
from community.models import Post, PostRevision
from tests.actions.support import start
from tests.moderation.support import last_audit, text


@pytest.fixture
def scene(app, world, set_topic) -> dict:
    """grievance holds every post: `held` (by supplier) awaits review; `visible` (by member2) was
    written before the policy changed."""
    with app.app_context():
        thread, _ = start(world, "moderator", title="Queue actions thread")
        visible = reply(world.user("member2"), thread, "VISIBLE-BODY an ordinary reply")
        ids = {"thread": thread.id, "visible": visible.id}
    set_topic("grievance", moderation="all")
    with app.app_context():
        ids["held"] = reply(world.user("supplier"), db.session.get(type(thread), ids["thread"]),
                            "HELD-BODY waiting for a moderator").id
    return ids


def act_on(client, post_id: int, action: str, reason: str = ""):
    return client.post(f"/moderation/posts/{post_id}", data={"action": action, "reason": reason})


def check_audit(app, action: str, post_id: int, actor_id: int, reason: str, before: dict, after: dict):
    with app.app_context():
        row = last_audit()
        assert (row.action, row.target_type, row.target_id, row.actor_id) == (action, "post", post_id, actor_id)
        assert row.reason == reason
        assert (row.before, row.after) == (before, after)
        assert row.topic.slug == "grievance"
        assert row.target_user_id == db.session.get(Post, post_id).author_id
        assert row.created_at is not None


def test_approve(app, world, login_as, emitted, scene):
    emitted.clear()
    assert act_on(login_as("moderator"), scene["held"], "approve").status_code == 302
    check_audit(app, "approve_post", scene["held"], world.ids["moderator"], "", {"state": "held"}, {"state": "visible"})
    room = f"thread:{scene['thread']}"
    assert [e.name for e in emitted.to(room)] == ["post.created"]
    assert emitted.to(room)[0].payload["post"]["id"] == scene["held"]
    handled = emitted.named("moderation.queue", "mods:grievance")
    assert [(e.payload["change"], e.payload["action"], e.payload["by"]) for e in handled] == \
        [("handled", "approve", "Moderator")]
    told = emitted.named("notification", f"user:{world.ids['supplier']}")
    assert "was approved" in told[-1].payload["notification"]["text"]


def test_reject_tells_the_author_why_and_they_can_resubmit(app, world, login_as, emitted, scene):
    emitted.clear()
    moderator = login_as("moderator")
    assert act_on(moderator, scene["held"], "reject", "Please remove the names").status_code == 302
    check_audit(app, "reject_post", scene["held"], world.ids["moderator"], "Please remove the names",
                {"state": "held"}, {"state": "hidden"})
    assert not emitted.to(f"thread:{scene['thread']}")  # readers never saw it
    told = emitted.named("notification", f"user:{world.ids['supplier']}")[-1].payload["notification"]["text"]
    assert "was not approved: Please remove the names" in told
    # The author's text stays available to edit and resubmit; it goes back to the queue.
    author = login_as("supplier")
    form = author.get(f"/posts/{scene['held']}/edit")
    assert form.status_code == 200 and "HELD-BODY waiting for a moderator" in text(form)
    emitted.clear()
    assert author.post(f"/posts/{scene['held']}/edit",
                       data={"body": "HELD-BODY without names", "reason": "Removed the names"}).status_code == 302
    with app.app_context():
        post = db.session.get(Post, scene["held"])
        assert post.state == "held" and post.body == "HELD-BODY without names"
    added = emitted.named("moderation.queue", "mods:grievance")
    assert [(e.payload["change"], e.payload["why"]) for e in added] == [("added", "resubmitted")]
    assert f'id="queue-post-{scene["held"]}"' in text(moderator.get("/moderation"))


def test_hide_and_restore(app, world, login_as, emitted, scene):
    moderator = login_as("moderator")
    emitted.clear()
    assert act_on(moderator, scene["visible"], "hide", "Personal data").status_code == 302
    check_audit(app, "hide_post", scene["visible"], world.ids["moderator"], "Personal data",
                {"state": "visible"}, {"state": "hidden"})
    room = f"thread:{scene['thread']}"
    assert [e.name for e in emitted.to(room)] == ["post.hidden"]
    assert emitted.to(room)[0].payload == {"room": room, "post_id": scene["visible"], "thread_id": scene["thread"],
                                           "cursor": emitted.to(room)[0].payload["cursor"]}
    assert "was hidden by a moderator: Personal data" in \
        emitted.named("notification", f"user:{world.ids['member2']}")[-1].payload["notification"]["text"]
    emitted.clear()
    assert act_on(moderator, scene["visible"], "restore", "Second look").status_code == 302
    check_audit(app, "restore_post", scene["visible"], world.ids["moderator"], "Second look",
                {"state": "hidden"}, {"state": "visible"})
    assert [e.name for e in emitted.to(room)] == ["post.restored"]
    assert "VISIBLE-BODY" in emitted.to(room)[0].payload["post"]["html"]


def test_edit_with_a_reason_keeps_a_revision(app, world, login_as, emitted, scene):
    moderator = login_as("moderator")
    emitted.clear()
    response = moderator.post(f"/posts/{scene['visible']}/edit",
                              data={"body": "VISIBLE-BODY with the phone number removed", "reason": "Phone number"})
    assert response.status_code == 302
    check_audit(app, "edit_post", scene["visible"], world.ids["moderator"], "Phone number",
                {"body": "VISIBLE-BODY an ordinary reply"}, {"body": "VISIBLE-BODY with the phone number removed"})
    with app.app_context():
        revision = db.session.scalar(db.select(PostRevision).where(PostRevision.post_id == scene["visible"]))
        assert (revision.body, revision.reason, revision.editor_id) == \
            ("VISIBLE-BODY an ordinary reply", "Phone number", world.ids["moderator"])
    updated = emitted.to(f"thread:{scene['thread']}")
    assert [e.name for e in updated] == ["post.updated"]
    assert "phone number removed" in updated[0].payload["post"]["html"]
    # The audit log shows the change, before and after.
    log = text(moderator.get("/moderation/log"))
    assert "edit post" in log and "VISIBLE-BODY an ordinary reply" in log and "Phone number" in log


def test_delete_and_undelete(app, world, login_as, emitted, scene):
    moderator = login_as("moderator")
    room = f"thread:{scene['thread']}"
    emitted.clear()
    assert moderator.post(f"/posts/{scene['visible']}/delete", data={"reason": "Duplicate"}).status_code == 302
    check_audit(app, "delete_post", scene["visible"], world.ids["moderator"], "Duplicate",
                {"state": "visible"}, {"state": "deleted"})
    assert [e.name for e in emitted.to(room)] == ["post.deleted"]
    # Undelete from the thread page (posts.restore) ...
    emitted.clear()
    assert moderator.post(f"/posts/{scene['visible']}/restore").status_code == 302
    check_audit(app, "undelete_post", scene["visible"], world.ids["moderator"], "",
                {"state": "deleted"}, {"state": "visible"})
    assert [e.name for e in emitted.to(room)] == ["post.restored"]
    # ... or from the moderation page, where a deleted post offers "Undelete".
    moderator.post(f"/posts/{scene['visible']}/delete", data={"reason": "Again"})
    page = text(moderator.get(f"/moderation/posts/{scene['visible']}"))
    assert 'value="restore">Undelete' in page
    emitted.clear()
    assert act_on(moderator, scene["visible"], "restore").status_code == 302
    check_audit(app, "restore_post", scene["visible"], world.ids["moderator"], "",
                {"state": "deleted"}, {"state": "visible"})
    assert [e.name for e in emitted.to(room)] == ["post.restored"]


def test_deleting_a_held_post_takes_it_out_of_the_queue_and_undelete_puts_it_back(app, world, login_as, emitted, scene):
    moderator = login_as("moderator")
    emitted.clear()
    assert moderator.post(f"/posts/{scene['held']}/delete", data={"reason": "Spam"}).status_code == 302
    assert [(e.payload["change"], e.payload["action"]) for e in emitted.named("moderation.queue")] == \
        [("handled", "delete")]
    assert f'id="queue-post-{scene["held"]}"' not in text(moderator.get("/moderation"))
    emitted.clear()
    assert moderator.post(f"/posts/{scene['held']}/restore").status_code == 302
    with app.app_context():
        assert db.session.get(Post, scene["held"]).state == "held"
    assert [e.payload["change"] for e in emitted.named("moderation.queue")] == ["added"]
    assert f'id="queue-post-{scene["held"]}"' in text(moderator.get("/moderation"))


def test_queue_cards_offer_every_action_and_link_the_others(login_as, scene):
    page = text(login_as("moderator").get("/moderation"))
    from tests.moderation.support import card

    held = card(page, scene["held"])
    for control in ('value="approve"', 'value="reject"', 'value="hide"', f'/posts/{scene["held"]}/edit',
                    f'/posts/{scene["held"]}/delete', f'/moderation/posts/{scene["held"]}/silence'):
        assert control in held, control
