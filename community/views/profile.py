"""The profile settings page: one's display name (through the names rule), one's time zone
(every date of the pages, emails and .ics files follows it; a form of its own, so saving one
never touches the other) and when one's anonymous posts and questions were revealed to a
moderator (how many times and when, never by whom: a reveal is a logged act of the topic's
moderators, issue #11).
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from ..actions import accounts, names
from ..actions.moderation import reveals_of
from ..auth import signed_in
from ..dates import zone_choices
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
    return _page(name=name, error=error), status


@bp.post("/settings/profile/timezone")
@signed_in()
def timezone() -> ResponseReturnValue:
    chosen = request.form.get("timezone", "")
    try:
        zone = accounts.set_timezone(actor(), chosen)
    except DomainError as err:  # the page again, with what was chosen and why it was refused
        return _page(zone=chosen, zone_error=err), err.status
    flash(_("Your time zone is saved: %(zone)s.", zone=zone), "success")
    return redirect(url_for("profile.profile") + "#timezone")


def _page(*, name: str | None = None, error: DomainError | None = None, zone: str | None = None,
          zone_error: DomainError | None = None) -> str:
    user = actor()
    zone = (user.timezone or "UTC") if zone is None else zone[:64]
    return render_template("settings/profile.html", name=user.name if name is None else name, error=error,
                           zone=zone, zones=zone_choices(zone), zone_error=zone_error,
                           reveals=_revealed(user))
