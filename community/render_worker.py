"""The render worker: a separate process that turns Markdown into sanitised HTML.

community/rendering.py starts a few of these per server process and sends them
posts, one JSON line each ({"body": ...}) on standard input, and reads one JSON
line back ({"html": ...} or {"error": ...}). A worker that takes longer than the
deadline is killed and replaced, so no post can hold the server's eventlet hub
(or its only SQLite connection) for long.

Run as a script (`python community/render_worker.py`): it loads community/markup.py
by its path and nothing else of the app (no Flask, no database), so it starts in
a fraction of a second and stays small. It exits when its standard input closes,
that is when the server process that started it is gone.
"""
from __future__ import annotations

import importlib.util
import json
import os
import sys


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
    stdout.write(b'{"ready": true}\n')
    stdout.flush()
    for line in stdin:
        try:
            body = json.loads(line)["body"]
            answer = {"html": markup.render(body)}
        except Exception as err:  # noqa: BLE001 - one bad request must not end the worker
            answer = {"error": f"{type(err).__name__}: {err}"[:300]}
        stdout.write(json.dumps(answer).encode() + b"\n")
        stdout.flush()


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
