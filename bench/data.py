"""Reading and writing at scale: 100,000 threads and 1,000,000 posts, on SQLite and PostgreSQL.

    python bench/data.py --backend sqlite,postgresql [--threads 100000 --posts 1000000 --deep 5000]

Generates the data (bench/prepare.py bulk: COPY on PostgreSQL, executemany on SQLite, HTML
rendered once per distinct body, search index rows written alongside), serves it with one
eventlet process (python wsgi.py), and times, one request at a time, signed in:
the topic list (the topic page holding the deep thread and its API list), a deep
thread page (first and last page of a thread with --deep replies), search (a common and a
rarer query, page and API; "not yet available" without community/search.py) and posting a
reply to the deep thread (JSON API). p50/p95/max per request.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    LOAD_ENV,
    OUT,
    ROOT,
    create_pg_database,
    drop_pg_database,
    flask,
    heading,
    load_average,
    prepare,
    print_closing,
    record,
    summary,
)
from bench.pages import login_cookie  # noqa: E402

POSTER = "sofia@northwind.example"


def timed(fn, repeat: int, warmup: int = 2) -> dict:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return summary(times)


def get(url: str, headers: dict) -> bytes:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=60) as response:
        if response.status != 200:
            raise RuntimeError(f"{url}: {response.status}")
        return response.read()


def post_json(url: str, token: str, body: dict) -> dict:
    request = urllib.request.Request(url, method="POST", data=json.dumps(body).encode(),
                                     headers={"Authorization": f"Bearer {token}",
                                              "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def reuse_dir(backend: str, args) -> Path:
    """Where --reuse keeps one backend's generated data (and what was made) between runs."""
    return OUT / f"data-{backend}-{args.threads}-{args.posts}{os.environ.get('BENCH_DB_SUFFIX', '')}"


