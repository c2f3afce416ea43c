"""HTTP revalidation (ETag / 304) for the pages people re-read: home, a topic, a thread.

The validator is taken BEFORE the page is rendered, from facts that are cheap to read and
together decide everything the page says (`page_validator()`):

- the data generation (community/generation.py): one number every committed write moves on,
  read first, before the reader is loaded, so nothing the page reads is older than it;
- the moments at which a page changes with no write at all: the newest thread that stopped
  being "new" (READ_NEW_DAYS), the newest topic silence that ran out, the newest scheduled live
  session whose time passed (each a max() over an index; it moves when one more crosses);
- the reader (their session's id, or "-"), their session's CSRF secret and pending flashed
  messages, locale, time zone, colour theme, the full address (page, language filter,
  quote/reply_to), the host;
- the build: the code, templates, static files and translations (names, sizes, mtimes, read
  once) and the app's configuration (secrets left out).

A repeat read whose If-None-Match holds that validator is answered 304 at once: no view, no
template (`_answer_early`). A full rendering is sent with the validator taken before it, so a
page is never labelled with a generation newer than what it shows (a write that lands while it
renders only costs the next read a rendering). Without a generation row (a fresh or emptied
database) the ETag falls back to a hash of the rendered page (`page_etag`), as before: the
reader's id, locale and time zone, and the page's bytes less the values that change on every
rendering without changing the page (the CSRF token, the composer's fresh client id; see
`volatile()`).

Such pages are `Cache-Control: private, no-cache` (the browser keeps its copy but asks each
time; shared caches keep nothing) instead of `no-store`; signing out sends
`Clear-Site-Data: "cache"`, so nothing a signed-in reader saw stays in the browser's cache.
"""
from __future__ import annotations

import hashlib
import os

from flask import Flask, Response, current_app, g, request, session
from flask_babel import get_locale, get_timezone
from flask_login import current_user
from sqlalchemy import func, select

from .. import generation
from ..actions.reading import new_since
from ..models import LiveSession, Thread, TopicSilence, utcnow
from .language import theme_choice

REVALIDATED = frozenset({"main.home", "main.topic", "main.thread"})
_SECRET_WORDS = ("SECRET", "PASSWORD", "KEY", "TOKEN", "URI", "URL")


def volatile(value: str) -> str:
    """Mark a value rendered into this page that changes on every rendering without changing
    what the page says (left out of its ETag); returns it."""
    if value:
        g.setdefault("_volatile_values", []).append(value)
    return value


def page_etag(body: bytes) -> str:
    """The fallback ETag, after rendering: a hash of what this reader was just sent."""
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


# --- the validator before rendering ---------------------------------------------------------
def _build_files(app: Flask) -> str:
    """Names, sizes and mtimes of what the pages are made from: another deployment, another
    validator (read once, when the app is made)."""
    digest = hashlib.blake2b(digest_size=16)
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for root in (package, app.template_folder and os.path.join(app.root_path, app.template_folder), app.static_folder):
        if not root:
            continue
        for folder, dirs, files in os.walk(root, followlinks=True):
            # Python's bytecode is written when a module is first imported: left out, so that
            # the processes of one deployment agree whenever each was started.
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                path = os.path.join(folder, name)
                try:
                    stat = os.stat(path)
                except OSError:
                    continue
                digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def _configuration() -> str:
    """The configuration as it is now (tests change it at run time), secrets left out."""
    config = current_app.config
    keys = current_app.extensions.get("rt_config_keys")
    if keys is None or keys[0] != len(config):
        names = sorted(key for key in config if not any(word in key for word in _SECRET_WORDS))
        keys = current_app.extensions["rt_config_keys"] = (len(config), names)
    return repr([config.get(key) for key in keys[1]])


def _moments() -> tuple:
    """The newest of each thing that changes a page when its time comes, as scalar subqueries."""
    now = utcnow()
    return (select(func.max(Thread.created_at)).where(Thread.created_at < new_since()).scalar_subquery(),
            select(func.max(TopicSilence.until)).where(TopicSilence.until <= now).scalar_subquery(),
            select(func.max(LiveSession.ends_at))
            .where(LiveSession.state == "scheduled", LiveSession.ends_at < now).scalar_subquery())


def page_validator() -> str | None:
    """This request's validator, or None when there is no data generation (then the ETag is
    taken after rendering). Must run before anything loads the reader."""
    taken = generation.current(*_moments())  # first: the reader and all the page reads come after
    if taken is None:
        return None
    g.page_facts = taken  # what per-process caches a page reads from are keyed on (reading.topic_counts)
    reader = current_user.get_id() if current_user.is_authenticated else "-"
    csrf_field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    facts = (taken, reader, session.get(csrf_field), session.get("_flashes"), str(get_locale()),
             str(get_timezone()), theme_choice(), request.scheme, request.host, request.full_path,
             current_app.extensions["rt_build"], _configuration())
    return hashlib.blake2b(repr(facts).encode(), digest_size=16).hexdigest()


def _revalidated(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("Cookie")
    response.vary.add("Accept-Language")
    return response


def _answer_early() -> Response | None:
    """Before anything else (the reader is not loaded yet): take the validator; a repeat read
    that still holds it is a 304 with no view run."""
    if request.method != "GET" or request.endpoint not in REVALIDATED:
        return None
    validator = g.page_validator = page_validator()
    if validator is None or not request.if_none_match.contains(validator):
        return None
    response = current_app.response_class(status=304)
    response.set_etag(validator)
    return _revalidated(response)


def _revalidate(response: Response) -> Response:
    if (request.method != "GET" or response.status_code != 200 or request.endpoint not in REVALIDATED
            or response.direct_passthrough or response.mimetype != "text/html"):
        return response
    validator = g.get("page_validator")
    response.set_etag(validator or page_etag(response.get_data()))
    return _revalidated(response).make_conditional(request)


def init_app(app: Flask) -> None:
    app.extensions["rt_build"] = _build_files(app)
    # First of all before_request hooks: the generation is read before the reader is loaded
    # (the i18n hook asks for the locale, which loads them).
    app.before_request_funcs.setdefault(None, []).insert(0, _answer_early)
    # after_request hooks run last-registered first: this one, registered before the app's
    # security headers (community/__init__.py), runs after them and replaces their no-store.
    app.after_request(_revalidate)
