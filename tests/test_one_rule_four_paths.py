"""One rule decides what a reader sees of a thread's posts, on every path: the thread page,
the JSON API, search and digests all narrow their queries with the Guardian's scope
(`Guardian.visible_posts`), none with a filter of its own.

The first test checks the outcome (a hidden reply is gone for others and shown to its
author); the second shows that the four paths go through that one scope: narrowing the
scope alone hides a perfectly visible post everywhere at once.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from community import search
from community.actions import watching
from community.actions.digests import build_digest
from community.extensions import db
from community.models import Post, utcnow
from community.permissions import Guardian
from tests.views.threads_support import answer, article, html_of, moderate_post, start

WORD = "Quillwort"


def _setup(app, world) -> tuple[int, int, int]:
    """A grievance thread watched by member2, with a visible and a hidden reply (by supplier2)."""
    with app.app_context():
        watching.set_topic_level(world.user("member2"), world.topic("grievance"), "watching")
        db.session.commit()
    thread, _opening = start(app, world, "supplier", "grievance", title="Sunday shifts", body="Opening words")
    shown = answer(app, world, "supplier2", thread, f"{WORD} visible reply")
    hidden = answer(app, world, "supplier2", thread, f"{WORD} hidden reply")
    moderate_post(app, world, "moderator", hidden, "hide", "Off topic")
    return thread, shown, hidden


def _paths(app, world, login_as, client, token_for, who: str, thread: int) -> dict[str, set[int]]:
    """The post ids `who` is shown on each path."""
    page = html_of(login_as(who).get(f"/threads/{thread}"))
    api = client.get(f"/api/v1/threads/{thread}", headers=token_for(who)).get_json()
    with app.app_context():
        ids = db.session.scalars(select(Post.id).where(Post.thread_id == thread)).all()
        found = search.search(Guardian(world.user(who)), WORD)
        digest = build_digest(world.user(who), utcnow() - timedelta(hours=1))
        in_digest = {r.id for t in digest.threads for r in t.replies}
    return {
        "page": {i for i in ids if article(page, i)},
        "api": {p["id"] for p in api["posts"]},
        "search": {hit.post.id for hit in found.hits},
        "digest": in_digest,
    }


def test_a_hidden_post_is_absent_from_every_path(app, world, login_as, client, token_for):
    thread, shown, hidden = _setup(app, world)
    seen = _paths(app, world, login_as, client, token_for, "member2", thread)
    for path, ids in seen.items():
        assert shown in ids and hidden not in ids, (path, ids)
    # Its author still finds it where people look at their own posts: the page and the API.
    author = _paths(app, world, login_as, client, token_for, "supplier2", thread)
    assert hidden in author["page"] and hidden in author["api"]


def test_every_path_narrows_its_query_with_the_one_scope(app, world, login_as, client, token_for, monkeypatch):
    thread, shown, _hidden = _setup(app, world)
    asked: list[str] = []
    scope = Guardian.visible_posts

    def narrower(self, query, *args, **kwargs):
        asked.append(str(self.user.id if self.user else None))
        return scope(self, query, *args, **kwargs).where(Post.id != shown)

    monkeypatch.setattr(Guardian, "visible_posts", narrower)
    seen = _paths(app, world, login_as, client, token_for, "member2", thread)
    for path, ids in seen.items():
        assert shown not in ids, f"{path} does not ask Guardian.visible_posts"
    assert asked
