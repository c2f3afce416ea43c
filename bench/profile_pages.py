"""CPU per page, in one process, without a server: the load-independent view of bench/pages.py.

    python bench/profile_pages.py [--requests 200] [--profile thread] [--top 30]

A temporary SQLite database (migrated, demo data, a thread of 500 replies), the app in this
process, signed in through the real login form with Flask's test client; then each page is
requested N times and its process CPU time (time.process_time: utime+stime, so it does not
move with other work on the machine) and SQL statement count are printed per request.
`--profile <page>` prints cProfile's top functions for that page.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import heading, load_average, prepare, print_closing, seeded_sqlite  # noqa: E402

DEMO_PASSWORD = "roundtable-demo"
READER = "sofia@northwind.example"


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description="CPU per page, in process")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--profile", default="", help="thread, last, topic or home (thread-304 etc.: the repeat read)")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--save", default="", help="also write the profile there (pstats format)")
    parser.add_argument("--revalidate", action="store_true", help="also time a repeat read with If-None-Match")
    parser.add_argument("--keep", default="", help="a folder to keep the database in and reuse")
    args = parser.parse_args(argv)
    database_url, thread = seeded_sqlite(args.keep, "profile-pages-", "thread.json",
                                         lambda url, _workdir: prepare(url, "thread", "--replies", "500"))

    os.environ.update({"DATABASE_URL": database_url, "SOCKETIO_ASYNC_MODE": "threading", "RATELIMIT_ENABLED": "0"})
    import warnings

    warnings.filterwarnings("ignore")
    from sqlalchemy import event

    from community import create_app
    from community.extensions import db

    app = create_app()
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = client.post("/login", data={"email": READER, "password": DEMO_PASSWORD, "csrf_token": token})
    assert answer.status_code in (302, 303), answer.status_code
    statements = [0]
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a, **k: statements.__setitem__(0, statements[0] + 1))

    pages = [("thread", f"/threads/{thread['thread_id']}"), ("last", f"/threads/{thread['thread_id']}?page=10"),
             ("topic", f"/t/{thread['topic']}"), ("home", "/")]
    heading(f"CPU per page, in process (SQLite, {args.requests} requests each, signed in)")
    print(f"machine: {load_average()} (before)", flush=True)
    results = []
    for name, path in pages:
        for _ in range(5):  # warm-up: templates compiled, caches filled
            assert client.get(path).status_code == 200
        statements[0] = 0
        profiler = cProfile.Profile() if args.profile == name else None
        cpu, wall = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        for _ in range(args.requests):
            response = client.get(path)
        if profiler:
            profiler.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        result = {"page": name, "path": path, "cpu_ms": 1000 * cpu / args.requests,
                  "wall_ms": 1000 * wall / args.requests, "queries": statements[0] / args.requests,
                  "bytes": len(response.get_data())}
        line = (f"{name:7} {path:28} {result['cpu_ms']:6.2f} ms CPU/page  {result['queries']:5.1f} queries  "
                f"{result['bytes']:7,} bytes")
        etag = response.headers.get("ETag")
        if args.revalidate and etag:
            repeat_profiler = cProfile.Profile() if args.profile == f"{name}-304" else None
            cpu = time.process_time()
            if repeat_profiler:
                repeat_profiler.enable()
            for _ in range(args.requests):
                repeat = client.get(path, headers={"If-None-Match": etag})
            if repeat_profiler:
                repeat_profiler.disable()
                profiler = repeat_profiler
            result["revalidate_cpu_ms"] = 1000 * (time.process_time() - cpu) / args.requests
            result["revalidate_status"] = repeat.status_code
            line += f"  | repeat read {repeat.status_code}: {result['revalidate_cpu_ms']:5.2f} ms CPU"
        print(line, flush=True)
        results.append(result)
        if profiler:
            if args.save:
                profiler.dump_stats(args.save)
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.top)
            print(out.getvalue())
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(args.top)
            print(out.getvalue())
    print_closing("bench/profile_pages.py", argv)
    return results


if __name__ == "__main__":
    main()
