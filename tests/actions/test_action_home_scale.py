"""The home page at scale (issue #17): the threads per topic and latest activity
(actions.home.topic_stats) are right, and with READ_COUNTS_CACHE_SECONDS kept until a new post
or thread changes them; the unread list looks among the threads of latest activity first and
answers the same as through all of the reader's read rows."""
from __future__ import annotations

import pytest

from community.actions import home, reading
from community.extensions import db
from community.permissions import Guardian
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
    home._stats_cache.clear()
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


def _opened_then_answered(world, n: int) -> list[int]:
    """n threads the member opened, each answered afterwards (unread), oldest first."""
    member = world.user("member")
    ids = []
    for i in range(n):
        thread, opening = start(world, "supplier", title=f"Question number {i} on fees")
        reading.mark_read(member, thread, opening.id)
        answer(world, "supplier2", thread, f"Answer {i}")
        ids.append(thread.id)
    return ids


@pytest.mark.parametrize("window", [2, 4, 5, 6, 50])
def test_the_unread_list_is_the_same_whatever_the_window(app, world, monkeypatch, window):
    """A window holding more than a page answers from it; a smaller one (read threads older than
    it, or fewer unread in it) goes through all the read rows: the same threads either way."""
    unread_ids = _opened_then_answered(world, 4)
    read_thread, read_opening = start(world, "supplier", title="A thread read to the end")
    reading.mark_read(world.user("member"), read_thread, read_opening.id)
    start(world, "member", title="The member's own new thread")  # newest: neither unread nor new
    monkeypatch.setattr(home, "UNREAD_WINDOW", window)
    guardian = Guardian(world.user("member"))
    first = home.unread(guardian, limit=2)
    assert [t.id for t in first.threads] == unread_ids[::-1][:2] and first.more
    second = home.unread(guardian, cursor=first.next_cursor, limit=2)
    assert [t.id for t in second.threads] == unread_ids[::-1][2:] and not second.more
    assert [t.id for t in home._opened_unread(guardian, None, 2)] == unread_ids[::-1][:3]
