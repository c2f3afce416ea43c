"""Two moderators handling the same item: the second learns it was already handled and by
whom, and nothing is applied twice — one after the other (state checks) and truly at the
same moment (two sessions holding the same row; optimistic locking on Post/Thread.version)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.actions.moderation import moderate_post, moderate_thread
from community.actions.posts import reply
from community.errors import Conflict
from community.extensions import db
from community.models import ModerationAction, Notification, Post, Thread
from tests.actions.support import start
from tests.moderation.support import text


@pytest.fixture
def held(app, world, set_topic) -> dict:
    with app.app_context():
        thread, _ = start(world, "moderator", title="Two moderators, one post")
        ids = {"thread": thread.id}
    set_topic("grievance", moderation="all")
    with app.app_context():
        ids["post"] = reply(world.user("supplier"), db.session.get(Thread, ids["thread"]), "Held post body").id
    return ids


def count(model, *where) -> int:
    return db.session.scalar(select(func.count(model.id)).where(*where)) or 0


def applied_once(app, world, post_id: int, action: str = "approve_post") -> None:
    with app.app_context():
        assert count(ModerationAction, ModerationAction.target_id == post_id,
                     ModerationAction.target_type == "post") == 1
        assert db.session.scalar(select(ModerationAction.action).where(ModerationAction.target_id == post_id)) == action
        assert count(Notification, Notification.user_id == world.ids["supplier"]) == 1


def test_second_moderator_on_the_page_sees_who_handled_it(app, world, login_as, emitted, held):
    first, second = login_as("moderator"), login_as("admin")
    # Both opened the queue before either acted.
    assert f'id="queue-post-{held["post"]}"' in text(first.get("/moderation"))
    assert f'id="queue-post-{held["post"]}"' in text(second.get("/moderation"))
    emitted.clear()
    assert first.post(f"/moderation/posts/{held['post']}", data={"action": "approve"}).status_code == 302
    late = second.post(f"/moderation/posts/{held['post']}",
                       data={"action": "approve", "next": "/moderation"})
    assert late.status_code == 409
    page = text(late)
    assert "Already handled." in page
    assert "already visible" in page and "approve post by Moderator, just now" in page
    applied_once(app, world, held["post"])
    assert len(emitted.named("post.created")) == 1
    assert len(emitted.named("moderation.queue")) == 1
    # A different second action is refused the same way.
    hide = second.post(f"/moderation/posts/{held['post']}", data={"action": "reject", "reason": "Late"})
    assert hide.status_code == 400  # not held any more: nothing to reject
    with app.app_context():
        assert db.session.get(Post, held["post"]).state == "visible"


def test_real_race_two_sessions_approve_at_the_same_moment(app, world, emitted, held):
    emitted.clear()
    with app.app_context():
        mine = db.session.get(Post, held["post"])
        assert mine.state == "held"  # moderator's session has read it ...
        with app.app_context():  # ... while the administrator's request, its own session, commits first
            moderate_post(world.user("admin"), db.session.get(Post, held["post"]), "approve")
        assert mine.state == "held"  # stale in this session: the state check cannot see it
        with pytest.raises(Conflict) as refused:
            moderate_post(world.user("moderator"), mine, "approve")
        assert "at the same moment" in refused.value.message
        assert "approve post by Admin" in refused.value.message
        assert "Nothing was applied twice" in refused.value.message
        assert refused.value.status == 409
    applied_once(app, world, held["post"])
    assert len(emitted.named("post.created")) == 1
    assert [e.payload["by"] for e in emitted.named("moderation.queue")] == ["Admin"]
    assert all(e.committed for e in emitted.events)


def test_real_race_hide_against_approve(app, world, emitted, held):
    with app.app_context():
        mine = db.session.get(Post, held["post"])
        _ = mine.state
        with app.app_context():
            moderate_post(world.user("admin"), db.session.get(Post, held["post"]), "reject", "Not suitable")
        with pytest.raises(Conflict) as refused:
            moderate_post(world.user("moderator"), mine, "approve")
        assert "reject post by Admin" in refused.value.message
    with app.app_context():
        post = db.session.get(Post, held["post"])
        assert post.state == "hidden" and post.state_cause == "rejected" and post.state_reason == "Not suitable"
    applied_once(app, world, held["post"], "reject_post")


def test_real_race_on_a_thread(app, world, emitted, held):
    with app.app_context():
        mine = db.session.get(Thread, held["thread"])
        assert mine.locked is False
        with app.app_context():
            moderate_thread(world.user("admin"), db.session.get(Thread, held["thread"]), "lock", "Heated")
        with pytest.raises(Conflict) as refused:
            moderate_thread(world.user("moderator"), mine, "pin")
        assert "lock thread by Admin" in refused.value.message
    with app.app_context():
        thread = db.session.get(Thread, held["thread"])
        assert thread.locked is True and thread.pinned is False
        assert count(ModerationAction, ModerationAction.target_type == "thread") == 1


def test_real_race_merging_a_thread_twice(app, world, held):
    with app.app_context():
        other, _ = start(world, "moderator", title="Another thread to merge into")
        third, _ = start(world, "moderator", title="A third thread to merge into")
        other_id, third_id = other.id, third.id
    with app.app_context():
        mine = db.session.get(Thread, held["thread"])
        assert mine.state == "visible"
        with app.app_context():
            moderate_thread(world.user("admin"), db.session.get(Thread, held["thread"]), "merge", target=other_id)
        with pytest.raises(Conflict) as refused:
            moderate_thread(world.user("moderator"), mine, "merge", target=third_id)
        assert "merge thread by Admin" in refused.value.message
    with app.app_context():
        assert db.session.get(Thread, held["thread"]).merged_into_id == other_id
        assert count(Post, Post.thread_id == third_id) == 1  # only its own opening post
