"""read.updated: a read recorded in one tab (API or page) reaches the user's other tabs, in
their own room only, and names nobody else."""
from __future__ import annotations

from tests.realtime.support import drain, events_named


def test_a_read_in_one_tab_reaches_the_other_tabs_only(app, world, socket_for, make_thread, login_as):
    thread_id = make_thread("supplier")
    with app.app_context():
        from community.extensions import db
        from community.models import Post
        opening_id = db.session.scalar(db.select(Post.id).where(Post.thread_id == thread_id))
    other_tab, someone_else = socket_for("member"), socket_for("supplier2")
    drain(other_tab), drain(someone_else)
    page = login_as("member")
    assert page.get(f"/threads/{thread_id}").status_code == 200  # the page records what it showed
    (event,) = events_named(other_tab, "read.updated")
    assert event["thread_id"] == thread_id and event["last_read_post_id"] == opening_id
    assert event["unread"] == 0 and event["room"] == f"user:{world.ids['member']}"
    assert set(event) == {"room", "thread_id", "topic", "last_read_post_id", "unread", "cursor"}
    page.get(f"/threads/{thread_id}")  # nothing new read: nothing announced
    assert events_named(other_tab, "read.updated") == []
    response = page.post("/read", data={})
    assert response.status_code == 302
    (event,) = events_named(other_tab, "read.updated")
    assert event["all"] is True and event["topic"] is None
    assert events_named(someone_else, "read.updated") == []
