"""Fixtures for the search tests: `scene` writes through the real actions, `find` searches as a persona.

Every write goes through community.actions (as a request would, one app context each),
so the index is kept up to date only by the session hook of community/search.py.
"""
from __future__ import annotations

import pytest

from community import search
from community.extensions import db
from community.models import Post, Thread
from community.permissions import Guardian


class Scene:
    """Writes as named personas; returns ids (objects do not outlive an app context)."""

    def __init__(self, app, world):
        self.app = app
        self.world = world

    def run(self, fn, *args, **kwargs):
        with self.app.app_context():
            return fn(*args, **kwargs)

    def _user(self, who):
        return self.world.user(who)

    def start(self, who: str, topic: str = "grievance", title: str = "A question about audits",
              body: str = "Some words.", **kw) -> tuple[int, int]:
        from community.actions.threads import start_thread

        def go():
            thread, post = start_thread(self._user(who), self.world.topic(topic), title=title, body=body, **kw)
            return thread.id, post.id

        return self.run(go)

    def reply(self, who: str, thread_id: int, body: str, **kw) -> int:
        from community.actions.posts import reply

        return self.run(lambda: reply(self._user(who), db.session.get(Thread, thread_id), body, **kw).id)

    def edit(self, who: str, post_id: int, body: str) -> None:
        from community.actions.posts import edit_post

        self.run(lambda: edit_post(self._user(who), db.session.get(Post, post_id), body))

    def delete(self, who: str, post_id: int) -> None:
        from community.actions.posts import delete_post

        self.run(lambda: delete_post(self._user(who), db.session.get(Post, post_id)))

    def restore(self, who: str, post_id: int) -> None:
        from community.actions.posts import restore_post

        self.run(lambda: restore_post(self._user(who), db.session.get(Post, post_id)))

    def flag(self, who: str, post_id: int) -> None:
        from community.actions.posts import flag_post

        self.run(lambda: flag_post(self._user(who), db.session.get(Post, post_id), "spam"))

    def moderate(self, who: str, post_id: int, action: str, reason: str = "Off topic") -> None:
        from community.actions.moderation import moderate_post

        self.run(lambda: moderate_post(self._user(who), db.session.get(Post, post_id), action, reason))

    def moderate_thread(self, who: str, thread_id: int, action: str, **kw) -> int:
        from community.actions.moderation import moderate_thread

        def go():
            thread = db.session.get(Thread, thread_id)
            return moderate_thread(self._user(who), thread, action, kw.pop("reason", "Tidying up"), **kw).id

        return self.run(go)

    def accept(self, who: str, thread_id: int, post_id: int | None) -> None:
        from community.actions.threads import accept_answer

        self.run(lambda: accept_answer(self._user(who), db.session.get(Thread, thread_id), post_id))

    def hold_word(self, word: str) -> None:
        """Posts containing `word` are held for review (a site-wide watched word)."""
        from community.actions.screening import add_watched_word

        self.run(lambda: add_watched_word(self._user("admin"), word, "hold"))

    def rename(self, who: str, name: str, handle: str) -> None:
        def go():
            user = self._user(who)
            user.name, user.handle = name, handle
            db.session.commit()

        self.run(go)


@pytest.fixture
def scene(app, world) -> Scene:
    return Scene(app, world)


@pytest.fixture
def find(app, world):
    """find("member", "word", kind="question") -> [(type, post_id), ...] in rank order."""

    def _find(who: str, q: str, **filters) -> list[tuple[str, int]]:
        with app.app_context():
            page = search.search(Guardian(world.user(who)), q, search.Filters(**filters), limit=100)
            return [(hit.type, hit.post.id) for hit in page.hits]

    return _find


@pytest.fixture
def found_ids(find):
    """found_ids("member", "word") -> the set of post ids found."""

    def _ids(who: str, q: str, **filters) -> set[int]:
        return {post_id for _type, post_id in find(who, q, **filters)}

    return _ids


@pytest.fixture
def api(client, token_for):
    """api.get("/search?q=...", "supplier"): the JSON API as a persona (tests/api/helpers.py)."""
    from tests.api.helpers import Api

    return Api(client, token_for)
