"""Writing pages for posts: the reply form fallback, edit, revisions, delete/restore, flag, accept;
and the blanks a thread page fills with the posts that arrive live.

Every page loads the post, checks the Guardian (a post the user may not see is
a 404, never a hint that it exists) and calls the same actions as the API and
the sockets. A refused form is shown again with the text kept, the message
shown, and the error's status.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

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
from ..files.names import attachments_payload
from ..models import Post, Thread, utcnow
from ..models.moderation import FLAG_REASONS
from ..models.reaction import REACTION_KINDS
from ..payloads import privileged
from ..permissions import Guardian
from ..request_limits import allow_body
from .attachments import accept_list, file_types_help, form_body_limit, kept_files, kept_ids, take_files
from .helpers import actor, form_bool, guardian, int_arg
from .main import MAX_DEPTH, post_url, render_thread

bp = Blueprint("posts", __name__)
protect(bp)
bp.add_app_template_global(privileged, "post_privileged")
bp.add_app_template_global(kept_files, "kept_files")
bp.add_app_template_global(accept_list, "file_accept")
bp.add_app_template_global(file_types_help, "file_types_help")

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


@bp.post("/threads/<int:thread_id>/reply")
@allow_body(form_body_limit)
def reply(thread_id: int) -> ResponseReturnValue:
    thread = get_thread(thread_id)
    guardian().ensure_read_thread(thread)
    composer = {
        "body": request.form.get("body", ""),
        "reply_to": request.form.get("reply_to", ""),
        "anonymous": form_bool("anonymous"),
        "client_id": request.form.get("client_id", ""),
        "language": request.form.get("language", ""),
        "attachments": kept_ids(),
    }
    try:
        guardian().ensure_reply(thread)  # before storing any file
        files = take_files(composer)
        post = post_actions.reply(actor(), thread, composer["body"], reply_to=composer["reply_to"] or None,
                                  anonymous=composer["anonymous"], client_id=composer["client_id"] or None,
                                  language=composer["language"] or None, attachments=files)
    except DomainError as err:
        return render_thread(thread, composer=composer, error=err, status=err.status)
    if post.state == "held":
        flash(_("Your reply is awaiting review by a moderator. Only you and the moderators can see it "
                "until it is approved."), "awaiting")
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
        was = post.state
        try:
            post_actions.edit_post(actor(), post, form["body"], form["reason"])
        except DomainError as err:
            error, status = err, err.status
        else:
            if was == "hidden" and post.state == "held":
                flash(_("Your changes were saved and the post is back with the moderators. You will be told "
                        "when they have looked at it."), "success")
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
    return render_template("posts/revisions.html", post=post, privileged=g.privileged(post),
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
        return render_thread(post.thread, error=err, status=err.status)
    flash(_("The post was restored."), "success")
    return redirect(post_url(post, guardian()))


@bp.route("/posts/<int:post_id>/flag", methods=["GET", "POST"])
def flag(post_id: int) -> ResponseReturnValue:
    post = _seen_post(post_id)
    g = guardian()
    form = {"reason": request.form.get("reason", ""), "note": request.form.get("note", "")}
    # Flagging one file of the post: ?file=<id> on the way in, a hidden field on the way back.
    file = _file_of(post, int_arg("file") if request.method == "GET" else _form_id("file"))
    error, status = None, 200
    refusal = g.why_not_flag(post)
    if refusal is not None:
        status = 403
    elif request.method == "POST":
        try:
            post_actions.flag_post(actor(), post, form["reason"] or None, form["note"],
                                   upload_id=request.form.get("file") or None)
        except DomainError as err:
            error, status = err, err.status
        else:
            flash(_("Thank you. The moderators of this topic will look at the file.") if file else
                  _("Thank you. The moderators of this topic will look at the post."), "success")
            return redirect(url_for("main.thread", thread_id=post.thread_id))
    reasons = {key: FLAG_REASON_LABELS.get(key, label) for key, label in FLAG_REASONS.items()}
    return render_template("posts/flag.html", post=post, form=form, error=error, refusal=refusal,
                           reasons=reasons, file=file), status


def _form_id(name: str) -> int | None:
    value = request.form.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


def _file_of(post: Post, upload_id: int | None) -> dict | None:
    if upload_id is None:
        return None
    return next((f for f in attachments_payload(post, guardian()) if f["id"] == upload_id), None)


@bp.post("/threads/<int:thread_id>/accept")
def accept(thread_id: int) -> ResponseReturnValue:
    thread = get_thread(thread_id)
    g = guardian()
    g.ensure_read_thread(thread)
    post_id = request.form.get("post_id", "")
    try:
        accept_answer(actor(), thread, post_id or None)
    except DomainError as err:
        return render_thread(thread, error=err, status=err.status)
    if thread.accepted_post_id is None:
        flash(_("The answer is no longer marked as accepted."), "success")
        return redirect(url_for("main.thread", thread_id=thread.id))
    flash(_("The answer is marked as accepted."), "success")
    return redirect(post_url(db.session.get(Post, thread.accepted_post_id), g))


# --- live posts: the blanks a thread page fills ---------------------------------------------
# A post that arrives live (a room event, or the ack of one's own reply) is data: the post
# object of the API. The thread page renders it with the same partial as the first render,
# templates/partials/post.html, rendered here for stand-in posts into <template> blanks, in
# the reader's language and with the controls the Guardian gives this reader on such a post.
# static/js/posts.js picks the blank for the post's kind, puts the post's id where
# BLANK_ID stands and fills in the rest. Nobody asks the server for a fragment.
BLANK_ID = 9007199254740991  # 2**53 - 1: no post has this id, and JavaScript holds it exactly
BLANK_LANGUAGE = "und"  # "undetermined" (ISO 639-2): the blank shows a language badge to fill


@dataclass
class BlankPost:
    """A stand-in post with what the partial and the Guardian read of a Post. No `topic` and
    no `session_id`: the Guardian tells what an object is by those (permissions._identity_kind)."""

    thread: Thread
    author: Any
    author_id: int
    anonymous: bool
    state: str
    is_opening: bool
    created_at: datetime
    id: int = BLANK_ID
    html: str = ""
    language: str = BLANK_LANGUAGE
    state_reason: str = ""
    state_cause: str | None = None
    is_rejected: bool = False
    deleted_from: str | None = None
    is_blank: bool = True  # no reactions or bookmark of the reader's to look up

    @property
    def reaction_counts(self) -> dict[str, int]:
        return dict.fromkeys(REACTION_KINDS, 0)

    def __post_init__(self) -> None:
        self.thread_id = self.thread.id
        self.reply_to_id = BLANK_ID - 1
        self.edited_at = self.created_at  # the blank has the "edited" mark; unedited posts drop it
        # What "in reply to …" says; posts.js fills in the post it answers, or drops it.
        self.reply_note = {"post_id": BLANK_ID - 1, "name": "…"}


class _AsIf:
    """`obj` with some attributes changed, for asking the Guardian "what if" (locked or not)."""

    def __init__(self, obj: Any, **changes: Any):
        self._obj, self._changes = obj, changes

    def __getattr__(self, name: str) -> Any:
        return self._changes[name] if name in self._changes else getattr(self._obj, name)


def _blank_kinds(thread: Thread, g: Guardian, opening_missing: bool) -> list[tuple[str, bool, bool, str, bool]]:
    """(key, mine, anonymous, state, opening) of the posts this page may be handed live: anyone's
    visible replies; one's own replies, visible or awaiting review, when one may reply; anonymous
    ones where the topic allows them; an opening post where the page shows it missing."""
    kinds = []
    anonymities = [False, True] if thread.topic.allow_anonymous else [False]
    for anonymous in anonymities:
        kinds.append((False, anonymous, "visible", False))
        if opening_missing:
            kinds.append((False, anonymous, "visible", True))
    if g.can_reply(thread):
        for anonymous in anonymities:
            if anonymous and not g.can_post_anonymously(thread.topic):
                continue
            kinds += [(True, anonymous, "visible", False), (True, anonymous, "held", False)]
    return [("-".join(["mine" if mine else "other", "anonymous" if anonymous else "named", state]
                      + (["opening"] if opening else [])), mine, anonymous, state, opening)
            for mine, anonymous, state, opening in kinds]


@bp.app_template_global("live_posts")
def live_posts(thread: Thread, g: Guardian, opening_missing: bool = False) -> SimpleNamespace:
    """What thread.html needs to show posts live: the blanks, and the rules the page's script
    applies as they change (may this reader reply when the thread is open / locked; how deep
    replies nest), each answered here by the Guardian or the view, never restated in JavaScript."""
    # A fixed time: the script writes the real one in (posts.js), and the page's bytes (its
    # ETag, views/revalidation.py) then stay the same from one rendering to the next.
    now = utcnow().replace(year=2000, month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    nobody = SimpleNamespace(id=0, name="", role="supplier", organisation=SimpleNamespace(name=""),
                             avatar_colour=None)
    blanks = []
    for key, mine, anonymous, state, opening in _blank_kinds(thread, g, opening_missing):
        author = g.user if mine else nobody
        blanks.append((key, BlankPost(thread=thread, author=author, author_id=author.id, anonymous=anonymous,
                                      state=state, is_opening=opening, created_at=now)))
    return SimpleNamespace(
        blanks=blanks, blank_id=BLANK_ID,
        may_reply_open=g.can_reply(_AsIf(thread, locked=False)),
        may_reply_locked=g.can_reply(_AsIf(thread, locked=True)),
        max_depth=MAX_DEPTH,
    )
