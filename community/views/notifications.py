"""Notification pages: the signed-in user's notifications, and marking them read.

Marking read goes through actions.notifications.mark_read, which also tells
the user's other open tabs (their personal room) the new unread count.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from .. import notices
from ..actions.notifications import mark_read
from ..auth import protect
from ..errors import NotFound
from ..extensions import db
from ..models import Notification, User
from .accounts import safe_next
from .helpers import actor, guardian

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
protect(bp)


# What a notification says, worded now in the reader's language (notifications are stored as data).
@bp.app_template_global("notice_text")
def notice_text(note):
    return notices.text_of(note, html=True)

PER_PAGE = 30


@bp.route("")
def index() -> ResponseReturnValue:
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    notes = db.paginate(
        select(Notification).where(Notification.user_id == current_user.id)
        .order_by(Notification.id.desc()),
        page=page, per_page=PER_PAGE, error_out=False)
    return render_template("notifications/index.html", notes=notes, people=_named_actors(notes.items))


MAX_FACES = 3  # avatars beside a notification ("Ravi, Mei Ling and 3 others found ...")


def _named_actors(notes) -> dict[int, list[User]]:
    """Per notification, the people it names whose profiles the reader may open (one query for
    the page). An anonymous actor is stored without an id (notices.actor), so it never appears."""
    wanted = {note.id: [a["id"] for a in (note.data or {}).get("actors") or ()
                        if isinstance(a, dict) and isinstance(a.get("id"), int)][:MAX_FACES] for note in notes}
    ids = {i for found in wanted.values() for i in found}
    if not ids:
        return {}
    g = guardian()
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))
             if g.can_view_profile(u)}
    return {note_id: [users[i] for i in found if i in users] for note_id, found in wanted.items()}


@bp.route("/<int:notification_id>/read", methods=["POST"])
def read(notification_id: int) -> ResponseReturnValue:
    note = db.session.get(Notification, notification_id)
    if note is None or note.user_id != current_user.id:
        raise NotFound(_("That notification does not exist."))
    target = safe_next(note.url) or url_for("notifications.index")
    mark_read(actor(), note.id)
    return redirect(target)


@bp.route("/read-all", methods=["POST"])
def read_all() -> ResponseReturnValue:
    changed = mark_read(actor())
    flash(ngettext("Marked %(num)d notification as read.", "Marked %(num)d notifications as read.", changed)
          if changed else _("Everything was already read."), "success")
    return redirect(url_for("notifications.index"))
