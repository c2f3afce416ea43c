"""Scope: a moderator of topic A can do nothing as a moderator in topic B, through any page
(every moderation form and fragment), and nothing is applied; administrators can act
everywhere. (The Guardian rules themselves are proven in tests/test_permissions.py.)"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.actions.posts import flag_post, reply
from community.actions.screening import add_watched_word
from community.extensions import db
from community.models import ModerationAction, Post, Thread
from community.models.moderation import TopicSilence, WatchedWord
from tests.actions.support import start


@pytest.fixture
def lounge(app, world) -> dict:
    """In members-lounge (not moderated by `moderator`): a thread, a flagged reply, a watched word."""
    with app.app_context():
        thread, _ = start(world, "member", "members-lounge", title="Lounge thread in scope")
        other, _ = start(world, "member2", "members-lounge", title="Another lounge thread")
        post = reply(world.user("member2"), thread, "A lounge reply")
        flag_post(world.user("admin"), post, "spam", "")
        word = add_watched_word(world.user("admin"), "lounge-word", "hold", world.topic("members-lounge"))
        mine, _ = start(world, "moderator", "grievance", title="A grievance thread of mine")
        return {"thread": thread.id, "other": other.id, "post": post.id, "word": word.id, "mine": mine.id}


def requests(ids: dict) -> list[tuple[str, str, dict]]:
    t, p = ids["thread"], ids["post"]
    return [
        ("GET", "/moderation?topic=members-lounge", {}),
        ("GET", f"/moderation/posts/{p}", {}),
        ("GET", f"/moderation/queue/items/{p}", {}),
        ("GET", f"/moderation/threads/{t}", {}),
        ("GET", "/moderation/topics/members-lounge/words", {}),
        ("GET", "/moderation/log?topic=members-lounge", {}),
        ("POST", f"/moderation/posts/{p}", {"action": "hide", "reason": "Out of scope"}),
        ("POST", f"/moderation/posts/{p}", {"action": "approve"}),
        ("POST", f"/moderation/posts/{p}/silence", {"minutes": "10", "reason": "x"}),
        ("POST", f"/moderation/threads/{t}", {"action": "lock"}),
        ("POST", f"/moderation/threads/{t}", {"action": "pin"}),
        ("POST", f"/moderation/threads/{t}", {"action": "move", "topic": "grievance"}),
        ("POST", f"/moderation/threads/{t}", {"action": "duplicate", "target": str(ids["other"])}),
        ("POST", f"/moderation/threads/{t}", {"action": "merge", "target": str(ids["other"])}),
        ("POST", f"/moderation/threads/{t}", {"action": "split", "post_ids": [str(p)], "title": "Split it off"}),
        ("POST", "/moderation/topics/members-lounge/words", {"word": "sneaky", "action": "block"}),
        ("POST", f"/moderation/topics/members-lounge/words/{ids['word']}/remove", {}),
        ("POST", f"/posts/{p}/delete", {"reason": "x"}),
        ("POST", f"/posts/{p}/edit", {"body": "Rewritten by an outsider", "reason": "x"}),
    ]


def snapshot(ids: dict):
    post = db.session.get(Post, ids["post"])
    thread = db.session.get(Thread, ids["thread"])
    return (db.session.scalar(select(func.count(ModerationAction.id))), post.state, post.body, post.thread_id,
            thread.locked, thread.pinned, thread.topic_id, thread.state, thread.duplicate_of_id,
            db.session.scalar(select(func.count(WatchedWord.id))), db.session.scalar(select(func.count(TopicSilence.id))))


def test_a_topic_moderator_can_do_nothing_in_another_topic(app, login_as, lounge):
    with app.app_context():
        before = snapshot(lounge)
    moderator = login_as("moderator")
    for method, path, data in requests(lounge):
        response = moderator.open(path, method=method, data=data)
        # Another topic's moderation pages are "not there" (404); the post itself, which this
        # member may read, is simply not theirs to change (403).
        expected = 404 if path.startswith("/moderation") else 403
        assert response.status_code == expected, (method, path, data, response.status_code)
    # Moving one's own thread into a topic one does not moderate is refused too, with the
    # answer a missing topic or thread gets.
    for data in ({"action": "move", "topic": "members-lounge"}, {"action": "move", "topic": "no-such-topic"}):
        refused = moderator.post(f"/moderation/threads/{lounge['mine']}", data=data)
        assert refused.status_code == 400 and "Choose a topic you moderate." in refused.get_data(as_text=True)
    for target in (lounge["thread"], 999999):
        refused = moderator.post(f"/moderation/threads/{lounge['mine']}", data={"action": "merge", "target": str(target)})
        assert refused.status_code == 400
        assert f"There is no thread {target} among the topics you moderate." in refused.get_data(as_text=True)
    with app.app_context():
        assert snapshot(lounge) == before
        assert db.session.get(Thread, lounge["mine"]).topic.slug == "grievance"


def test_administrators_can_act_everywhere(app, login_as, lounge):
    admin = login_as("admin")
    for method, path, data in requests(lounge)[:6]:
        assert admin.open(path, method=method, data=data).status_code == 200, path
    assert admin.post(f"/moderation/threads/{lounge['thread']}", data={"action": "lock"}).status_code == 302
    assert admin.post(f"/moderation/posts/{lounge['post']}", data={"action": "hide", "reason": "Spam"}).status_code == 302
    with app.app_context():
        actions = list(db.session.scalars(select(ModerationAction.action).order_by(ModerationAction.id)))
        assert actions[-2:] == ["lock_thread", "hide_post"]  # administrators are logged too
