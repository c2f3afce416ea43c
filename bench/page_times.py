"""Pages timed in process on an existing database: Flask's test client, signed in as the
reader of bench/data.py, no server (standalone; not run by `make bench`).

    DATABASE_URL=sqlite:///bench/out/data-sqlite-100000-1000000/data.db \\
        python bench/page_times.py / "/search?q=工资" "/api/v1/search?q=wages"

Each URL: 2 warm-ups, then 9 requests; prints min and p50 in ms, and the load average. Run it
from two worktrees in turn (before/after a change) on the same data (`data.py --reuse`).
"""
from __future__ import annotations

import os
import re
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, os.getcwd())  # the worktree it is run from: its code is timed
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("SOCKETIO_ASYNC_MODE", "threading")
warnings.filterwarnings("ignore")

from bench.common import load_average  # noqa: E402
from bench.pages import DEMO_PASSWORD, READER  # noqa: E402
from community import create_app  # noqa: E402


def main(urls: list[str]) -> None:
    app = create_app()
    client = app.test_client()
    form = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    client.post("/login", data={"email": READER, "password": DEMO_PASSWORD, "csrf_token": token})
    print(f"machine: {load_average()} (before)")
    for url in urls:
        client.get(url)
        client.get(url)
        times = []
        for _ in range(9):
            started = time.perf_counter()
            answer = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            if answer.status_code != 200:
                raise SystemExit(f"{url}: {answer.status_code}")
        times.sort()
        print(f"  {url:50} min {times[0]:7.1f} ms  p50 {times[4]:7.1f} ms")
    print(f"machine: {load_average()} (after)")


if __name__ == "__main__":
    main(sys.argv[1:] or ["/"])
