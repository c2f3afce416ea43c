"""Many idle sockets across the deployment: 10,000 authenticated clients through nginx.

    python bench/idle.py [--clients 10000] [--hold 45] [--workers 2]

Starts the cluster shape (deploy/cluster.py: nginx -> 2 eventlet workers, PostgreSQL,
Redis), connects N bench users (websocket, auth token; Node socket.io-client in several
processes, from many 127.0.x.y addresses so nginx's sticky hash spreads them), each joins
its topic room, then they stay idle for --hold seconds (past one Engine.IO ping interval,
20 s). Reported: connect time, errors (connect, join, and disconnects while idle), memory
per connection of the workers and of nginx, and how the sockets spread over the workers.
"""
from __future__ import annotations

import argparse
import json
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
    children_of,
    create_pg_database,
    drop_pg_database,
    heading,
    load_average,
    prepare,
    print_closing,
    record,
    total_cpu,
    total_rss,
)
from bench.fanout import Loader, fd_count, wait_idle  # noqa: E402


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description="Idle connections benchmark")
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--hold", type=int, default=45)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--loaders", type=int, default=4)
    args = parser.parse_args(argv)
    from deploy.cluster import Cluster, port_free
    from tests.server import free_port

    workdir = Path(tempfile.mkdtemp(prefix="idle-", dir=OUT))
    base = free_port()
    while not all(port_free(base + i) for i in range(args.workers)):
        base = free_port()
    db_name = "roundtable_bench_idle"
    cluster = Cluster(workers=args.workers, base_port=base, http_port=free_port(),
                      database_url=f"{PG_SERVER}/{db_name}", channel=f"roundtable-bench-{uuid.uuid4().hex[:6]}",
                      dir=workdir, access_log=False, extra_env=dict(LOAD_ENV), front="nginx")
    heading(f"Idle sockets: {args.clients:,} clients through nginx to {args.workers} workers, held {args.hold} s")
    print(f"machine: {load_average()} (before)", flush=True)
    result: dict = {}
    loaders: list[Loader] = []
    try:
        create_pg_database(db_name, fresh=True)
        cluster.start()
        tokens_file = workdir / "tokens.json"
        prepare(cluster.database_url, "users", "--count", str(args.clients), "--out", str(tokens_file))
        tokens = json.loads(tokens_file.read_text())
        workers = cluster.pids()
        nginx_pid = cluster.read_state()["nginx"]["pid"]
        nginx = [nginx_pid, *children_of(nginx_pid)]
        rss0, nginx0 = total_rss(workers), total_rss(nginx)
        fds0 = [fd_count(p) for p in workers]
        local = [f"127.0.{1 + i // 250}.{1 + i % 250}" for i in range(1000)]
        n = args.loaders
        started = time.monotonic()
        loaders = [Loader(cluster.url, tokens[i::n], "topic:land-rights", "idle", local[i::n], workdir, i, False)
                   for i in range(n)]
        ready = [json.loads(ld.wait_line("READY", 1200)[6:]) for ld in loaders]
        connect_seconds = time.monotonic() - started
        joined = sum(r["joined"] for r in ready)
        errors = sum(r["errors"] for r in ready)
        wait_idle(workers, timeout=120)
        cpu0 = total_cpu(workers)
        time.sleep(args.hold)
        idle_cores = (total_cpu(workers) - cpu0) / args.hold
        rss1, nginx1 = total_rss(workers), total_rss(nginx)
        spread = [fd_count(p) - f for p, f in zip(workers, fds0, strict=False)]
        reports = [ld.report() for ld in loaders]
        dropped = sum(len([e for e in rep["errors"] if e.startswith("disconnect")]) for rep in reports)
        connect_ms = sorted(x for rep in reports for x in rep["connectMs"])
        from bench.common import summary

        result = {
            "clients": args.clients, "joined": joined, "connect_errors": errors, "dropped_while_idle": dropped,
            "connect_seconds": round(connect_seconds, 1), "connect_ms": summary(connect_ms),
            "worker_memory_per_connection_kb": round((rss1 - rss0) / max(1, joined) / 1024, 1),
            "nginx_memory_per_connection_kb": round((nginx1 - nginx0) / max(1, joined) / 1024, 1),
            "worker_rss_mb": round(rss1 / 2**20), "sockets_per_worker": spread,
            "idle_worker_cores": round(idle_cores, 3), "first_errors": ready[0].get("firstErrors"),
            "load": load_average(),
        }
        record("idle", result)
        print(f"{joined:,}/{args.clients:,} connected and joined in {result['connect_seconds']} s "
              f"({errors} errors; per client p50 {result['connect_ms']['p50']:.0f} ms, "
              f"p99 {result['connect_ms']['p99']:.0f} ms); {dropped} dropped while idle for {args.hold} s")
        print(f"memory per connection: workers {result['worker_memory_per_connection_kb']} KB, "
              f"nginx {result['nginx_memory_per_connection_kb']} KB (workers' RSS now {result['worker_rss_mb']} MB); "
              f"sockets per worker {spread}; idle CPU {idle_cores:.3f} cores (pings)")
    finally:
        for ld in loaders:
            ld.quit()
        cluster.stop()
        drop_pg_database(db_name)
    print_closing("bench/idle.py", argv)
    return result


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    main()
