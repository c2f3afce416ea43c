"""Writing pages for posts: the reply form fallback, edit, revisions, delete/restore, flag, accept.

Every page loads the post, checks the Guardian (a post the user may not see is
a 404, never a hint that it exists) and calls the same actions as the API and
the sockets. A refused form is shown again with the text kept, the message
shown, and the error's status.
"""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..actions import posts as post_actions
from ..actions.posts import get_post
from ..actions.threads import accept_answer, get_thread
from ..auth import protect
from ..errors import DomainError
from ..extensions import db
from ..models import Post
from ..models.moderation import FLAG_REASONS
from ..payloads import post_fragment
from .helpers import actor, form_bool, guardian
from .main import post_url, render_thread

bp = Blueprint("posts", __name__)
protect(bp)

# The flag form's choices in the reader's language (models.moderation.FLAG_REASONS keeps the keys).
FLAG_REASON_LABELS = {
    "spam": _l("Spam"),
    "off_topic": _l("Off-topic"),
    "abusive": _l("Abusive"),
    "confidential": _l("Confidential information"),
    "other": _l("Other"),
}




def _seen_post(post_id: int) -> Post:
    """The post, or a 404 when it does not exist or this user may not see it."""
    post = get_post(post_id)
    guardian().ensure_see_post(post)
    return post


@bp.get("/posts/<int:post_id>")
def permalink(post_id: int) -> ResponseReturnValue:
    """A stable link to a post: redirects to the page of its thread where it is."""
    post = _seen_post(post_id)
    return redirect(post_url(post, guardian()))


@bp.get("/posts/<int:post_id>/fragment")
def fragment(post_id: int) -> ResponseReturnValue:
    """The post partial rendered for this viewer, in their language (for live inserts)."""
    post = _seen_post(post_id)
    return post_fragment(post, guardian())


@bp.post("/threads/<int:thread_id>/reply")
def reply(thread_id: int) -> ResponseReturnValue:
    thread = get_thread(thread_id)
    guardian().ensure_read_thread(thread)
    composer = {
        "body": request.form.get("body", ""),
        "reply_to": request.form.get("reply_to", ""),
        "anonymous": form_bool("anonymous"),
        "client_id": request.form.get("client_id", ""),
        "language": request.form.get("language", ""),
    }
    try:
        post = post_actions.reply(actor(), thread, composer["body"], reply_to=composer["reply_to"] or None,
                                  anonymous=composer["anonymous"], client_id=composer["client_id"] or None,
                                  language=composer["language"] or None)
    except DomainError as err:
        db.session.rollback()
        return render_thread(thread, composer=composer, error=err, status=err.status)
    if post.state == "held":
        flash(_("Your reply is awaiting review by a moderator. Only you and the moderators can see it "
                "until it is approved."), "info")
    for notice in post_actions.author_notices(post):
        flash(notice["message"], "info")
    return redirect(post_url(post, guardian()))


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
def edit(post_id: int) -> ResponseReturnValue:
    post = _seen_post(post_id)
    g = guardian()
    form = {"body": post.body, "reason": ""}
    error, status = None, 200
    if request.method == "POST":
        form = {"body": request.form.get("body", ""), "reason": request.form.get("reason", "")}
        try:
            post_actions.edit_post(actor(), post, form["body"], form["reason"])
        except DomainError as err:
            db.session.rollback()
            error, status = err, err.status
        else:
            flash(_("Your changes were saved."), "success")
            return redirect(post_url(post, g))
    else:
        g.ensure_edit_post(post)
    return render_template("posts/edit.html", post=post, form=form, error=error,
                           max_chars=current_app.config["POST_MAX_CHARS"]), status


@bp.get("/posts/<int:post_id>/revisions")
def revisions(post_id: int) -> ResponseReturnValue:
    post = _seen_post(post_id)
    g = guardian()
    # Everyone who sees the post sees that (and when, and why) it was edited; the
    # earlier texts only its author and the topic's moderators, since an edit is
    # often made to take something out.
    privileged = g.privileged(post)
    return render_template("posts/revisions.html", post=post, privileged=privileged,
                           revisions=list(reversed(post.revisions)))


@bp.route("/posts/<int:post_id>/delete", methods=["GET", "POST"])
def delete(post_id: int) -> ResponseReturnValue:
    post = _seen_post(post_id)
    g = guardian()
    reason = ""
    error, status = None, 200
    if request.method == "POST":
        reason = request.form.get("reason", "")
        try:
            post_actions.delete_post(actor(), post, reason)
        except DomainError as err:
            db.session.rollback()
            error, status = err, err.status
        else:
            flash(_("The post was deleted. It can be restored from the thread."), "success")
            return redirect(post_url(post, g))
    else:
        g.ensure_delete_post(post)
    return render_template("posts/delete.html", post=post, reason=reason, error=error,
                           is_moderator=g.is_moderator(post.thread.topic)), status


@bp.post("/posts/<int:post_id>/restore")
def restore(post_id: int) -> ResponseReturnValue:
    post = _seen_post(post_id)
    try:
        post_actions.restore_post(actor(), post, request.form.get("reason", ""))
    except DomainError as err:
        db.session.rollback()
        return render_thread(post.thread, error=err, status=err.status)
    flash(_("The post was restored."), "success")
    return redirect(post_url(post, guardian()))


@bp.route("/posts/<int:post_id>/flag", methods=["GET", "POST"])
def flag(post_id: int) -> ResponseReturnValue:
    post = _seen_post(post_id)
    g = guardian()
    form = {"reason": request.form.get("reason", ""), "note": request.form.get("note", "")}
    error, status = None, 200
    refusal = g.why_not_flag(post)
    if refusal is not None:
        status = 403
    elif request.method == "POST":
        try:
            post_actions.flag_post(actor(), post, form["reason"] or None, form["note"])
        except DomainError as err:
            db.session.rollback()
            error, status = err, err.status
        else:
            flash(_("Thank you. The moderators of this topic will look at the post."), "success")
            return redirect(url_for("main.thread", thread_id=post.thread_id))
    return render_template("posts/flag.html", post=post, form=form, error=error, refusal=refusal,
                           reasons={key: FLAG_REASON_LABELS.get(key, label) for key, label in FLAG_REASONS.items()}), status


@bp.post("/threads/<int:thread_id>/accept")
def accept(thread_id: int) -> ResponseReturnValue:
    thread = get_thread(thread_id)
    g = guardian()
    g.ensure_read_thread(thread)
    post_id = request.form.get("post_id", "")
    try:
        accept_answer(actor(), thread, post_id or None)
    except DomainError as err:
        db.session.rollback()
        return render_thread(thread, error=err, status=err.status)
    if thread.accepted_post_id is None:
        flash(_("The answer is no longer marked as accepted."), "success")
        return redirect(url_for("main.thread", thread_id=thread.id))
    flash(_("The answer is marked as accepted."), "success")
    return redirect(post_url(db.session.get(Post, thread.accepted_post_id), g))
