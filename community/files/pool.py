"""Worker processes for file work, spoken to through pipes without holding the eventlet hub.

The same design as community/rendering.py's pool (which it could replace; it is kept
separate so that neither changes under the other): `size` processes running
community/files/worker.py, started on first use, one JSON line each way per file.
Pipes are non-blocking and waited on with select(), both green under eventlet, so a
greenlet waiting for its file lets every other one run; under threading (tests, CLI)
only the calling thread waits. A worker that does not answer within a wall-clock
backstop is killed and replaced; one that died is replaced on the next request.
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

WORKER_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "worker.py")
STARTUP_SECONDS = 20.0  # a worker's imports (Pillow), on a loaded machine
# No answer after BACKSTOP_MIN_SECONDS + 3 x the file's CPU budget of wall-clock time: the
# worker is wedged (or the machine swamped), and is killed.
BACKSTOP_FACTOR = 3
BACKSTOP_MIN_SECONDS = 10.0
QUEUE_WAIT_SECONDS = 30.0  # every worker busy this long: the server is overloaded


class Busy(Exception):
    """Every worker stayed busy for QUEUE_WAIT_SECONDS."""


class Timeout(Exception):
    """The worker gave up on the file (CPU budget) or did not answer in time."""


class WorkerGone(Exception):
    pass


class _Worker:
    def __init__(self, args: list[str]):
        self.process = subprocess.Popen([sys.executable, WORKER_SCRIPT, *args], stdin=subprocess.PIPE,
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

    def call(self, request: dict, cpu_seconds: float) -> dict:
        deadline = time.monotonic() + BACKSTOP_MIN_SECONDS + cpu_seconds * BACKSTOP_FACTOR
        self._write_all(json.dumps({**request, "cpu_seconds": cpu_seconds}).encode() + b"\n", deadline)
        answer = json.loads(self._read_line(deadline))
        if answer.get("timeout"):
            raise Timeout()
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
                raise _Wedged()
            _r, writable, _x = select.select([], [self._in], [], remaining)
            if not writable:
                raise _Wedged()
            try:
                view = view[os.write(self._in, view):]
            except BlockingIOError:
                continue
            except OSError as err:
                raise WorkerGone(str(err)) from None

    def _read_line(self, deadline: float) -> bytes:
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _Wedged()
            readable, _w, _x = select.select([self._out], [], [], remaining)
            if not readable:
                raise _Wedged()
            try:
                chunk = os.read(self._out, 1 << 16)
            except BlockingIOError:
                continue
            if not chunk:
                raise WorkerGone("the file worker exited")
            self._buffer += chunk
        line, _sep, self._buffer = self._buffer.partition(b"\n")
        return line


class _Wedged(Timeout):
    """No answer within the wall-clock backstop: the worker is killed."""


class WorkerPool:
    def __init__(self, size: int, memory_mb: int = 0):
        self.size = size
        self._args = [str(int(memory_mb))]
        self._idle: queue.LifoQueue = queue.LifoQueue()
        self._all: list[_Worker] = []
        for _slot in range(size):
            self._idle.put(None)  # a slot whose worker starts when first needed

    def call(self, request: dict, cpu_seconds: float) -> dict:
        try:
            worker = self._idle.get(timeout=QUEUE_WAIT_SECONDS)
        except queue.Empty:
            raise Busy() from None
        try:
            if worker is not None and not worker.alive():
                worker.stop()  # died since its last file: its pipes are closed, it is reaped
                worker = None
            if worker is None:
                worker = self._start()
            return worker.call(request, cpu_seconds)
        except (_Wedged, WorkerGone):
            if worker is not None:
                worker.stop()
            worker = None
            raise
        finally:
            self._idle.put(worker)

    def close(self) -> None:
        for worker in list(self._all):
            worker.stop()
        self._all.clear()

    def pids(self) -> list[int]:
        return [w.process.pid for w in self._all if w.alive()]

    def _start(self) -> _Worker:
        worker = _Worker(self._args)
        self._all[:] = [w for w in self._all if w.alive()] + [worker]
        return worker


_pools: dict[tuple, WorkerPool] = {}
_pools_lock = threading.Lock()


def pool_for(key: tuple, size: int, memory_mb: int) -> WorkerPool:
    """The pool of one app (key: its id and settings), made on first use."""
    found = _pools.get(key)
    if found is None:
        with _pools_lock:
            found = _pools.get(key)
            if found is None:
                found = _pools[key] = WorkerPool(size, memory_mb)
    return found


@atexit.register
def close_pools() -> None:
    for found in list(_pools.values()):
        found.close()
    _pools.clear()
