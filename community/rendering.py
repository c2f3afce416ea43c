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

import atexit
import json
import os
import queue
import select
import subprocess
import sys
import threading
import time

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.orm import Session

from . import markup
from .errors import Busy, TooComplex
from .extensions import db
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


class RenderTimeout(Exception):
    """A worker did not answer in time (wedged, or the machine swamped)."""


class OverBudget(Exception):
    """The worker spent the post's CPU budget on it and gave up."""


class WorkerGone(Exception):
    pass


class _Worker:
    """One render_worker.py process, spoken to through non-blocking pipes and select().

    select() and os.read/os.write are green under eventlet's monkey-patching, so a
    greenlet waiting for its HTML lets every other one run; under threading (tests,
    CLI) only the calling thread waits.
    """

    def __init__(self):
        self.process = subprocess.Popen([sys.executable, WORKER_SCRIPT], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, close_fds=True)
        self._in, self._out = self.process.stdin.fileno(), self.process.stdout.fileno()
        os.set_blocking(self._in, False)
        os.set_blocking(self._out, False)
        self._buffer = b""
        try:
            self._read_line(time.monotonic() + STARTUP_SECONDS)  # {"ready": true}
        except Exception:
            self.stop()
            raise

    def render(self, body: str, cpu_seconds: float, notes: bool = False):
        """The HTML (with `notes`: the HTML and the codes of what it does not show), or
        OverBudget (the worker gave up: it lives on), or RenderTimeout (no answer within the
        wall-clock backstop: the caller kills it)."""
        deadline = time.monotonic() + BACKSTOP_MIN_SECONDS + cpu_seconds * BACKSTOP_FACTOR
        request = {"body": body, "cpu_seconds": cpu_seconds, **({"notes": True} if notes else {})}
        self._write_all(json.dumps(request).encode() + b"\n", deadline)
        answer = json.loads(self._read_line(deadline))
        if answer.get("timeout"):
            raise OverBudget()
        if "html" not in answer:
            raise WorkerGone(answer.get("error", "no html"))
        return (answer["html"], answer.get("notes", [])) if notes else answer["html"]

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        for pipe in (self.process.stdin, self.process.stdout):
            try:
                pipe.close()
            except OSError:
                pass
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL is not refused
            pass

    def _write_all(self, data: bytes, deadline: float) -> None:
        view = memoryview(data)
        while view:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RenderTimeout()
            _r, writable, _x = select.select([], [self._in], [], remaining)
            if not writable:
                raise RenderTimeout()
            try:
                view = view[os.write(self._in, view):]
            except BlockingIOError:
                continue
            except (BrokenPipeError, OSError) as err:
                raise WorkerGone(str(err)) from None

    def _read_line(self, deadline: float) -> bytes:
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RenderTimeout()
            readable, _w, _x = select.select([self._out], [], [], remaining)
            if not readable:
                raise RenderTimeout()
            try:
                chunk = os.read(self._out, 1 << 16)
            except BlockingIOError:
                continue
            if not chunk:
                raise WorkerGone("the render worker exited")
            self._buffer += chunk
        line, _sep, self._buffer = self._buffer.partition(b"\n")
        return line


class RenderPool:
    """`size` worker processes, started on first use and replaced when killed or dead."""

    def __init__(self, size: int, timeout: float):
        self.size, self.timeout = size, timeout
        self._idle: queue.LifoQueue = queue.LifoQueue()
        self._all: list[_Worker] = []
        for _slot in range(size):
            self._idle.put(None)  # a slot whose worker starts when first needed

    def render(self, body: str, timeout: float | None = None, notes: bool = False):
        try:
            worker = self._idle.get(timeout=QUEUE_WAIT_SECONDS)
        except queue.Empty:
            raise Busy(_("The server is busy preparing other posts. Send yours again in a moment; "
                         "your text is kept.")) from None
        try:
            if worker is None or not worker.alive():
                worker = self._start()
            return worker.render(body, timeout or self.timeout, notes)
        except OverBudget:
            raise
        except RenderTimeout:
            worker.stop()
            worker = None
            raise
        except WorkerGone:
            if worker is not None:
                worker.stop()
            worker = None
            raise
        finally:
            self._idle.put(worker)

    def warm_up(self) -> None:
        """Start every worker now (before serving), not inside the first posts."""
        started = []
        for _slot in range(self.size):
            worker = self._idle.get()
            if worker is None or not worker.alive():
                worker = self._start()
            started.append(worker)
        for worker in started:
            self._idle.put(worker)

    def close(self) -> None:
        for worker in list(self._all):
            worker.stop()
        self._all.clear()

    def pids(self) -> list[int]:
        return [w.process.pid for w in self._all if w.alive()]

    def _start(self) -> _Worker:
        worker = _Worker()
        self._all[:] = [w for w in self._all if w.alive()] + [worker]
        return worker


_pools: dict[int, RenderPool] = {}
_pools_lock = threading.Lock()


def pool(app=None) -> RenderPool | None:
    """This app's worker pool, or None when RENDER_WORKERS is 0 (render in-process)."""
    app = app or current_app._get_current_object()
    size = int(app.config.get("RENDER_WORKERS") or 0)
    if size <= 0:
        return None
    found = _pools.get(id(app))
    if found is None:
        with _pools_lock:
            found = _pools.get(id(app))
            if found is None:
                found = _pools[id(app)] = RenderPool(size, float(app.config["RENDER_TIMEOUT_SECONDS"]))
    return found


@atexit.register
def close_pools() -> None:
    for found in list(_pools.values()):
        found.close()
    _pools.clear()


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
    workers = pool()
    if workers is None:
        answer = markup.render_with_notes(body) if notes else markup.render(body)
    else:
        _release_idle_connection()
        try:
            answer = workers.render(body, notes=notes)
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
    workers = pool()
    if workers is None:
        return markup.render(body)
    _release_idle_connection()
    try:
        return workers.render(body, TRUSTED_TIMEOUT_SECONDS)
    except (OverBudget, RenderTimeout, WorkerGone, OSError):
        current_app.logger.exception("render worker failed on trusted text; rendering in-process")
        return markup.render(body)


# --- the database connection while waiting -----------------------------------------------
# SQLite under eventlet runs with a pool of ONE connection (community/__init__.py): a
# greenlet waiting for a worker while its session holds that connection would make every
# other request wait as long. A transaction that has only read is ended first (its objects
# reload on next use); one that has written keeps its connection (actions render before
# they write, so this is rare).
_WROTE = "rt_wrote_in_transaction"


@event.listens_for(Session, "after_flush")
def _note_write(session: Session, _context) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_write(session: Session) -> None:
    session.info.pop(_WROTE, None)


def _release_idle_connection() -> None:
    options = current_app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {}
    if options.get("pool_size") != 1:
        return  # several connections: others are not waiting for this one
    session = db.session()
    if not session.in_transaction() or session.info.get(_WROTE) or session.new or session.dirty or session.deleted:
        return
    session.commit()
