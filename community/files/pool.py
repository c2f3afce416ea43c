"""Worker processes for file work: community/workers.py's pool running community/files/worker.py,
one JSON line each way per file, without holding the eventlet hub.

Each worker runs under a memory limit (FILE_WORKER_MEMORY_MB, passed on its command line)
and a CPU budget per file (FILE_PROCESS_SECONDS), kept by the worker; one that does not answer
within a wall-clock backstop is killed and replaced; one that died is replaced on the next
request.
"""
from __future__ import annotations

import os
import sys

from .. import workers

WORKER_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "worker.py")
STARTUP_SECONDS = 20.0  # a worker's imports (Pillow), on a loaded machine
# No answer after BACKSTOP_MIN_SECONDS + 3 x the file's CPU budget of wall-clock time: the
# worker is wedged (or the machine swamped), and is killed.
BACKSTOP_FACTOR = 3
BACKSTOP_MIN_SECONDS = 10.0
QUEUE_WAIT_SECONDS = 30.0  # every worker busy this long: the server is overloaded

Busy = workers.PoolBusy  # every worker stayed busy for QUEUE_WAIT_SECONDS
Timeout = workers.WorkerTimeout  # the worker gave up on the file (CPU budget) or did not answer in time
WorkerGone = workers.WorkerGone


class WorkerPool(workers.WorkerPool):
    def __init__(self, size: int, memory_mb: int = 0):
        super().__init__([sys.executable, WORKER_SCRIPT, str(int(memory_mb))], size, name="file worker",
                         queue_wait=QUEUE_WAIT_SECONDS, startup_seconds=STARTUP_SECONDS)

    def backstop(self, cpu_seconds: float) -> float:
        return BACKSTOP_MIN_SECONDS + cpu_seconds * BACKSTOP_FACTOR


_pools = workers.Pools()
close_pools = _pools.close


def pool_for(key: tuple, size: int, memory_mb: int) -> WorkerPool:
    """The pool of one app (key: its id and settings), made on first use."""
    return _pools.get(key, lambda: WorkerPool(size, memory_mb))
