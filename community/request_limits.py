"""Limits on what one request may send, checked before the app reads it.

- **Body size.** MAX_CONTENT_LENGTH bytes (config; default 512 KB) for every request,
  answered 413 before the body is read: at once when Content-Length says so, and
  as soon as a chunked body (no Content-Length) goes past it. A view that takes
  larger bodies (file uploads) says so with `@allow_body(bytes)`; the limit is
  decided per endpoint, before CSRF or any view reads the form. Socket.IO messages
  have the same limit (engineio's max_http_buffer_size, set in create_app).
- **Chunked bodies** (no Content-Length) are read here, up to the limit and one byte
  more: over it, 413; within it, the app reads them like any other body (werkzeug
  would otherwise treat them as empty under eventlet.wsgi, or cut them silently at
  the limit). And a body left unread is never read to its end by eventlet just to
  keep the connection open (it would read all 50 MB of a refused upload): the
  connection is closed after the answer instead.
- **Ids in URLs.** The `int` converter takes 1..2**31-1 (the id columns' range), so
  /threads/99999999999999999999 is a 404 like any thread that does not exist.
- **Text that cannot be stored.** `clean_json(value)` refuses lone surrogates
  ("\\ud800" is valid JSON but not text a database can hold) and absurd nesting,
  for the API's bodies and socket events alike.
"""
from __future__ import annotations

import io
import socket
from collections.abc import Callable
from typing import Any

from flask import Flask, request
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import IntegerConverter

from .errors import Invalid
from .models.base import MAX_ID

# A body with more than this left unread closes the connection rather than being read
# (and thrown away) by the server to keep the connection alive: a refused 1 MB post is
# drained (the client may reuse its connection), a refused 50 MB one is not.
DRAIN_MAX_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 20


def allow_body(max_bytes: int | Callable[[Flask], int]) -> Callable:
    """Let one view accept bodies up to `max_bytes` (file uploads), instead of MAX_CONTENT_LENGTH;
    `max_bytes` may be a function of the app (a limit from its configuration).

        @bp.post("/uploads")
        @allow_body(25 * 1024 * 1024)
        def upload(): ...
    """

    def mark(view):
        view.max_body_bytes = max_bytes
        return view

    return mark


def body_limit(app: Flask, endpoint: str | None) -> int:
    view = app.view_functions.get(endpoint) if endpoint else None
    limit = getattr(view, "max_body_bytes", None)
    if callable(limit):
        limit = limit(app)
    return limit or app.config["MAX_CONTENT_LENGTH"]


class IdConverter(IntegerConverter):
    """`<int:...>` in routes: a positive id that fits the id columns, else no match (404)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("min", 0)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def _will_close(environ) -> bool:
    """Is the request body left unread past what eventlet may drain? (Then we close.)"""
    stream = environ.get("eventlet.input")
    if stream is None:
        return False
    if stream.chunked_input:
        return stream.chunk_length != 0  # not read to its last chunk
    return (stream.content_length or 0) - stream.position > DRAIN_MAX_BYTES


class _ClosingBody:
    """The app's answer; once it is sent, a body left unread is not drained by eventlet."""

    def __init__(self, result, environ):
        self._result, self._environ = result, environ

    def __iter__(self):
        return iter(self._result)

    def close(self) -> None:
        if hasattr(self._result, "close"):
            self._result.close()
        if not _will_close(self._environ):
            return  # read, or a small remainder that eventlet reads to keep the connection
        stream = self._environ["eventlet.input"]
        # The answer is written: mark the body as read, so that eventlet does not read the
        # rest, and end the connection (its next "request" would be the body's bytes).
        stream.chunked_input = False
        stream.content_length = stream.position
        try:
            stream.get_socket().shutdown(socket.SHUT_RD)
        except (OSError, AttributeError):
            pass


class BodyLimitMiddleware:
    """WSGI middleware around the Flask app (inside Socket.IO's): see the module docstring."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if "eventlet.input" not in environ:
            return self.wsgi_app(environ, start_response)

        def start(status, headers, exc_info=None):
            if _will_close(environ):
                # Say so, or the client may send its next request on a connection we close.
                headers = [*headers, ("Connection", "close")]
            return start_response(status, headers, exc_info)

        return _ClosingBody(self.wsgi_app(environ, start), environ)


def init_app(app: Flask) -> None:
    """Before CSRF and the views: the int converter, the body limit and the middleware."""
    app.url_map.converters["int"] = IdConverter
    app.wsgi_app = BodyLimitMiddleware(app.wsgi_app)

    @app.before_request
    def _limit_body():
        limit = body_limit(app, request.endpoint)
        request.max_content_length = limit
        if request.content_length is not None and request.content_length > limit:
            raise RequestEntityTooLarge()
        if request.content_length is None and _is_chunked(request.environ):
            _buffer_chunked_body(request.environ, limit)


def _is_chunked(environ) -> bool:
    # Servers that decode chunked bodies say so (eventlet's own input, or wsgi.input_terminated).
    return (environ.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked"
            and ("eventlet.input" in environ or environ.get("wsgi.input_terminated")))


def _buffer_chunked_body(environ, limit: int) -> None:
    """Read a chunked body up to `limit` + 1 bytes: 413 past the limit, else a plain body."""
    stream, parts, size = environ["wsgi.input"], [], 0
    while size <= limit:
        data = stream.read(min(64 * 1024, limit + 1 - size))
        if not data:
            break
        parts.append(data)
        size += len(data)
    if size > limit:
        raise RequestEntityTooLarge()
    environ["wsgi.input"] = io.BytesIO(b"".join(parts))
    environ["CONTENT_LENGTH"] = str(size)
    environ.pop("HTTP_TRANSFER_ENCODING", None)  # werkzeug ignores Content-Length beside it


# --- parsed JSON (API bodies, socket events) ----------------------------------------------
def clean_json(value: Any, depth: int = 0) -> Any:
    """`value` (parsed JSON) unchanged, or Invalid for lone surrogates or deep nesting."""
    if depth > MAX_JSON_DEPTH:
        raise Invalid(_("The data is nested too deeply (at most %(depth)s levels).", depth=MAX_JSON_DEPTH))
    if isinstance(value, str):
        _check_text(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            clean_json(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            clean_json(item, depth + 1)
    return value


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise Invalid(_("The text contains characters that are not allowed (an unpaired surrogate, "
                        "such as \\ud800). Send valid Unicode text.")) from None
