"""The home page's threads per topic and latest activity (actions.home.topic_stats): right, and
with READ_COUNTS_CACHE_SECONDS kept until a new post or thread changes them."""
from __future__ import annotations

from community.actions import home
from community.extensions import db
from tests.actions.support import answer, start


def test_topic_stats_count_the_visible_threads_and_their_latest_activity(app, world):
    grievance = world.topic("grievance").id
    before = home.topic_stats([grievance]).get(grievance, (0, None))[0]
    thread, opening = start(world, "supplier")
    held, _ = start(world, "supplier2", title="A thread awaiting review")
    reply = answer(world, "member", thread, "The latest word")
    held.state = "held"  # as the review queue holds one: not counted
    db.session.commit()
    count, last = home.topic_stats([grievance])[grievance]
    assert count == before + 1
    assert last == max(thread.last_activity_at, reply.created_at)
    assert home.topic_stats([]) == {}


def test_topic_stats_are_kept_until_a_post_or_thread_changes_them(app, world, monkeypatch):
    app.config["READ_COUNTS_CACHE_SECONDS"] = 60
    monkeypatch.setattr(home, "_stats_cache", None)
    grievance = world.topic("grievance").id
    thread, _ = start(world, "supplier")
    first = home.topic_stats([grievance])[grievance]
    counted = []
    real = home._topic_stats
    monkeypatch.setattr(home, "_topic_stats", lambda ids: counted.append(ids) or real(ids))
    assert home.topic_stats([grievance])[grievance] == first and counted == []  # kept
    answer(world, "supplier2", thread, "Something new")
    assert home.topic_stats([grievance])[grievance][1] > first[1] and len(counted) == 1  # a new post: again
    start(world, "supplier2", title="Another question on fees")
    assert home.topic_stats([grievance])[grievance][0] == first[0] + 1 and len(counted) == 2  # a new thread
