"""The render worker: a separate process that turns Markdown into sanitised HTML.

community/rendering.py starts a few of these per server process and sends them
posts, one JSON line each ({"body": ..., "cpu_seconds": ...}) on standard input,
and reads one JSON line back ({"html": ...}, {"timeout": true} or {"error": ...}); with
"notes": true, the answer also says what will not be shown as written ({"html", "notes"}).

The deadline is CPU time, kept by the worker itself (a profiling timer, ITIMER_PROF):
a post that needs more CPU than that is abandoned and refused, however busy the
machine is; a short post on a loaded machine is not refused for waiting its turn.
The server also keeps a wall-clock backstop: a worker that does not answer at all
is killed and replaced. Either way no post holds the server's eventlet hub (or its
only SQLite connection) for long.

Run as a script (`python community/render_worker.py`): it loads community/markup.py
by its path and nothing else of the app (no Flask, no database), so it starts in
a fraction of a second and stays small. It exits when its standard input closes,
that is when the server process that started it is gone.
"""
from __future__ import annotations

import importlib.util
import json
import os
import signal
import sys


class OverBudget(Exception):
    pass


def _over_budget(_signum, _frame):
    raise OverBudget()


def _load_markup():
    here = os.path.dirname(os.path.abspath(__file__))
    # The script's folder is community/: its modules must not shadow anything markup imports.
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    spec = importlib.util.spec_from_file_location("roundtable_markup", os.path.join(here, "markup.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def serve(stdin, stdout) -> None:
    markup = _load_markup()
    markup.render("warm *up* [x](https://example.com) www.example.com")  # first-use costs now
    signal.signal(signal.SIGPROF, _over_budget)
    stdout.write(b'{"ready": true}\n')
    stdout.flush()
    for line in stdin:
        try:
            request = json.loads(line)
            signal.setitimer(signal.ITIMER_PROF, float(request.get("cpu_seconds") or 0))
            try:
                if request.get("notes"):
                    html, notes = markup.render_with_notes(request["body"])
                    answer = {"html": html, "notes": notes}
                else:
                    answer = {"html": markup.render(request["body"])}
            finally:
                signal.setitimer(signal.ITIMER_PROF, 0)
        except OverBudget:
            answer = {"timeout": True}
            markup = _load_markup()  # a fresh parser: the old one stopped mid-document
        except Exception as err:  # noqa: BLE001 - one bad request must not end the worker
            answer = {"error": f"{type(err).__name__}: {err}"[:300]}
        stdout.write(json.dumps(answer).encode() + b"\n")
        stdout.flush()


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
