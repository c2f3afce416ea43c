"""HTTP revalidation (ETag / 304) for the pages people re-read: home, a topic, a thread.

The ETag is a hash of what this reader was just sent, taken after rendering: the reader's
id, locale and time zone, and the page's bytes less the values that change on every
rendering without changing the page (the CSRF token, the composer's fresh client id; see
`volatile()`). A 304 therefore only ever tells a browser that the copy it already holds is
what it would be sent now; a page rendered for another reader, locale or set of permissions
has another ETag (the reader's id is in the hash even when two readers' pages are the same
bytes). It saves the transfer and the browser's work, not the server's rendering.

Such pages are `Cache-Control: private, no-cache` (the browser keeps its copy but asks each
time; shared caches keep nothing) instead of `no-store`; signing out sends
`Clear-Site-Data: "cache"`, so nothing a signed-in reader saw stays in the browser's cache.
"""
from __future__ import annotations

import hashlib

from flask import Flask, Response, current_app, g, request
from flask_babel import get_locale, get_timezone
from flask_login import current_user

REVALIDATED = frozenset({"main.home", "main.topic", "main.thread"})


def volatile(value: str) -> str:
    """Mark a value rendered into this page that changes on every rendering without changing
    what the page says (left out of its ETag); returns it."""
    if value:
        g.setdefault("_volatile_values", []).append(value)
    return value


def page_etag(body: bytes) -> str:
    for value in g.get("_volatile_values", ()):
        body = body.replace(value.encode(), b"")
    # Flask-WTF's signed token of this rendering (time-stamped, so new every second)
    token = g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    if token:
        body = body.replace(token.encode(), b"")
    reader = current_user.get_id() if current_user.is_authenticated else "-"
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{reader}\0{get_locale()}\0{get_timezone()}\0".encode())
    digest.update(body)
    return digest.hexdigest()


def _revalidate(response: Response) -> Response:
    if (request.method != "GET" or response.status_code != 200 or request.endpoint not in REVALIDATED
            or response.direct_passthrough or response.mimetype != "text/html"):
        return response
    response.set_etag(page_etag(response.get_data()))
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("Cookie")
    response.vary.add("Accept-Language")
    return response.make_conditional(request)


def init_app(app: Flask) -> None:
    # after_request hooks run last-registered first: this one, registered before the app's
    # security headers (community/__init__.py), runs after them and replaces their no-store.
    app.after_request(_revalidate)
