"""Helpers for the reading/writing page tests: build data through the real actions.

Every helper opens its own app context and returns plain ids, so tests can
use them between requests without detached-instance surprises.
"""
from __future__ import annotations

import re

from community.extensions import db
from community.models import Post, Thread


def start(app, world, who: str, topic: str, title: str = "A thread title", body: str = "Opening words",
          **kw) -> tuple[int, int]:
    """(thread_id, opening_post_id) of a thread started by persona `who`."""
    from community.actions.threads import start_thread

    with app.app_context():
        thread, post = start_thread(world.user(who), world.topic(topic), title=title, body=body, **kw)
        return thread.id, post.id


def answer(app, world, who: str, thread_id: int, body: str = "A reply", reply_to: int | None = None,
           **kw) -> int:
    """Id of a reply by persona `who`."""
    from community.actions.posts import reply

    with app.app_context():
        post = reply(world.user(who), db.session.get(Thread, thread_id), body, reply_to=reply_to, **kw)
        return post.id


def moderate_thread(app, world, who: str, thread_id: int, action: str, reason: str = "") -> None:
    from community.actions.moderation import moderate_thread as act

    with app.app_context():
        act(world.user(who), db.session.get(Thread, thread_id), action, reason)


def moderate_post(app, world, who: str, post_id: int, action: str, reason: str = "") -> None:
    from community.actions.moderation import moderate_post as act

    with app.app_context():
        act(world.user(who), db.session.get(Post, post_id), action, reason)


def set_topic(app, world, slug: str, **settings) -> None:
    with app.app_context():
        topic = world.topic(slug)
        for key, value in settings.items():
            setattr(topic, key, value)
        db.session.commit()


def post_state(app, post_id: int) -> str:
    with app.app_context():
        return db.session.get(Post, post_id).state


def html_of(response) -> str:
    """The page, without the JavaScript string catalogue (a JSON data block, not page content)
    and with the <bdi> isolation of names dropped (tests read the words through it;
    tests/views/test_identity_bidi.py checks the isolation itself)."""
    html = response.get_data(as_text=True).replace("<bdi>", "").replace("</bdi>", "")
    return re.sub(r'<script id="js-strings" type="application/json">.*?</script>', "", html, flags=re.S)


def text_of(html: str) -> str:
    """What a reader sees: tags and <template> blanks (inert until a script fills one) dropped,
    whitespace collapsed."""
    html = re.sub(r"<template\b[\s\S]*?</template>", " ", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace(" )", ")").replace("( ", "(").strip()


def article(html: str, post_id: int) -> str:
    """The <article> of one post in a page ('' when it is not there)."""
    match = re.search(rf'<article id="post-{post_id}"[\s\S]*?</article>', html)
    return match.group(0) if match else ""


def assert_csp_clean(html: str) -> None:
    """No inline scripts, inline styles or inline event handlers (the CSP forbids them)."""
    for tag in re.findall(r"<script\b[^>]*>", html):
        # a JSON data block (base.html's js-strings) is never executed: the CSP allows it
        assert "src=" in tag or 'type="application/json"' in tag, f"inline script: {tag}"
    assert not re.search(r"<style\b", html), "a <style> block"
    assert not re.search(r"\sstyle\s*=", html), "a style= attribute"
    assert not re.search(r"\son[a-z]+\s*=", html), "an inline event handler"
