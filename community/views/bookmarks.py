"""The Bookmarks page, and the forms that save, change and remove a bookmark without JavaScript.

Every form calls the same actions as the API (community/actions/bookmarks.py). A refused
form comes back with its words kept and the reason shown. A reminder time typed in the
form is the reader's own time (their time zone), as the page shows it.
"""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from .. import dates
from ..actions import validate
from ..actions.bookmarks import (
    NOTE_MAX_CHARS,
    bookmark_of,
    get_bookmark,
    list_bookmarks,
    remove_bookmark,
    save_bookmark,
    update_bookmark,
    visible,
)
from ..actions.posts import get_post
from ..actions.threads import get_thread
from ..auth import protect
from ..authors import public_name
from ..errors import DomainError, Invalid, NotFound
from ..mail import excerpt
from .accounts import safe_next
from .helpers import actor, guardian

bp = Blueprint("bookmarks", __name__)
protect(bp)

PER_PAGE = 30
EXCERPT_CHARS = 280




def local_input(value: datetime | None) -> str:
    """A stored UTC time as a datetime-local field's value, in the reader's time zone."""
    if value is None:
        return ""
    return dates.aware(value).astimezone(dates.viewer_zone()).strftime("%Y-%m-%dT%H:%M")


def _entry(bookmark) -> dict:
    post = bookmark.post
    return {"bookmark": bookmark, "thread": bookmark.target_thread, "post": post,
            "author": public_name(post) if post is not None else public_name(bookmark.target_thread),
            "excerpt": excerpt(post, EXCERPT_CHARS) if post is not None else "",
            "remind_input": local_input(bookmark.remind_at)}


@bp.get("/bookmarks")
def index(error: DomainError | None = None, form: dict | None = None, status: int = 200) -> ResponseReturnValue:
    before = validate.as_id(request.args.get("before"))
    rows, following = list_bookmarks(actor(), before_id=before, limit=PER_PAGE)
    return render_template("bookmarks/index.html", entries=[_entry(b) for b in rows], following=following,
                           first_page=before is None, error=error, form=form or {},
                           note_max=NOTE_MAX_CHARS), status


def _target():
    """The post (?post_id=) or thread (?thread_id=) a save form is about, if the reader may see it."""
    source = request.form if request.method == "POST" else request.args
    post_id = validate.as_id(source.get("post_id"))
    thread_id = validate.as_id(source.get("thread_id"))
    if (post_id is None) == (thread_id is None):
        raise Invalid(_("Say what to save: a post (post_id) or a thread (thread_id)."), field="post_id")
    target = get_post(post_id) if post_id is not None else get_thread(thread_id)
    guardian().ensure_bookmark(target)
    return (target, None) if post_id is not None else (None, target)


@bp.route("/bookmarks/new", methods=["GET", "POST"])
def new() -> ResponseReturnValue:
    """Save a post or a thread with an optional note and reminder (already saved: change them).
    Back to `next` (the page the link was on) once saved."""
    post, thread = _target()
    existing = bookmark_of(actor(), post=post, thread=thread)
    back = safe_next(request.values.get("next")) or (url_for("posts.permalink", post_id=post.id) if post is not None
                                                     else url_for("main.thread", thread_id=thread.id))
    form = {"note": existing.note if existing else "",
            "remind_at": local_input(existing.remind_at) if existing else "", "next": back}
    error, status = None, 200
    if request.method == "POST":
        form.update(note=request.form.get("note", ""), remind_at=request.form.get("remind_at", ""))
        try:
            _bookmark, created = save_bookmark(actor(), post=post, thread=thread, note=form["note"],
                                               remind_at=form["remind_at"])
        except DomainError as err:
            error, status = err, err.status
        else:
            flash(_("Saved to your bookmarks.") if created else _("Your bookmark is updated."), "success")
            return redirect(back)
    return render_template("bookmarks/new.html", post=post, thread=thread or post.thread, existing=existing,
                           form=form, error=error, note_max=NOTE_MAX_CHARS,
                           author=public_name(post) if post is not None else None,
                           excerpt=excerpt(post, EXCERPT_CHARS) if post is not None else ""), status


@bp.post("/bookmarks/<int:bookmark_id>")
def change(bookmark_id: int) -> ResponseReturnValue:
    bookmark = get_bookmark(actor(), bookmark_id)
    if not visible(guardian(), bookmark):
        raise NotFound(_("That bookmark does not exist."))
    form = {"id": bookmark.id, "note": request.form.get("note", ""), "remind_at": request.form.get("remind_at", "")}
    try:
        update_bookmark(actor(), bookmark, note=form["note"], remind_at=form["remind_at"] or None)
    except DomainError as err:
        return index(error=err, form=form, status=err.status)
    flash(_("Your bookmark is updated."), "success")
    return redirect(url_for("bookmarks.index") + f"#bookmark-{bookmark.id}")


@bp.post("/bookmarks/<int:bookmark_id>/delete")
def delete(bookmark_id: int) -> ResponseReturnValue:
    remove_bookmark(actor(), get_bookmark(actor(), bookmark_id))
    flash(_("The bookmark is removed."), "success")
    return redirect(safe_next(request.form.get("next")) or url_for("bookmarks.index"))
