"""Watched words: a topic's, kept by its moderators, and (shared with the administrators'
site-wide page, community/views/admin.py) adding and removing one."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ...actions import screening
from ...actions.threads import get_topic
from ...errors import DomainError
from ...extensions import db
from ...models import Topic, User
from ...models.moderation import WATCH_ACTIONS, WatchedWord
from ..helpers import actor
from .common import bp, moderated, moderated_topics, render, topics_or_403

# The watched-word actions inside a sentence ("“bribe” is now watched (block).").
WORD_ACTION_NAMES = {"block": _l("block"), "hold": _l("hold"), "replace": _l("replace")}

WORD_FORM_KEYS = ("word", "action", "replacement")


def words_page(topic: Topic | None, status: int = 200, **extra) -> ResponseReturnValue:
    words = list(db.session.scalars(
        select(WatchedWord).where(WatchedWord.topic_id == topic.id if topic else WatchedWord.topic_id.is_(None))
        .order_by(func.lower(WatchedWord.word))))
    creators = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_({w.created_by_id for w in words if w.created_by_id})))} if words else {}
    extra.setdefault("form", {"word": "", "action": "hold", "replacement": ""})
    extra.setdefault("error", None)
    site_wide = None
    if topic is not None:
        # A topic's moderators should know what already applies everywhere.
        site_wide = list(db.session.scalars(select(WatchedWord).where(WatchedWord.topic_id.is_(None))
                                            .order_by(func.lower(WatchedWord.word))))
    template = "moderation/words.html" if topic is not None else "admin/words.html"
    return render(template, status, topic=topic, words=words, creators=creators, actions=WATCH_ACTIONS,
                   site_wide=site_wide, topics=moderated_topics(), **extra)


def add_word(topic: Topic | None, endpoint: str, **url_args) -> ResponseReturnValue:
    """Shared by this page and the administrators' site-wide page (topic None)."""
    form = {key: request.form.get(key) or "" for key in WORD_FORM_KEYS}
    try:
        watched = screening.add_watched_word(actor(), form["word"], form["action"], topic,
                                             replacement=form["replacement"])
    except DomainError as err:
        return words_page(topic, err.status, form=form, error=err)
    flash(_("“%(word)s” is now watched (%(action)s).", word=watched.word,
            action=WORD_ACTION_NAMES.get(watched.action, watched.action)), "success")
    return redirect(url_for(endpoint, **url_args))


def remove_word(topic: Topic | None, word_id: int, endpoint: str, **url_args) -> ResponseReturnValue:
    watched = db.session.get(WatchedWord, word_id)
    if watched is None or watched.topic_id != (topic.id if topic else None):
        abort(404)
    word = watched.word
    try:
        screening.remove_watched_word(actor(), watched)
    except DomainError as err:
        return words_page(topic, err.status, error=err)
    flash(_("“%(word)s” is no longer watched.", word=word), "success")
    return redirect(url_for(endpoint, **url_args))


@bp.get("/words")
def words_index() -> ResponseReturnValue:
    """The topics whose watched words this moderator manages."""
    topics = topics_or_403()
    if len(topics) == 1:
        return redirect(url_for("moderation.words", slug=topics[0].slug))
    counts = dict(db.session.execute(select(WatchedWord.topic_id, func.count(WatchedWord.id))
                                     .group_by(WatchedWord.topic_id)).all())
    return render("moderation/words_index.html", topics=topics, counts=counts)


@bp.route("/topics/<slug>/words", methods=["GET", "POST"])
def words(slug: str) -> ResponseReturnValue:
    topic = moderated(get_topic(slug))
    if request.method == "POST":
        return add_word(topic, "moderation.words", slug=topic.slug)
    return words_page(topic)


@bp.post("/topics/<slug>/words/<int:word_id>/remove")
def remove_topic_word(slug: str, word_id: int) -> ResponseReturnValue:
    topic = moderated(get_topic(slug))
    return remove_word(topic, word_id, "moderation.words", slug=topic.slug)


