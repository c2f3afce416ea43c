"""People: a person's profile as one viewer may see it, and the avatar colour they choose.

A profile shows what the viewer could find anyway, signed with the person's name: public
posts (visible, in visible threads, in topics the viewer may read) and never an anonymous
post, not even to the person themself or a moderator (the Guardian's public_posts scope). Counts
are counted over the same posts, so they leak nothing from topics the viewer cannot read.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import markup
from ..avatars import PALETTE
from ..errors import Invalid, NotFound
from ..events import action
from ..extensions import db
from ..models import Post, Thread, Topic, User
from ..permissions import Guardian, not_found_message
from . import validate

PROFILE_POSTS = 10
EXCERPT_CHARS = 280


@dataclass
class Profile:
    person: User
    topics: list[tuple[Topic, int]]  # topics active in, with public posts there, most first
    posts: list[Post]  # latest public posts
    answers: list[Post]  # latest public replies to questions
    accepted_answers: int
    post_count: int


def excerpt(post: Post, chars: int = EXCERPT_CHARS) -> str:
    """How a post starts, in plain text, for lists of posts."""
    text = markup.to_text(post.html)
    return text if len(text) <= chars else text[:chars].rstrip() + "…"


def get_person(user_id) -> User:
    user_id = validate.as_id(user_id) if isinstance(user_id, int) else None
    person = db.session.get(User, user_id) if user_id is not None else None
    if person is None:
        raise NotFound(not_found_message("User"))
    return person


def _public(guardian: Guardian, person: User):
    return guardian.public_posts(select(Post).join(Thread, Thread.id == Post.thread_id)
                                 .where(Post.author_id == person.id))


def public_posts_of(guardian: Guardian, person: User, *, before: int | None = None, limit: int = PROFILE_POSTS,
                    answers: bool = False) -> list[Post]:
    """The person's public posts the viewer may read, newest first (`answers`: replies to
    questions only), older than post id `before`."""
    guardian.ensure_view_profile(person)
    query = _public(guardian, person)
    if answers:
        query = query.where(Thread.kind == "question", Post.is_opening.is_(False))
    if before is not None:
        query = query.where(Post.id < before)
    return list(db.session.scalars(query.order_by(Post.id.desc()).limit(limit)))


def profile(guardian: Guardian, person: User, limit: int = PROFILE_POSTS) -> Profile:
    guardian.ensure_view_profile(person)
    readable = {t.id: t for t in db.session.scalars(guardian.readable_topics())}
    per_topic = db.session.execute(guardian.public_posts(
        select(Thread.topic_id, func.count(Post.id)).select_from(Post).join(Thread, Thread.id == Post.thread_id)
        .where(Post.author_id == person.id)).group_by(Thread.topic_id)).all()
    topics = sorted(((readable[topic_id], n) for topic_id, n in per_topic if topic_id in readable),
                    key=lambda item: (-item[1], item[0].position, item[0].name))
    # From the person's posts (indexed by author) to their threads (by key): no index on
    # thread.accepted_post_id is needed.
    accepted = db.session.scalar(guardian.public_posts(
        select(func.count(Post.id)).join(Thread, Thread.id == Post.thread_id)
        .where(Post.author_id == person.id, Thread.accepted_post_id == Post.id))) or 0
    return Profile(
        person=person, topics=topics,
        posts=public_posts_of(guardian, person, limit=limit),
        answers=public_posts_of(guardian, person, limit=limit, answers=True),
        accepted_answers=accepted, post_count=sum(n for _topic, n in topics))


@action
def set_avatar_colour(actor: User, colour) -> str | None:
    """The actor's avatar colour: a PALETTE key, or None / "" for the one their name gives."""
    Guardian(actor).ensure_use_site()
    if colour in (None, ""):
        colour = None
    elif not isinstance(colour, str) or colour not in PALETTE:
        raise Invalid(_("Choose one of the colours offered."), field="avatar_colour")
    actor.avatar_colour = colour
    return colour
