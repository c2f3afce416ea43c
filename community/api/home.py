"""API routes for the home page's lists (actions.home): latest, unread, unanswered questions
and the caller's questions; upcoming live sessions are GET /api/v1/live. Each answers
`{"threads": [...], "next_cursor"}`, every thread with the caller's read state."""
from __future__ import annotations

from flask import current_app

from ..actions import home
from ..models.base import iso
from .common import bp, cursor_id, cursor_time, decode_cursor, encode_cursor, guardian, page_size
from .reading import threads_with_read_state


def _list(name: str, extra=None):
    limit = page_size(current_app.config["HOME_LIST_SIZE"])
    after = decode_cursor(f"home-{name}", 2)
    cursor = (cursor_time(after[0]), cursor_id(after[1])) if after is not None else None
    page = home.LIST_FUNCTIONS[name](guardian(), cursor=cursor, limit=limit)
    threads = threads_with_read_state(page.threads)
    if extra is not None:
        threads = [{**payload, **extra(thread)} for payload, thread in zip(threads, page.threads, strict=True)]
    following = page.next_cursor
    return {"threads": threads,
            "next_cursor": encode_cursor(f"home-{name}", following[0].isoformat(), following[1]) if following else None}


@bp.get("/home/latest")
def home_latest():
    """Threads across the topics the caller may read, latest activity first."""
    return _list("latest")


@bp.get("/home/unread")
def home_unread():
    """Threads with posts the caller has not read, and new threads, latest activity first."""
    return _list("unread")


@bp.get("/home/unanswered")
def home_unanswered():
    """Questions nobody but the asker has replied to, in the topics the caller watches or
    moderates, oldest first, with `waiting_since` and the asker's `organisation_kind`."""
    return _list("unanswered", lambda t: {"waiting_since": iso(t.created_at),
                                          "organisation_kind": home.organisation_kind(t)})


@bp.get("/home/mine")
def home_mine():
    """The caller's own questions, latest activity first."""
    return _list("mine")
