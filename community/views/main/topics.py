"""A topic's threads (filters, languages, pages), starting a thread."""
from __future__ import annotations

import math
import uuid

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ... import events
from ...actions import reading
from ...actions.posts import author_notices
from ...actions.threads import get_topic, start_thread
from ...authors import translated_label
from ...errors import DomainError
from ...extensions import db
from ...models import Post, Thread, Topic
from ...models.thread import THREAD_KINDS
from ...permissions import Guardian
from ..helpers import actor, form_bool, guardian, int_arg, lang_arg, languages_present
from .blueprint import bp

THREAD_FILTERS = {"all": _l("All"), "questions": _l("Questions"), "unanswered": _l("Unanswered")}
STARTABLE_KINDS = [k for k in THREAD_KINDS if k != "archive"]


@bp.get("/t/<slug>")
def topic(slug: str) -> ResponseReturnValue:
    g = guardian()
    topic = get_topic(slug)
    g.ensure_read_topic(topic)
    current = request.args.get("filter", "all")
    if current not in THREAD_FILTERS:
        current = "all"
    # Held threads: only their authors and the moderators see them (the Guardian's scope).
    query = g.readable_threads(select(Thread), topic)
    if current in ("questions", "unanswered"):
        query = query.where(Thread.kind == "question")
    if current == "unanswered":
        query = query.where(Thread.accepted_post_id.is_(None))
    # The filter lists the languages of the opening posts of the threads this reader sees.
    languages = languages_present(select(Post.language).where(
        Post.is_opening.is_(True), Post.thread_id.in_(query.with_only_columns(Thread.id))))
    lang = lang_arg()
    if lang:
        query = query.where(Thread.id.in_(
            select(Post.thread_id).where(Post.is_opening.is_(True), Post.language == lang)))
    per = current_app.config["THREADS_PER_PAGE"]
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, math.ceil(total / per))
    page = min(max(int_arg("page") or 1, 1), pages)
    threads = db.session.scalars(
        query.order_by(Thread.pinned.desc(), Thread.last_activity_at.desc(), Thread.id.desc())
        .offset((page - 1) * per).limit(per)
    ).all()
    reads = reading.states_for(g.user, threads)
    return render_template(
        "topic.html", topic=topic, threads=threads, reads=reads,
        anything_unread=any(r.unread or r.new for r in reads.values()), filters=THREAD_FILTERS, current_filter=current,
        page=page, pages=pages, total=total, is_moderator=g.is_moderator(topic),
        cursor=events.latest_cursor(f"topic:{topic.slug}"), lang_filter=lang, languages=languages,
    )


def _kinds_allowed(topic: Topic, g: Guardian) -> list[str]:
    return [k for k in STARTABLE_KINDS if g.can_start_thread(topic, k)]


@bp.route("/t/<slug>/new", methods=["GET", "POST"])
def new_thread(slug: str) -> ResponseReturnValue:
    g = guardian()
    topic = get_topic(slug)
    g.ensure_read_topic(topic)
    g.ensure_start_thread(topic)
    form = {"title": "", "kind": request.args.get("kind", "discussion"), "body": "", "tags": "",
            "anonymous": False, "client_id": uuid.uuid4().hex}
    error = None
    status = 200
    if request.method == "POST":
        form = {
            "title": request.form.get("title", ""),
            "kind": request.form.get("kind", "discussion"),
            "body": request.form.get("body", ""),
            "tags": request.form.get("tags", ""),
            "anonymous": form_bool("anonymous"),
            "client_id": request.form.get("client_id", "") or uuid.uuid4().hex,
            "language": request.form.get("language", ""),
        }
        try:
            thread, post = start_thread(actor(), topic, title=form["title"], body=form["body"],
                                        kind=form["kind"], anonymous=form["anonymous"],
                                        tags=form["tags"], client_id=form["client_id"],
                                        language=form["language"] or None)
        except DomainError as err:
            error, status = err, err.status
        else:
            if post.state == "held":
                flash(_("Your thread is awaiting review by a moderator. Only you and the moderators "
                        "can see it until it is approved."), "awaiting")
            for notice in author_notices(post):
                flash(notice["message"], "info")
            return redirect(url_for("main.thread", thread_id=thread.id))
    return render_template("new_thread.html", topic=topic, form=form, error=error,
                           kinds=_kinds_allowed(topic, g),
                           can_anonymous=g.can_post_anonymously(topic),
                           anon_label=str(translated_label(g.user)),
                           max_chars=current_app.config["POST_MAX_CHARS"],
                           max_title=current_app.config["TITLE_MAX_CHARS"]), status
