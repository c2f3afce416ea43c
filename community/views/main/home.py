"""The home page: what is new and what waits for the reader ("what now?"), the live sessions,
and the topics with their unread and new counts.

One list at a time (?tab=latest|unread|unanswered|mine, paged with ?cursor=), each the same
action as its API list (actions.home); every count a constant number of queries for the page.
"""
from __future__ import annotations

from datetime import datetime

from flask import current_app, render_template, request
from flask import g as flask_g
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...actions import home, reading
from ...extensions import db
from ..helpers import guardian
from .blueprint import bp

TABS = {"unread": _l("Unread"), "latest": _l("Latest"), "unanswered": _l("Unanswered questions"),
        "mine": _l("My questions")}


def _cursor_arg(ordered_by: str) -> tuple[datetime, int] | None:
    """?cursor=<ISO time>_<id>: where the previous page of a list stopped."""
    raw = request.args.get("cursor", "")
    moment, _sep, last_id = raw.rpartition("_")
    if not raw or len(raw) > 60 or not (last_id.isascii() and last_id.isdigit() and len(last_id) < 12):
        return None
    try:
        when = datetime.fromisoformat(moment)
    except ValueError:
        return None
    return (when, int(last_id)) if when.tzinfo is not None else None


@bp.get("/", endpoint="home")
def home_page() -> ResponseReturnValue:
    g = guardian()
    g.ensure_use_site()
    topics = db.session.scalars(g.readable_topics()).all()
    readable = [t.id for t in topics]
    # As of the generation this page's validator was taken from (none: the ETag is the page's hash).
    as_of = flask_g.get("page_facts")
    stats = home.topic_stats(readable, as_of=as_of)
    counts = reading.topic_counts(g, as_of=as_of)
    total_unread = sum(unread + new for unread, new in counts.values())
    tab = request.args.get("tab", "")
    if tab not in TABS:
        tab = "unread" if total_unread else "latest"
    ordered_by = "created_at" if tab == "unanswered" else "last_activity_at"
    page = home.LIST_FUNCTIONS[tab](g, cursor=_cursor_arg(ordered_by), limit=current_app.config["HOME_LIST_SIZE"])
    following = page.next_cursor
    sections = [
        ("themes", _("Themes"), [t for t in topics if t.kind != "hub"]),
        ("hubs", _("Regional hubs"), [t for t in topics if t.kind == "hub"]),
    ]
    return render_template(
        "home.html", sections=sections, stats=stats, counts=counts, tabs=TABS, tab=tab, page=page,
        next_cursor=f"{following[0].isoformat()}_{following[1]}" if following else None,
        paged=bool(request.args.get("cursor")), total_unread=total_unread,
        watches_or_moderates=bool(home.watched_or_moderated_topic_ids(g)) if tab == "unanswered" else True,
        organisation_kind=home.organisation_kind)
