"""The profile settings page: one's display name (through the names rule) and when one's
anonymous posts and questions were revealed to a moderator (how many times and when, never
by whom: a reveal is a logged act of the topic's moderators, issue #11).
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from ..actions import names
from ..actions.moderation import reveals_of
from ..auth import signed_in
from ..errors import DomainError
from ..extensions import db
from ..models import LiveQuestion, Post
from .helpers import actor

bp = Blueprint("profile", __name__)


def _revealed(user) -> list[dict]:
    """The user's reveals, newest first: when, and which of their posts or questions."""
    rows = reveals_of(user)
    posts = {p.id: p for p in db.session.scalars(
        select(Post).where(Post.id.in_([r.target_id for r in rows if r.target_type == "post"] or [0])))}
    questions = {q.id: q for q in db.session.scalars(
        select(LiveQuestion).where(LiveQuestion.id.in_([r.target_id for r in rows if r.target_type == "live_question"]
                                                       or [0])))}
    found = []
    for row in rows:  # the revealer and the reason are not the author's to see
        if row.target_type == "post" and row.target_id in posts:
            post = posts[row.target_id]
            found.append({"at": row.created_at, "kind": "post", "title": post.thread.title,
                          "url": f"/threads/{post.thread_id}#post-{post.id}"})
        elif row.target_type == "live_question" and row.target_id in questions:
            question = questions[row.target_id]
            found.append({"at": row.created_at, "kind": "question", "title": question.session.title,
                          "url": f"/live/{question.session_id}#q-{question.id}"})
    return found


@bp.route("/settings/profile", methods=["GET", "POST"])
@signed_in()
def profile() -> ResponseReturnValue:
    name, error, status = actor().name, None, 200
    if request.method == "POST":
        name = request.form.get("name", "")
        try:
            names.rename(actor(), name)
        except DomainError as err:
            error, status = err, err.status
        else:
            flash(_("Your name is saved."), "success")
            return redirect(url_for("profile.profile"))
    return render_template("settings/profile.html", name=name, error=error,
                           reveals=_revealed(actor())), status
