"""Rendering what users write, with bounded work: the one way actions turn Markdown into HTML.

Markdown and the sanitiser are pure Python, and one eventlet process serves every
user from one thread: a post that takes a second to render would make everyone
wait a second. So `render_post(body)`:

1. refuses a body with more of an expensive construct than any real post has
   (markup.complexity: linear, microseconds), saying which one to use less of;
2. renders in a worker process (community/render_worker.py) with a budget of
   RENDER_TIMEOUT_SECONDS of CPU time, kept by the worker: the hub only waits on
   a pipe, and a post past its budget is refused with a message that keeps the
   text (CPU, not wall-clock time: on a loaded machine a short post waits its turn
   rather than being refused). A worker that does not answer within a wall-clock
   backstop is killed and replaced. RENDER_WORKERS processes per server process
   (0: render in-process, as tests and the CLI do; the complexity limits still
   bound the work);
3. refuses HTML larger than markup.MAX_HTML_CHARS.

Refusals are errors.TooComplex (422, code "too_complex"), shown on the form with
the text kept, as an API error, or in the socket ack.
"""
from __future__ import annotations

import os
import sys

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from . import markup, workers
from .errors import Busy, TooComplex
from .i18n import format_number

WORKER_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "render_worker.py")
STARTUP_SECONDS = 20.0  # a worker's imports, on a loaded machine
# A worker that has not answered BACKSTOP_MIN_SECONDS + 3 x its CPU budget of wall-clock
# time after a request is wedged (or the machine swamped): it is killed and replaced.
BACKSTOP_FACTOR = 3
BACKSTOP_MIN_SECONDS = 10.0
TRUSTED_TIMEOUT_SECONDS = 30.0  # CPU for text the site wrote itself (a live session's archive)
QUEUE_WAIT_SECONDS = 10.0  # all workers busy this long: the server is overloaded, say so

# What the author is told to use less of, by markup.COMPLEXITY_LIMITS name.
CONSTRUCT_NAMES = {
    "brackets": _l("square brackets “[”"),
    "emphasis": _l("emphasis marks “*”, “_” and “~”"),
    "table_cells": _l("table cells “|”"),
    "angle_brackets": _l("angle brackets “<”"),
    "backticks": _l("backticks “`”"),
    "entities": _l("“&” characters"),
    "lines": _l("lines"),
}


RenderTimeout = workers.Wedged  # no answer within the wall-clock backstop: killed and replaced
OverBudget = workers.OverBudget  # the worker spent the post's CPU budget on it and gave up
WorkerGone = workers.WorkerGone


class RenderPool(workers.WorkerPool):
    """`size` render_worker.py processes (community/workers.py), with a CPU budget per post."""

    def __init__(self, size: int, timeout: float):
        super().__init__([sys.executable, WORKER_SCRIPT], size, name="render worker",
                         queue_wait=QUEUE_WAIT_SECONDS, startup_seconds=STARTUP_SECONDS)
        self.timeout = timeout

    def backstop(self, cpu_seconds: float) -> float:
        return BACKSTOP_MIN_SECONDS + cpu_seconds * BACKSTOP_FACTOR

    def render(self, body: str, timeout: float | None = None, notes: bool = False):
        """The HTML (with `notes`: the HTML and the codes of what it does not show), or
        OverBudget (the worker gave up: it lives on), or RenderTimeout (no answer within the
        wall-clock backstop: the worker was killed), or Busy."""
        request = {"body": body, **({"notes": True} if notes else {})}
        try:
            answer = self.call(request, timeout or self.timeout)
        except workers.PoolBusy:
            raise Busy(_("The server is busy preparing other posts. Send yours again in a moment; "
                         "your text is kept.")) from None
        if "html" not in answer:
            raise WorkerGone("no html")
        return (answer["html"], answer.get("notes", [])) if notes else answer["html"]


_pools = workers.Pools()
close_pools = _pools.close


def pool(app=None) -> RenderPool | None:
    """This app's worker pool, or None when RENDER_WORKERS is 0 (render in-process)."""
    app = app or current_app._get_current_object()
    size = int(app.config.get("RENDER_WORKERS") or 0)
    if size <= 0:
        return None
    return _pools.get(id(app), lambda: RenderPool(size, float(app.config["RENDER_TIMEOUT_SECONDS"])))


def warm_up(app) -> None:
    """Start the render workers before serving (wsgi.py)."""
    found = pool(app)
    if found is not None:
        found.warm_up()


def check_complexity(body: str) -> None:
    """Raise TooComplex when `body` has more of an expensive construct than allowed."""
    problem = markup.complexity(body)
    if problem is not None:
        name, count, limit = problem
        raise TooComplex(_("Your text has too much formatting to display safely: %(what)s "
                           "(%(count)s; the limit is %(limit)s). Use fewer of them and send it again; "
                           "your text is kept.", what=CONSTRUCT_NAMES.get(name, name),
                           count=format_number(count), limit=format_number(limit)), field="body")


def render_post(body: str, field: str = "body") -> str:
    """Sanitised HTML of a post (question, answer, chat message) in bounded time, or TooComplex."""
    return _bounded(body, field, notes=False)


def render_preview(body: str, field: str = "body") -> tuple[str, list[str]]:
    """A post's HTML exactly as render_post makes it (same limits, same worker), and the codes
    of what it will not show as written (markup.NOTE_CODES): the composer's preview."""
    return _bounded(body, field, notes=True)


def _bounded(body: str, field: str, notes: bool):
    check_complexity(body)
    found = pool()
    if found is None:
        answer = markup.render_with_notes(body) if notes else markup.render(body)
    else:
        workers.release_idle_connection()
        try:
            answer = found.render(body, notes=notes)
        except (OverBudget, RenderTimeout):
            raise TooComplex(_("Your text's formatting is too complex to display: it took too long to "
                               "prepare. Simplify it (fewer nested brackets, emphasis marks, tables or "
                               "links) and send it again; your text is kept."), field=field) from None
        except (WorkerGone, OSError):
            current_app.logger.exception("render worker failed; rendering in-process")
            # bounded by check_complexity all the same
            answer = markup.render_with_notes(body) if notes else markup.render(body)
    html = answer[0] if notes else answer
    if len(html) > markup.MAX_HTML_CHARS:
        raise TooComplex(_("Your text would be too large once formatted. Shorten it or use less "
                           "formatting, and send it again; your text is kept."), field=field)
    return answer


def render_trusted(body: str) -> str:
    """HTML of Markdown the site composed itself from texts already accepted (a live
    session's archive): no complexity limits, a long deadline, still off the hub."""
    found = pool()
    if found is None:
        return markup.render(body)
    workers.release_idle_connection()
    try:
        return found.render(body, TRUSTED_TIMEOUT_SECONDS)
    except (OverBudget, RenderTimeout, WorkerGone, OSError):
        current_app.logger.exception("render worker failed on trusted text; rendering in-process")
        return markup.render(body)
