"""Threads: starting one, accepting an answer, and the reads that list them."""
from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import notices, ratelimit
from ..errors import Invalid, NotFound
from ..events import action
from ..extensions import db
from ..language import choose as choose_language
from ..models import Post, Thread, Topic, User
from ..models.thread import THREAD_KINDS
from ..permissions import Guardian, not_found_message
from ..rendering import render_post
from . import validate
from .announce import announce_new_thread, queue_for_review, queue_thread_updated
from .notifications import notify
from .posts import new_post
from .screening import check_watched_words, initial_state, screen_post
from .watching import auto_watch_thread


def _tags(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, list):
        items = value
    elif isinstance(value, str):
        items = value.split(",")
    else:
        raise Invalid(_("Tags must be a list of words."), field="tags")
    tags = []
    for item in items:
        if not isinstance(item, str):
            raise Invalid(_("Tags must be words."), field="tags")
        tag = re.sub(r"[^a-z0-9-]+", "-", item.strip().lower()).strip("-")[:30]
        if tag and tag not in tags:
            tags.append(tag)
    if len(tags) > 5:
        raise Invalid(_("At most %(num)s tags.", num=5), field="tags")
    return ",".join(tags)


@action
def start_thread(actor: User, topic: Topic, *, title, body, kind="discussion", anonymous=False,
                 tags=None, client_id=None, language=None) -> tuple[Thread, Post]:
    """A new thread and its opening post. `language`: as for posts.reply (None: detected)."""
    guardian = Guardian(actor)
    guardian.ensure_read_topic(topic)
    kind = validate.choice(kind or "discussion", "kind", [k for k in THREAD_KINDS if k != "archive"],
                           _l("The kind of thread"))
    guardian.ensure_start_thread(topic, kind)
    title = validate.title(title)
    body = validate.body(body)
    language = choose_language(language)
    anonymous = validate.flag(anonymous, "anonymous")
    if anonymous:
        guardian.ensure_post_anonymously(topic)
        if kind == "announcement":
            raise Invalid(_("Announcements cannot be anonymous."), field="anonymous")
    client_id = validate.client_id(client_id)
    if client_id:
        existing = db.session.scalar(select(Post).where(Post.author_id == actor.id, Post.client_id == client_id))
        if existing is not None:
            return existing.thread, existing
    screen_post(actor, topic, guardian)
    tags = _tags(tags)
    tier = ratelimit.tier_for(actor)
    ratelimit.hit("thread", actor.id, tier=tier)
    ratelimit.hit("post", actor.id, tier=tier)  # an opening post is a post: one limit for every post
    body, held_by_words = check_watched_words(topic, body)
    html = render_post(body)
    state = "held" if held_by_words and not guardian.is_moderator(topic) else initial_state(actor, topic, guardian)
    thread = Thread(topic=topic, kind=kind, title=title, author=actor, anonymous=anonymous,
                    state=state, tags=tags)
    db.session.add(thread)
    post = new_post(actor, thread, body, html, reply_to=None, anonymous=anonymous, client_id=client_id,
                    state=state, is_opening=True, language=language, held_by_words=held_by_words)
    auto_watch_thread(actor, thread)  # starting a thread watches it
    if state == "visible":
        announce_new_thread(thread, post)
    else:
        queue_for_review(post, "held")
    return thread, post


@action
def accept_answer(actor: User, thread: Thread, post_id) -> Thread:
    guardian = Guardian(actor)
    guardian.ensure_read_thread(thread)
    post_id = validate.optional_id(post_id, "post_id")
    post = None
    if post_id is not None:
        post = db.session.get(Post, post_id)
        if post is None or post.thread_id != thread.id or not guardian.can_see_post(post):
            # one answer for a post that is not there and one out of sight (held, hidden)
            raise Invalid(_("That post is not an answer in this thread."), field="post_id")
    guardian.ensure_accept_answer(thread, post)
    thread.accepted_post_id = post.id if post is not None else None
    change = {"change": "accepted", "accepted_post_id": thread.accepted_post_id}
    queue_thread_updated(thread, change)
    if post is not None and post.author_id != actor.id:
        notify(post.author, verb="accepted", data={"thread": notices.thread_ref(thread)},
               url=f"/threads/{thread.id}#post-{post.id}", thread=thread, post=post)
    return thread


def get_thread(thread_id) -> Thread:
    thread_id = validate.as_id(thread_id) if isinstance(thread_id, int) else None  # ints only: "1" is no id here
    thread = db.session.get(Thread, thread_id) if thread_id is not None else None
    if thread is None:
        raise NotFound(not_found_message("Thread"))
    return thread


def get_topic(slug) -> Topic:
    topic = db.session.scalar(select(Topic).where(Topic.slug == slug)) if isinstance(slug, str) else None
    if topic is None:
        raise NotFound(not_found_message("Topic"))
    return topic

