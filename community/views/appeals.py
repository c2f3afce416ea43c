"""Appeal pages: the author of a hidden or rejected post appeals the decision
(/posts/<id>/appeal), and the topic's moderators decide appeals (/moderation/appeals).

Thin like every view: the form goes to actions.appeals, which checks the Guardian again,
writes the audit rows and tells whoever must know. Also the template globals that word a
post's state and an appeal for its author (community/post_states.py).
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from .. import events, post_states
from ..actions import appeals
from ..actions.posts import get_post
from ..auth import protect
from ..errors import DomainError, Forbidden
from ..extensions import db
from ..models import ModerationAction, Post
from .helpers import actor, guardian
from .main import post_url

bp = Blueprint("appeals", __name__)

DECIDED_SHOWN = 20  # recently settled appeals listed under the open ones


protect(bp)


# --- for templates ------------------------------------------------------------------------------
@bp.app_template_global("post_state_note")
def post_state_note(post: Post):
    return post_states.state_note(post, html=True)


@bp.app_template_global("post_appeal")
def post_appeal(post: Post, viewer) -> dict | None:
    """For the author's view (`viewer`: their Guardian) of a hidden post: its latest appeal
    worded, and whether they may appeal now."""
    user = viewer.user if viewer is not None else None
    if user is None or post.author_id != user.id or post.state != "hidden":
        return None
    latest = appeals.latest_appeal(post)
    shown = latest if latest is not None and latest.state in ("open", "upheld") else None
    can_appeal, can_edit = appeals.can_file(user, post), viewer.can_edit_post(post)
    return {"note": post_states.appeal_note(shown, html=True) if shown else "",
            "can_appeal": can_appeal, "can_edit": can_edit,
            # What they can do now: the words offer only the buttons shown below them.
            "options": post_states.author_options(post, can_edit, can_appeal, shown.state if shown else None)}


# --- the author ---------------------------------------------------------------------------------
@bp.route("/posts/<int:post_id>/appeal", methods=["GET", "POST"])
def appeal(post_id: int) -> ResponseReturnValue:
    post = get_post(post_id)
    g = guardian()
    g.ensure_see_post(post)
    form = {"note": request.form.get("note", "")}
    error, status = None, 200
    refusal = g.why_not_appeal(post) or appeals.why_not_file(post)
    if refusal is not None:
        status = 403 if g.why_not_appeal(post) else 409
    elif request.method == "POST":
        try:
            appeals.file_appeal(actor(), post, form["note"])
        except DomainError as err:
            error, status = err, err.status
        else:
            flash(_("Your appeal is with the moderators of this topic. You will be told their decision and why."),
                  "success")
            return redirect(post_url(post, g))
    decision = appeals.latest_decision(post)
    return render_template("posts/appeal.html", post=post, form=form, error=error, refusal=refusal,
                           decided_at=decision.created_at if decision else None,
                           max_chars=appeals.NOTE_MAX_CHARS), status


# --- the moderators -----------------------------------------------------------------------------
@bp.get("/moderation/appeals")
def queue() -> ResponseReturnValue:
    return _queue_page()


def _queue_page(*, error: DomainError | None = None, failed: int | None = None, form: dict | None = None,
                status: int = 200) -> ResponseReturnValue:
    """The appeals page; a refused decision is shown at its appeal with what was typed kept."""
    g = guardian()
    if not g.moderates_any:
        raise Forbidden(_("Only topic moderators can use the review tools."))
    # Each moderators' room's cursor read BEFORE the appeals: one filed in between is then
    # replayed to the page's socket (static/js/appeals.js) instead of being missed.
    cursors = {f"mods:{topic.slug}": events.latest_cursor(f"mods:{topic.slug}")
               for topic in db.session.scalars(g.moderated_topics())}
    open_ones = appeals.appeals_to_decide(actor())
    settled = [a for a in appeals.appeals_to_decide(actor(), state=None, limit=DECIDED_SHOWN + len(open_ones))
               if a.state != "open"][:DECIDED_SHOWN]
    return render_template("moderation/appeals.html", open_appeals=open_ones, settled=settled, rooms=cursors,
                           decisions=_decisions(open_ones + settled), state_word=appeals.appeal_state_word,
                           error=error, failed=failed, form=form or {}), status


def _decisions(items) -> dict[int, ModerationAction]:
    ids = {a.decision_id for a in items if a.decision_id}
    if not ids:
        return {}
    rows = db.session.scalars(db.select(ModerationAction).where(ModerationAction.id.in_(ids)))
    return {row.id: row for row in rows}


@bp.post("/moderation/appeals/<int:appeal_id>")
def decide(appeal_id: int) -> ResponseReturnValue:
    item = appeals.get_appeal(appeal_id)
    guardian().ensure_see_appeal(item)
    form = {"decision": request.form.get("decision", ""), "reason": request.form.get("reason", "")}
    try:
        appeals.decide_appeal(actor(), item, form["decision"] or None, form["reason"])
    except DomainError as err:
        return _queue_page(error=err, failed=appeal_id, form=form, status=err.status)
    decision = form["decision"]
    flash(_("Appeal upheld: the post stays hidden, and its author was told why.") if decision == "uphold" else
          _("Appeal accepted: the post is visible again, and its author was told why."), "success")
    return redirect(url_for("appeals.queue"))