def run_backend(backend: str, args, workdir: Path) -> list[dict]:
    from tests.server import LiveServer

    db_name = "roundtable_bench_data" + os.environ.get("BENCH_DB_SUFFIX", "")  # runs side by side
    made_file = workdir / "made.json"
    reusing = args.reuse and made_file.exists()
    if backend == "postgresql":
        if args.reuse:  # its own database per size, kept
            db_name += f"_{args.threads}_{args.posts}"
        database_url = create_pg_database(db_name, fresh=not reusing)
    else:
        database_url = f"sqlite:///{workdir / 'data.db'}"
    server = LiveServer(workdir / backend, name="data", database_url=database_url, start_timeout=120,
                        env=LOAD_ENV, port=args.port)
    results = []
    has_reads = (ROOT / "community" / "actions" / "reading.py").exists()
    try:
        if reusing:
            made = json.loads(made_file.read_text())
            flask(database_url, "db", "upgrade")  # a migration made since the data was generated
            print(f"{backend}: reusing {made['threads']:,} threads and {made['posts']:,} posts "
                  f"({workdir if backend == 'sqlite' else db_name})", flush=True)
        else:
            flask(database_url, "db", "upgrade")
            flask(database_url, "seed-demo")
            started = time.monotonic()
            made = prepare(database_url, "bulk", "--threads", str(args.threads), "--posts", str(args.posts),
                           "--deep", str(args.deep))
            print(f"{backend}: generated {made['threads']:,} threads and {made['posts']:,} posts in "
                  f"{time.monotonic() - started:.0f} s (search index rows: "
                  f"{'yes' if made['search_indexed'] else 'no'})", flush=True)
            if has_reads:  # a returning reader: 2,000 threads opened, their replies unread
                print(f"{backend}: read state {prepare(database_url, 'reads', '--email', POSTER, '--count', '2000')}",
                      flush=True)
            if args.reuse:
                made_file.write_text(json.dumps(made))
        server._prepared = True
        server.start()
        base = server.url
        cookie = {"Cookie": login_cookie(base)}
        token = flask(database_url, "users", "token", "--email", POSTER).strip().splitlines()[-1]
        bearer = {"Authorization": f"Bearer {token}"}
        deep, slug = made["deep_thread_id"], made["deep_topic"]
        last_page = -(-args.deep // 50)
        checks = [
            ("home page (thread counts per topic; with read state: Unread tab)", lambda: get(f"{base}/", cookie)),
            ("topic list (page 1)", lambda: get(f"{base}/t/{slug}", cookie)),
            ("topic list (page 100)", lambda: get(f"{base}/t/{slug}?page=100", cookie)),
            ("topic list API", lambda: get(f"{base}/api/v1/topics/{slug}/threads", bearer)),
            # ?page=1: without it a returning reader's thread opens where they left off (issue 17)
            (f"deep thread page 1 ({args.deep:,} replies)", lambda: get(f"{base}/threads/{deep}?page=1", cookie)),
            (f"deep thread last page ({last_page})", lambda: get(f"{base}/threads/{deep}?page={last_page}", cookie)),
        ]
        if has_reads:
            author = json.loads(get(f"{base}/api/v1/threads/{deep}?limit=1", bearer))["posts"][0]["author"]["id"]
            checks += [
                ("home page, Latest tab", lambda: get(f"{base}/?tab=latest", cookie)),
                ("home page, Unanswered tab", lambda: get(f"{base}/?tab=unanswered", cookie)),
                ("unread summary API (/me/unread)", lambda: get(f"{base}/api/v1/me/unread", bearer)),
                ("home unread API", lambda: get(f"{base}/api/v1/home/unread", bearer)),
                ("profile page of an author", lambda: get(f"{base}/users/{author}", cookie)),
            ]
        has_search = (ROOT / "community" / "search").is_dir() or (ROOT / "community" / "search.py").exists()
        if has_search:
            for q in ("wages overtime", "interpreter certificate", "Reference 123", "工资"):
                quoted = urllib.request.quote(q)
                checks.append((f"search page “{q}”", lambda quoted=quoted: get(f"{base}/search?q={quoted}", cookie)))
                checks.append((f"search API “{q}”",
                               lambda quoted=quoted: get(f"{base}/api/v1/search?q={quoted}", bearer)))
        counter = iter(range(10**9))
        checks.append(("post a reply (API)", lambda: post_json(
            f"{base}/api/v1/threads/{deep}/posts", token,
            {"body": f"A reply at scale, number {next(counter)}, with **Markdown**."})))
        for label, fn in checks:
            try:
                # search can take seconds a request at this size: fewer repeats keep the run short
                slow = label.startswith("search")
                stats = timed(fn, min(args.repeat, 5) if slow else args.repeat, warmup=1 if slow else 2)
            except (urllib.error.HTTPError, urllib.error.URLError, RuntimeError) as err:
                print(f"  {label:44} FAILED: {err}")
                continue
            r = {"backend": backend, "check": label, "threads": made["threads"], "posts": made["posts"],
                 "latency_ms": stats, "load": load_average()}
            record("data", r)
            results.append(r)
            print(f"  {label:44} p50 {stats['p50']:7.1f} ms  p95 {stats['p95']:7.1f} ms  max {stats['max']:7.1f} ms",
                  flush=True)
        if not has_search:
            print("  search: not yet available (community/search.py does not exist)")
    finally:
        server.stop()
        if backend == "postgresql" and not (args.keep or args.reuse):
            drop_pg_database(db_name)
    return results


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description="1M-post data benchmark")
    parser.add_argument("--backend", default="sqlite,postgresql")
    parser.add_argument("--threads", type=int, default=100_000)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--deep", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument("--reuse", action="store_true",
                        help="generate once into bench/out/data-<backend>-<threads>-<posts> (PostgreSQL: its own "
                             "database) and time that same data on later runs")
    parser.add_argument("--port", type=int, default=None, help="the server's port (default: any free one)")
    args = parser.parse_args(argv)
    heading(f"Data: {args.threads:,} threads, {args.posts:,} posts; one request at a time")
    print(f"machine: {load_average()} (before)", flush=True)
    results = []
    for backend in args.backend.split(","):
        if args.reuse:
            workdir = reuse_dir(backend, args)
            workdir.mkdir(parents=True, exist_ok=True)
        else:
            workdir = Path(tempfile.mkdtemp(prefix=f"data-{backend}-", dir=OUT))
        results += run_backend(backend, args, workdir)
        if backend == "sqlite" and not (args.keep or args.reuse):
            for f in workdir.glob("data.db*"):
                f.unlink()
    print_closing("bench/data.py", argv)
    return results


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    main()
