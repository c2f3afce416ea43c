"""Thread actions from the thread tools page: lock/unlock, pin/unpin, move, close as duplicate,
merge into another thread, split chosen replies into a new thread. Each writes its audit row
and announces itself to the rooms concerned (merged posts appear in the target thread's room,
split posts leave the old thread's room with `moved_to`)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.actions.posts import reply
from community.extensions import db
from community.models import Notification, Post, Thread
from tests.actions.support import start
from tests.moderation.support import last_audit, text
from tests.realtime.support import drain, joined, only


@pytest.fixture
def scene(app, world) -> dict:
    """Two threads in grievance: `source` (opening + 3 replies, one anonymous, one mentioning
    @member2) and `target` (opening + 1 reply)."""
    with app.app_context():
        source, opening = start(world, "supplier", title="Source thread about fees")
        r1 = reply(world.user("member"), source, "First reply about fees")
        r2 = reply(world.user("supplier2"), source, "Second reply, asking @member2", reply_to=r1.id)
        r3 = reply(world.user("supplier"), source, "Third reply, anonymous", anonymous=True)
        target, target_opening = start(world, "member", title="Target thread about fees")
        t1 = reply(world.user("member2"), target, "A reply in the target")
        return {"source": source.id, "opening": opening.id, "r1": r1.id, "r2": r2.id, "r3": r3.id,
                "target": target.id, "target_opening": target_opening.id, "t1": t1.id,
                "author": world.ids["supplier"]}


def tools(client, thread_id: int, **form):
    return client.post(f"/moderation/threads/{thread_id}", data=form)


def audit_of(app, action: str):
    with app.app_context():
        row = last_audit()
        assert row.action == action
        return {"actor": row.actor.name, "target": (row.target_type, row.target_id), "reason": row.reason,
                "before": row.before, "after": row.after, "topic": row.topic.slug if row.topic else None}


@pytest.mark.parametrize("action, field, value", [("lock", "locked", True), ("pin", "pinned", True)])
def test_lock_unlock_pin_unpin(app, login_as, emitted, scene, action, field, value):
    moderator = login_as("moderator")
    undo = {"lock": "unlock", "pin": "unpin"}[action]
    for act, expected in ((action, value), (undo, not value)):
        emitted.clear()
        assert tools(moderator, scene["source"], action=act, reason=f"{act} reason").status_code == 302
        row = audit_of(app, f"{act}_thread")
        assert row["target"] == ("thread", scene["source"]) and row["reason"] == f"{act} reason"
        assert row["before"][field] is (not expected) and row["after"][field] is expected
        rooms = {e.room: e.payload for e in emitted.named("thread.updated")}
        author = {f"user:{scene['author']}"} if action == "lock" else set()  # the author follows a lock
        assert set(rooms) == {f"thread:{scene['source']}", "topic:grievance"} | author
        assert all(p["change"] == act and p["thread"][field] is expected for p in rooms.values())
        with app.app_context():
            assert getattr(db.session.get(Thread, scene["source"]), field) is expected


def test_move_tells_both_topics_and_the_thread(app, login_as, emitted, scene):
    emitted.clear()
    admin = login_as("admin")
    assert tools(admin, scene["source"], action="move", topic="members-lounge", reason="Members matter").status_code == 302
    row = audit_of(app, "move_thread")
    assert row["before"]["topic"] == "grievance" and row["after"]["topic"] == "members-lounge"
    assert {e.room for e in emitted.named("thread.updated")} == \
        {f"thread:{scene['source']}", "topic:members-lounge", f"user:{scene['author']}"}
    # The old topic hears that it left, not where it went (its readers may not read that topic).
    (removed,) = emitted.named("thread.removed", "topic:grievance")
    assert removed.payload["thread_id"] == scene["source"] and "members-lounge" not in str(removed.payload)
    # A supplier reading the thread loses it (members-lounge is for members only).
    assert login_as("supplier2").get(f"/threads/{scene['source']}").status_code == 404


def test_close_as_duplicate(app, login_as, emitted, scene):
    moderator = login_as("moderator")
    emitted.clear()
    response = tools(moderator, scene["source"], action="duplicate", target=str(scene["target"]), reason="Same question")
    assert response.status_code == 302
    page = text(moderator.get(response.headers["Location"]))
    assert f"Closed as a duplicate of thread {scene['target']}" in page
    assert f'href="/moderation/threads/{scene["target"]}"' in page
    row = audit_of(app, "duplicate_thread")
    assert row["before"] == {"duplicate_of": None} and row["after"] == {"duplicate_of": scene["target"]}
    updates = emitted.named("thread.updated", f"thread:{scene['source']}")
    assert updates[0].payload["change"] == "duplicate" and updates[0].payload["duplicate_of"] == scene["target"]
    assert updates[0].payload["thread"]["locked"] is True
    with app.app_context():
        thread = db.session.get(Thread, scene["source"])
        assert thread.duplicate_of_id == scene["target"] and thread.locked
    again = tools(moderator, scene["source"], action="duplicate", target=str(scene["target"]))
    assert again.status_code == 409
    assert "Already handled." in text(again) and "duplicate thread by Moderator" in text(again)


def test_merge_moves_every_post_and_announces_them_in_the_target_room(app, world, login_as, socket_for, scene):
    # Real sockets (no recorded emits here): what readers of both threads actually receive.
    target_reader = socket_for("member2")
    joined(target_reader, f"thread:{scene['target']}")
    source_reader = socket_for("supplier2")
    joined(source_reader, f"thread:{scene['source']}")
    moderators = socket_for("moderator")
    joined(moderators, "mods:grievance")
    drain(target_reader), drain(source_reader), drain(moderators)
    moderator = login_as("moderator")
    response = tools(moderator, scene["source"], action="merge", target=str(scene["target"]), reason="One conversation")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/moderation/threads/{scene['target']}")
    assert f"every post of thread {scene['source']} is now in this thread" in \
        text(moderator.get(response.headers["Location"]))
    row = audit_of(app, "merge_thread")
    moved = [scene["opening"], scene["r1"], scene["r2"], scene["r3"]]
    assert row["reason"] == "One conversation"
    assert row["before"] == {"thread": scene["source"]}
    assert row["after"] == {"merged_into": scene["target"], "posts": moved}
    created = only(drain(target_reader), "post.created")
    assert [p["post"]["id"] for p in created] == moved
    assert all(p["post"]["thread_id"] == scene["target"] for p in created)
    # The anonymous reply stays anonymous in the broadcast.
    anonymous = next(p for p in created if p["post"]["id"] == scene["r3"])
    assert anonymous["post"]["author"] == {"anonymous": True, "label": "Anonymous supplier"}
    assert "Textiles Ltd" not in str(anonymous)
    updated = only(drain(source_reader), "thread.updated")
    assert [(p["change"], p["merged_into"]) for p in updated] == [("merged", scene["target"])]
    assert not drain(moderators)  # nothing for the review queue
    with app.app_context():
        assert db.session.scalar(select(func.count(Post.id)).where(Post.thread_id == scene["target"])) == 6
        source = db.session.get(Thread, scene["source"])
        assert (source.state, source.merged_into_id, source.locked) == ("merged", scene["target"], True)
        assert db.session.get(Thread, scene["target"]).reply_count == 5
    # Readers no longer find the merged thread; its moderators see where it went.
    moved = login_as("member").get(f"/threads/{scene['source']}")  # the old address leads to the posts
    assert moved.status_code == 301 and f"/threads/{scene['target']}" in moved.headers["Location"]
    page = text(moderator.get(f"/moderation/threads/{scene['source']}"))
    assert "Merged into" in page and f"thread {scene['target']}" in page
    again = tools(moderator, scene["source"], action="merge", target=str(scene["target"]))
    assert again.status_code == 409 and "merge thread by Moderator" in text(again)


def test_merge_is_recorded_as_events_after_commit(app, login_as, emitted, scene):
    emitted.clear()
    assert tools(login_as("moderator"), scene["source"], action="merge", target=str(scene["target"])).status_code == 302
    assert all(e.committed for e in emitted.events)
    assert [e.payload["post"]["id"] for e in emitted.named("post.created", f"thread:{scene['target']}")] == \
        [scene["opening"], scene["r1"], scene["r2"], scene["r3"]]
    assert {e.room for e in emitted.named("thread.updated")} == \
        {f"thread:{scene['source']}", f"thread:{scene['target']}", "topic:grievance", f"user:{scene['author']}"}


def test_merge_refusals_keep_the_form(app, login_as, scene):
    moderator = login_as("moderator")
    itself = tools(moderator, scene["source"], action="merge", target=str(scene["source"]), reason="KEEP-REASON")
    assert itself.status_code == 400
    assert "cannot be merged into itself" in text(itself) and 'value="KEEP-REASON"' in text(itself)
    missing = tools(moderator, scene["source"], action="merge", target="999999", reason="KEEP-REASON")
    assert missing.status_code == 400 and 'value="KEEP-REASON"' in text(missing)
    empty = tools(moderator, scene["source"], action="merge", target="")
    assert empty.status_code == 400 and "Choose the other thread" in text(empty)
    # A thread in a topic this moderator does not moderate is out of reach.
    admin = login_as("admin")
    made = admin.post("/t/members-lounge/new", data={"title": "Lounge thread here", "body": "Words"})
    lounge_id = int(made.headers["Location"].split("/threads/")[1].split("?")[0].split("#")[0])
    refused = tools(moderator, scene["source"], action="merge", target=str(lounge_id))
    # The same answer as for a thread that does not exist: it says neither.
    assert refused.status_code == 400
    assert f"There is no thread {lounge_id} among the topics you moderate." in text(refused)
    assert "There is no thread 999999 among the topics you moderate." in text(missing)
    # A thread already merged cannot be a target: its posts live elsewhere.
    assert tools(admin, scene["target"], action="merge", target=str(lounge_id)).status_code == 302
    into_merged = tools(moderator, scene["source"], action="duplicate", target=str(scene["target"]))
    assert into_merged.status_code == 400 and f"merged into thread {lounge_id}" in text(into_merged)


def test_split_moves_chosen_replies_to_a_new_thread(app, world, login_as, socket_for, scene):
    reader = socket_for("member")
    joined(reader, f"thread:{scene['source']}")
    drain(reader)
    with app.app_context():
        mentions_before = db.session.scalar(select(func.count(Notification.id))
                                            .where(Notification.user_id == world.ids["member2"]))
    topic_reader = socket_for("member2")
    joined(topic_reader, "topic:grievance")
    drain(topic_reader)
    moderator = login_as("moderator")
    page = text(moderator.get(f"/moderation/threads/{scene['source']}"))
    assert f'name="post_ids" value="{scene["r2"]}"' in page
    assert f'name="post_ids" value="{scene["opening"]}"' not in page  # the opening post stays
    response = moderator.post(f"/moderation/threads/{scene['source']}",
                              data={"action": "split", "post_ids": [str(scene["r2"]), str(scene["r3"])],
                                    "title": "Split off: the second question", "reason": "Separate topic"})
    assert response.status_code == 302
    new_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert "the chosen posts are now this new thread" in text(moderator.get(response.headers["Location"]))
    row = audit_of(app, "split_thread")
    assert row["target"] == ("thread", scene["source"]) and row["reason"] == "Separate topic"
    assert row["after"] == {"new_thread": new_id, "posts": [scene["r2"], scene["r3"]]}
    got = drain(reader)
    assert [(p["post_id"], p["moved_to"], p["room"]) for p in only(got, "post.deleted")] == \
        [(scene["r2"], new_id, f"thread:{scene['source']}"), (scene["r3"], new_id, f"thread:{scene['source']}")]
    assert [(p["change"], p["new_thread"]) for p in only(got, "thread.updated")] == [("split", new_id)]
    topic_events = drain(topic_reader)
    assert [p["thread"]["id"] for p in only(topic_events, "thread.created")] == [new_id]
    with app.app_context():
        new = db.session.get(Thread, new_id)
        assert new.title == "Split off: the second question" and new.topic.slug == "grievance"
        first = db.session.get(Post, scene["r2"])
        assert first.is_opening and first.thread_id == new_id and first.reply_to_id is None
        assert db.session.get(Post, scene["r1"]).thread_id == scene["source"]
        # Nobody is notified a second time about words written before the split.
        assert db.session.scalar(select(func.count(Notification.id))
                                 .where(Notification.user_id == world.ids["member2"])) == mentions_before


def test_split_refusals_keep_the_choices(login_as, scene):
    moderator = login_as("moderator")
    none_chosen = moderator.post(f"/moderation/threads/{scene['source']}",
                                 data={"action": "split", "title": "A title long enough"})
    assert none_chosen.status_code == 400 and "Choose the posts to split off." in text(none_chosen)
    short = moderator.post(f"/moderation/threads/{scene['source']}",
                           data={"action": "split", "post_ids": [str(scene["r1"])], "title": "abc"})
    assert short.status_code == 400
    assert f'value="{scene["r1"]}" id="split-{scene["r1"]}" checked' in text(short)
    foreign = moderator.post(f"/moderation/threads/{scene['source']}",
                             data={"action": "split", "post_ids": [str(scene["t1"])], "title": "A title long enough"})
    assert foreign.status_code == 400 and "must be a reply in this thread" in text(foreign)
