"""Page rendering under 16 concurrent clients: the thread page of a thread with 500 replies,
a topic page and the home page, signed in (session cookie), with wrk (Debian's package).

    python bench/pages.py --target sqlite  [--seconds 10] [--connections 16]
    python bench/pages.py --target cluster [--seconds 10]     # nginx -> 2 workers, PostgreSQL

Reports requests/s and latency p50/p95/p99 per page (wrk's own histogram, printed by
bench/wrk_report.lua). wrk runs on the same 2 cores: its CPU is reported too.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    LOAD_ENV,
    OUT,
    PG_SERVER,
    ROOT,
    create_pg_database,
    drop_pg_database,
    heading,
    load_average,
    prepare,
    print_closing,
    record,
    total_cpu,
)

DEMO_PASSWORD = "roundtable-demo"
READER = "sofia@northwind.example"


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    import os

    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], stdout=subprocess.DEVNULL,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is not installed (apt-get install -y wrk)")
    return found


def login_cookie(base_url: str, email: str = READER) -> str:
    """Sign in through the real form (CSRF token included) and return the session cookie."""
    import requests

    http = requests.Session()
    page = http.get(base_url + "/login", timeout=30).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = http.post(base_url + "/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token},
                       allow_redirects=False, timeout=30)
    if answer.status_code not in (302, 303):
        raise RuntimeError(f"login failed: {answer.status_code} {answer.text[:300]}")
    return "; ".join(f"{c.name}={c.value}" for c in http.cookies)


def wrk(url: str, cookie: str, seconds: int, connections: int, server_pids: list[int],
        headers: tuple[str, ...] = ()) -> dict:
    binary = ensure_wrk()
    extra = [arg for header in headers for arg in ("-H", header)]
    # warm-up: templates compiled, caches filled
    subprocess.run([binary, "-t2", f"-c{connections}", "-d2s", "-H", f"Cookie: {cookie}", *extra, url],
                   capture_output=True, text=True)
    before, started = total_cpu(server_pids), time.monotonic()
    process = subprocess.Popen([binary, "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
                                "-s", str(ROOT / "bench" / "wrk_report.lua"), "-H", f"Cookie: {cookie}", *extra, url],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    from bench.common import cpu_seconds

    wrk_cpu = 0.0
    while process.poll() is None:
        wrk_cpu = max(wrk_cpu, cpu_seconds(process.pid))
        time.sleep(0.2)
    out = process.stdout.read()
    elapsed = time.monotonic() - started
    line = next((row for row in out.splitlines() if row.startswith("JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk said:\n{out}")
    result = json.loads(line[5:])
    server_cpu = total_cpu(server_pids) - before
    result["server_cores"] = round(server_cpu / elapsed, 2)
    # CPU ms per page (utime+stime of the server over the requests it answered): does not
    # move with other work on the machine the way latency does.
    result["cpu_ms_per_page"] = round(1000 * server_cpu / max(1, result.get("requests") or result["rps"] * elapsed), 2)
    result["wrk_cores"] = round(wrk_cpu / elapsed, 2)
    return result


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description="Page rendering benchmark")
    parser.add_argument("--target", choices=["sqlite", "cluster"], default="sqlite")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix=f"pages-{args.target}-", dir=OUT))
    if args.target == "sqlite":
        from tests.server import LiveServer

        server = LiveServer(workdir, name="pages", seed=True, start_timeout=60, env=LOAD_ENV)
        database_url, stop = server.database_url, server.stop
        name = "sqlite (1 eventlet process)"
    else:
        from deploy.cluster import Cluster, port_free
        from tests.server import free_port

        base = free_port()
        while not all(port_free(base + i) for i in range(args.workers)):
            base = free_port()
        db_name = "roundtable_bench_pages"
        cluster = Cluster(workers=args.workers, base_port=base, http_port=free_port(),
                          database_url=f"{PG_SERVER}/{db_name}", channel=f"roundtable-bench-{uuid.uuid4().hex[:6]}",
                          dir=workdir, access_log=False, extra_env=dict(LOAD_ENV), front="nginx")
        database_url = cluster.database_url

        def stop():
            cluster.stop()
            drop_pg_database(db_name)
        name = f"cluster (nginx -> {args.workers} eventlet workers, PostgreSQL)"
    heading(f"Pages: {name}, {args.connections} concurrent clients, {args.seconds} s per page")
    print(f"machine: {load_average()} (before)", flush=True)
    results = []
    try:
        if args.target == "sqlite":
            server.start()
            base_url, pids = server.url, [server.process.pid]
        else:
            create_pg_database(db_name, fresh=True)
            cluster.start()
            base_url, pids = cluster.url, cluster.pids()
        thread = prepare(database_url, "thread", "--replies", "500")
        cookie = login_cookie(base_url)
        pages = [("thread page, 500 replies (page 1 of 10: 50 replies shown)", f"/threads/{thread['thread_id']}"),
                 ("thread page, 500 replies (last page)", f"/threads/{thread['thread_id']}?page=10"),
                 ("topic page", f"/t/{thread['topic']}"),
                 ("home page", "/")]
        # A repeat reader: the browser asks again with the ETag it holds (views/revalidation.py).
        # It is read just before that run: the runs before it move the reader's read mark (a
        # write, which any page's validator follows), and the first read after them writes it.
        import requests

        repeat = ("thread page, page 1, repeat read (If-None-Match: 304)", pages[0][1], "etag")
        for label, path, headers in [(label, path, ()) for label, path in pages] + [repeat]:
            if headers == "etag":
                for _ in range(2):
                    etag = requests.get(base_url + path, headers={"Cookie": cookie}, timeout=30).headers.get("ETag")
                if not etag:
                    continue
                headers = (f"If-None-Match: {etag}",)
            r = wrk(base_url + path, cookie, args.seconds, args.connections, pids, headers)
            r.update(page=label, path=path, target=args.target, load=load_average())
            record("pages", r)
            results.append(r)
            print(f"{label:58} {r['rps']:7.1f} req/s  p50 {r['p50']:6.1f} ms  p95 {r['p95']:6.1f} ms  "
                  f"p99 {r['p99']:6.1f} ms  errors {r['errors']}  {r['cpu_ms_per_page']:5.1f} ms CPU/page  "
                  f"(server {r['server_cores']} cores, wrk {r['wrk_cores']}; {r['load']})", flush=True)
    finally:
        stop()
    print_closing("bench/pages.py", argv)
    return results


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    main()
