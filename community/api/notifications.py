"""API routes for the caller's own notifications: list (newest first) and mark read."""
from __future__ import annotations

from flask import request
from flask_babel import gettext as _
from sqlalchemy import select

from ..actions import validate
from ..actions.notifications import mark_read, notification_payload, unread_count
from ..errors import Invalid, NotFound
from ..extensions import db
from ..models import Notification
from .common import bp, caller, cursor_id, decode_cursor, encode_cursor, json_body, page_size

NOTIFICATIONS_PER_PAGE = 30


@bp.get("/notifications")
def list_notifications():
    """`?unread=1` for unread ones only; `?limit=` / `?cursor=` pages, newest first."""
    user = caller()
    limit = page_size(NOTIFICATIONS_PER_PAGE)
    unread_only = request.args.get("unread", "")
    if unread_only not in ("", "0", "1", "true", "false"):
        raise Invalid(_("unread must be 1 or 0."), field="unread")
    query = select(Notification).where(Notification.user_id == user.id)
    if unread_only in ("1", "true"):
        query = query.where(Notification.read_at.is_(None))
    after = decode_cursor("notifications", 1)
    if after is not None:
        query = query.where(Notification.id < cursor_id(after[0]))
    rows = list(db.session.scalars(query.order_by(Notification.id.desc()).limit(limit + 1)))
    page, more = rows[:limit], len(rows) > limit
    return {
        "notifications": [notification_payload(n) for n in page],
        "unread": unread_count(user),
        "next_cursor": encode_cursor("notifications", page[-1].id) if more else None,
    }


@bp.post("/notifications/read")
def read_notifications():
    """Mark one notification (`{"id": n}`) or, with no id, all of them read."""
    user = caller()
    data = json_body(required=False)
    note_id = validate.optional_id(data.get("id"), "id")
    if note_id is not None and db.session.scalar(
        select(Notification.id).where(Notification.id == note_id, Notification.user_id == user.id)
    ) is None:
        raise NotFound(_("That notification does not exist."))
    changed = mark_read(user, note_id)
    return {"marked": changed, "unread": unread_count(user)}
