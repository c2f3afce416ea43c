"""Read state on pages: opening a thread at its first unread post, and "Mark all read" for a
topic or everywhere (plain forms: they work without JavaScript). The thread page itself
records what it showed (views/main/threads.py render_thread, through actions.reading)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from markupsafe import Markup

from ..actions import reading
from ..actions.threads import get_thread, get_topic
from ..auth import protect
from ..extensions import db
from ..models import Post
from .accounts import safe_next
from .helpers import actor, bdi, guardian
from .main import page_of

bp = Blueprint("reading", __name__)
protect(bp)  # signed in, with an account the Guardian admits


@bp.get("/threads/<int:thread_id>/unread")
def first_unread(thread_id: int) -> ResponseReturnValue:
    """To the first post the reader has not read (with the "new since your last visit" line
    above it); a thread never opened starts at the top, one read to the end at its last page."""
    thread = get_thread(thread_id)
    g = guardian()
    g.ensure_read_thread(thread)
    state = reading.state_of(g.user, thread)
    post_id = reading.first_unread_post_id(g.user, thread, state)
    if post_id is None:
        if state.tracked:
            return redirect(url_for("main.thread_last", thread_id=thread.id))
        return redirect(url_for("main.thread", thread_id=thread.id))
    post = db.session.get(Post, post_id)
    return redirect(url_for("main.thread", thread_id=thread.id, page=page_of(post, g)) + "#new-since")


@bp.post("/t/<slug>/read")
def mark_topic_read(slug: str) -> ResponseReturnValue:
    topic = get_topic(slug)
    reading.mark_topic_read(actor(), topic)
    flash(Markup(_("Everything in %(topic)s is marked read.", topic=bdi(topic.name))), "success")
    return redirect(safe_next(request.form.get("next")) or url_for("main.topic", slug=topic.slug))


@bp.post("/read")
def mark_all_read() -> ResponseReturnValue:
    reading.mark_all_read(actor())
    flash(_("Everything is marked read."), "success")
    return redirect(safe_next(request.form.get("next")) or url_for("main.home"))
