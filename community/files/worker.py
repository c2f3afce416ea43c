"""The file worker: a separate process that checks and cleans uploaded files.

community/files/pool.py starts a few of these per server process. Each request is one
JSON line on standard input, {"source": path, "out": folder, "settings": {...},
"cpu_seconds": N}, answered by one JSON line: process.process()'s answer, or
{"timeout": true} when the file needed more CPU than its budget.

Hostile files are decoded here, not in the server: the process has a memory limit
(RLIMIT_AS, FILE_WORKER_MEMORY_MB, given as its first argument), a CPU budget per file
(a profiling timer, as community/render_worker.py does), and whatever crashes it
(a decoder bug) ends this process only: the pool starts another.

Run as a script (`python community/files/worker.py [memory_mb]`): it loads the modules
beside it (sniff, images, process, kinds) as a package of their own, without Flask or
the app, and exits when its standard input closes.
"""
from __future__ import annotations

import importlib.util
import json
import os
import resource
import signal
import sys

from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = "roundtable_files"


class OverBudget(Exception):
    pass


def _over_budget(_signum, _frame):
    raise OverBudget()


def _load_process():
    # The script's folder must not shadow anything the modules import.
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != HERE]
    spec = importlib.util.spec_from_loader(PACKAGE, loader=None, is_package=True)
    package = importlib.util.module_from_spec(spec)
    package.__path__ = [HERE]  # its modules, without running community/files/__init__.py
    sys.modules[PACKAGE] = package
    return importlib.import_module(PACKAGE + ".process")


def _limit_memory(megabytes: int) -> None:
    if megabytes <= 0:
        return
    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def serve(stdin, stdout, memory_mb: int = 0) -> None:
    process = _load_process()
    _limit_memory(memory_mb)
    signal.signal(signal.SIGPROF, _over_budget)
    stdout.write(b'{"ready": true}\n')
    stdout.flush()
    for line in stdin:
        try:
            request = json.loads(line)
            settings = request["settings"]
            # Pillow refuses, by itself too, images past the configured size (bombs).
            Image.MAX_IMAGE_PIXELS = settings["image_limits"][0]
            signal.setitimer(signal.ITIMER_PROF, float(request.get("cpu_seconds") or 0))
            try:
                answer = process.process(request["source"], request["out"], settings)
            finally:
                signal.setitimer(signal.ITIMER_PROF, 0)
        except OverBudget:
            answer = {"timeout": True}
        except MemoryError:
            answer = {"ok": False, "code": "too_complex", "params": {}}
        except Exception as err:  # noqa: BLE001 - one bad file must not end the worker
            answer = {"error": f"{type(err).__name__}: {err}"[:300]}
        stdout.write(json.dumps(answer).encode() + b"\n")
        stdout.flush()


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer, int(sys.argv[1]) if len(sys.argv) > 1 else 0)
