"""What every API route shares: who is calling, reading the JSON body, cursors, loading objects.

The caller is signed in by community/auth.py, as for pages and sockets: a personal token
in `Authorization: Bearer ...`, or else the browser session cookie, whose unsafe requests
must also carry the CSRF token in `X-CSRFToken` (`resolve_caller`, a before_request hook
of the `api` blueprint). Routes then ask `caller()` and `guardian()`.
"""
from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from flask import Blueprint, current_app, request
from flask_babel import gettext as _
from flask_login import current_user

from ..actions.posts import get_post
from ..actions.threads import get_thread, get_topic
from ..actions.validate import MAX_ID
from ..auth import by_token, current_guardian, guard
from ..errors import Invalid, NotFound
from ..extensions import csrf
from ..models import Post, Thread, Topic, User
from ..permissions import Guardian, not_found_message
from ..request_limits import clean_json

bp = Blueprint("api", __name__, url_prefix="/api/v1")

MAX_PAGE_SIZE = 100
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


# --- the caller ------------------------------------------------------------------
@bp.before_request
def resolve_caller():
    """Authenticate the request (community/auth.py: a bearer token, or the session cookie);
    answers 401/403 itself. Unsafe calls signed in by the cookie must carry the CSRF token.

    Bodies are limited like every request's (MAX_CONTENT_LENGTH, community/request_limits.py)."""
    if request.method == "OPTIONS" or request.endpoint == "api.openapi":
        return None  # the API's own description is public
    if (answer := guard()) is not None:
        return answer
    if not by_token() and request.method not in SAFE_METHODS and current_app.config.get("WTF_CSRF_ENABLED", True):
        # The blueprint is csrf-exempt because token calls need no CSRF token;
        # a cookie rides along on cross-site requests, so those must prove they
        # come from our pages. CSRFError is a 400 and errors.py answers it as JSON.
        csrf.protect()
    return None


def caller() -> User:
    """The authenticated user of this API request."""
    return current_user._get_current_object()


def guardian() -> Guardian:
    """The Guardian of this API request's caller."""
    return current_guardian()


# --- the JSON body ---------------------------------------------------------------
def json_body(required: bool = True) -> dict[str, Any]:
    """The request's JSON object; an empty body is `{}` when not `required`.

    Parsed here rather than with request.get_json() so that every kind of bad
    input (wrong content type, broken JSON, absurd nesting) is one clear 400.
    """
    raw = request.get_data(cache=True)
    if not raw.strip():
        if required:
            raise Invalid(_('Send a JSON object in the request body, for example {"body": "..."}.'))
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise Invalid(_("The request body is not valid JSON.")) from None
    clean_json(data)  # lone surrogates, absurd nesting: 400, never a 500 further on
    if not isinstance(data, dict):
        raise Invalid(_("The request body must be a JSON object, not %(kind)s.", kind=_json_kind(data)))
    return data


def _json_kind(value) -> str:
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, str):
        return _("a string")
    if isinstance(value, bool):
        return _("true or false")
    if value is None:
        return "null"
    return _("a number")


def optional_text(data: dict, name: str) -> Any:
    """`data[name]`, where a missing value means an empty text (type checks are the action's)."""
    value = data.get(name)
    return "" if value is None else value


# --- pagination ------------------------------------------------------------------
def page_size(default: int) -> int:
    raw = request.args.get("limit")
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 4 and 1 <= int(raw) <= MAX_PAGE_SIZE):
        raise Invalid(_("limit must be a whole number from 1 to %(max)s.", max=MAX_PAGE_SIZE), field="limit")
    return int(raw)


def encode_cursor(kind: str, *values) -> str:
    """An opaque cursor: base64url of a small JSON list tagged with the list's kind."""
    raw = json.dumps([kind, *values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(kind: str, arity: int) -> list | None:
    """The values of `?cursor=` for a list of `kind`, or None when there is no cursor."""
    raw = request.args.get("cursor")
    if not raw:
        return None
    try:
        if len(raw) > 400:
            raise ValueError
        data = json.loads(base64.urlsafe_b64decode((raw + "=" * (-len(raw) % 4)).encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError, RecursionError):
        raise Invalid(_("That cursor is not valid: use the next_cursor of a previous page."), field="cursor") from None
    if not isinstance(data, list) or len(data) != arity + 1 or data[0] != kind:
        raise Invalid(_("That cursor does not belong to this list."), field="cursor")
    return data[1:]


def cursor_id(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_ID:
        raise Invalid(_("That cursor is not valid: use the next_cursor of a previous page."), field="cursor")
    return value


def cursor_time(value) -> datetime:
    try:
        if not isinstance(value, str):
            raise ValueError
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise Invalid(_("That cursor is not valid: use the next_cursor of a previous page."), field="cursor") from None
    if moment.tzinfo is None:
        raise Invalid(_("That cursor is not valid: use the next_cursor of a previous page."), field="cursor")
    return moment


# --- loading what the caller may see ---------------------------------------------
# Refusals say "does not exist" whatever the reason, so an outsider cannot tell a
# private topic's thread from a missing one.
def load_topic(slug: str) -> Topic:
    topic = get_topic(slug)
    if not guardian().can_read_topic(topic):
        raise NotFound(not_found_message("Topic"))
    return topic


def load_thread(thread_id: int) -> Thread:
    thread = get_thread(thread_id) if thread_id <= MAX_ID else None
    if thread is None or not guardian().can_read_thread(thread):
        raise NotFound(not_found_message("Thread"))
    return thread


def load_post(post_id: int) -> Post:
    post = get_post(post_id) if post_id <= MAX_ID else None
    if post is None or not guardian().can_see_post(post):
        raise NotFound(not_found_message("Post"))
    return post
