"""Worker processes spoken to through pipes without holding the eventlet hub: the one pool
behind rendering (community/rendering.py, render_worker.py) and file cleaning
(community/files/pool.py, files/worker.py).

A pool holds `size` processes running one command, started on first use; one JSON line goes
each way per job: the request with its "cpu_seconds" budget, kept by the worker, which
answers {"timeout": true} past it (OverBudget: the worker lives on), {"error": ...}
(WorkerGone) or its result. Pipes are non-blocking and waited on with select(), both green
under eventlet's monkey-patching, so a greenlet waiting for its answer lets every other one
run; under threading (tests, CLI) only the calling thread waits. A worker that does not answer
within a wall-clock backstop (`WorkerPool.backstop`) is killed and replaced (Wedged); one that
died is replaced on the next job. Every worker busy for `queue_wait` seconds: PoolBusy.

While a request waits on a worker it should hold no database connection others wait for:
`release_idle_connection()` before the call.
"""
from __future__ import annotations

import atexit
import json
import os
import queue
import select
import subprocess
import threading
import time
from collections.abc import Callable, Hashable

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from .extensions import db

STARTUP_SECONDS = 20.0  # a worker's imports, on a loaded machine


class WorkerTimeout(Exception):
    """The worker gave up on the job (CPU budget) or did not answer in time."""


class OverBudget(WorkerTimeout):
    """The worker spent the job's CPU budget on it and gave up (it lives on)."""


class Wedged(WorkerTimeout):
    """No answer within the wall-clock backstop (wedged, or the machine swamped): killed."""


class WorkerGone(Exception):
    pass


class PoolBusy(Exception):
    """Every worker stayed busy for the pool's queue wait."""


class Worker:
    """One worker process; `name` says which in errors ("the render worker exited")."""

    def __init__(self, command: list[str], name: str, startup_seconds: float = STARTUP_SECONDS):
        self.name = name
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, close_fds=True)
        self._in, self._out = self.process.stdin.fileno(), self.process.stdout.fileno()
        os.set_blocking(self._in, False)
        os.set_blocking(self._out, False)
        self._buffer = b""
        try:
            self._read_line(time.monotonic() + startup_seconds)  # {"ready": true}
        except Exception:
            self.stop()
            raise

    def call(self, request: dict, cpu_seconds: float, deadline: float) -> dict:
        """The worker's answer, or OverBudget, WorkerGone or Wedged (past `deadline`)."""
        self._write_all(json.dumps({**request, "cpu_seconds": cpu_seconds}).encode() + b"\n", deadline)
        answer = json.loads(self._read_line(deadline))
        if answer.get("timeout"):
            raise OverBudget()
        if "error" in answer:
            raise WorkerGone(answer["error"])
        return answer

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
                raise Wedged()
            _r, writable, _x = select.select([], [self._in], [], remaining)
            if not writable:
                raise Wedged()
            try:
                view = view[os.write(self._in, view):]
            except BlockingIOError:
                continue
            except OSError as err:  # BrokenPipeError among them
                raise WorkerGone(str(err)) from None

    def _read_line(self, deadline: float) -> bytes:
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Wedged()
            readable, _w, _x = select.select([self._out], [], [], remaining)
            if not readable:
                raise Wedged()
            try:
                chunk = os.read(self._out, 1 << 16)
            except BlockingIOError:
                continue
            if not chunk:
                raise WorkerGone(f"the {self.name} exited")
            self._buffer += chunk
        line, _sep, self._buffer = self._buffer.partition(b"\n")
        return line


class WorkerPool:
    """`size` processes running `command`, started on first use and replaced when killed or dead.

    Subclasses say how long a job may go unanswered (`backstop`, read at each call so that a
    module's constants can be changed in tests)."""

    def __init__(self, command: list[str], size: int, *, name: str, queue_wait: float,
                 startup_seconds: float = STARTUP_SECONDS):
        self.command, self.size, self.name = command, size, name
        self.queue_wait, self.startup_seconds = queue_wait, startup_seconds
        self._idle: queue.LifoQueue = queue.LifoQueue()
        self._all: list[Worker] = []
        for _slot in range(size):
            self._idle.put(None)  # a slot whose worker starts when first needed

    def backstop(self, cpu_seconds: float) -> float:
        """Wall-clock seconds after which a worker given `cpu_seconds` of CPU is wedged."""
        return 10.0 + 3 * cpu_seconds

    def call(self, request: dict, cpu_seconds: float) -> dict:
        try:
            worker = self._idle.get(timeout=self.queue_wait)
        except queue.Empty:
            raise PoolBusy() from None
        try:
            worker = self._ready(worker)
            return worker.call(request, cpu_seconds, time.monotonic() + self.backstop(cpu_seconds))
        except (Wedged, WorkerGone):
            if worker is not None:
                worker.stop()
            worker = None
            raise
        finally:
            self._idle.put(worker)

    def warm_up(self) -> None:
        """Start every worker now (before serving), not inside the first jobs."""
        started = [self._ready(self._idle.get()) for _slot in range(self.size)]
        for worker in started:
            self._idle.put(worker)

    def close(self) -> None:
        for worker in list(self._all):
            worker.stop()
        self._all.clear()

    def pids(self) -> list[int]:
        return [w.process.pid for w in self._all if w.alive()]

    def _ready(self, worker: Worker | None) -> Worker:
        if worker is not None and not worker.alive():
            worker.stop()  # died since its last job: its pipes are closed, it is reaped
            worker = None
        if worker is None:
            worker = Worker(self.command, self.name, self.startup_seconds)
            self._all[:] = [w for w in self._all if w.alive()] + [worker]
        return worker


class Pools:
    """Pools by key (an app's id, with its settings), each made on first use; all closed at exit."""

    def __init__(self):
        self._pools: dict[Hashable, WorkerPool] = {}
        self._lock = threading.Lock()
        atexit.register(self.close)

    def get(self, key: Hashable, make: Callable[[], WorkerPool]) -> WorkerPool:
        found = self._pools.get(key)
        if found is None:
            with self._lock:
                found = self._pools.get(key)
                if found is None:
                    found = self._pools[key] = make()
        return found

    def items(self):
        return self._pools.items()

    def close(self) -> None:
        for found in list(self._pools.values()):
            found.close()
        self._pools.clear()


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


def release_idle_connection() -> None:
    options = current_app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {}
    if options.get("pool_size") != 1:
        return  # several connections: others are not waiting for this one
    session = db.session()
    if not session.in_transaction() or session.info.get(_WROTE) or session.new or session.dirty or session.deleted:
        return
    session.commit()
