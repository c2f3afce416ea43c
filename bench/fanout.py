"""Fan-out of a live session's chat to N authenticated participants.

    python bench/fanout.py --target sqlite  --clients 500,1000,2000
    python bench/fanout.py --target cluster --clients 500,1000,2000   # 2 workers, PostgreSQL, Redis, nginx
    python bench/fanout.py --target cluster-reuseport --clients 2000  # the same workers on one port, no nginx

For each N: N bench users with fresh API tokens connect (websocket, auth token) and
join `live:<id>` of a newly started session, spread over several Node processes
(bench/fanout_client.js, socket.io-client; through nginx they use different
127.0.x.y source addresses, as different people would, so the sticky hash spreads them).
One host then sends `live.chat` 20 times a second for 10 s, then a burst of 200,
through the real socket handler (auth, Guardian, validation, Markdown + sanitiser,
INSERT, room_event, commit, emit). The text carries the send time; every client
times each message on arrival.

Reported: connect time (all joined; per-client p50/p99), fan-out latency
p50/p95/p99/max for the paced phase and the burst, deliveries per second, messages
lost, server CPU microseconds per delivery (utime+stime of the worker processes from
/proc/<pid>/stat), memory per connection (worker RSS delta / N), and the CPU of the
load processes, nginx and Redis.

At each N the same load also runs against the reference relay (bench/relay.js: socket.io
from npm in one Node process, no database), and the ratio of our p99 to its p99 is printed
(`--no-relay` skips it; RELAY_NODE_PATH names a node_modules holding socket.io if the
project's does not).
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
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
    fmt_ms,
    heading,
    load_average,
    prepare,
    print_closing,
    record,
    redis_pid,
    summary,
    total_cpu,
    total_rss,
)

NODE = "node"

from bench.relay_target import RelayTarget, ratios  # noqa: E402


# --- targets ------------------------------------------------------------------------------
class SqliteTarget:
    """One eventlet process (python wsgi.py) on a SQLite file."""

    name = "sqlite (1 eventlet process)"

    def __init__(self, workdir: Path):
        from tests.server import LiveServer

        self.server = LiveServer(workdir, name="fanout", seed=True, start_timeout=60, env=LOAD_ENV)
        self.database_url = self.server.database_url

    def start(self):
        self.server.start()
        return self

    @property
    def url(self) -> str:
        return self.server.url

    def worker_pids(self) -> list[int]:
        return [self.server.process.pid]

    def extra_pids(self) -> dict[str, list[int]]:
        return {}

    def local_addresses(self) -> list[str] | None:
        return None

    def new_live(self) -> dict:
        return prepare(self.database_url, "live")

    def stop(self):
        self.server.stop()


class ClusterTarget:
    """deploy/cluster.py: 2 workers, PostgreSQL, Redis, nginx (or the workers on one port)."""

    def __init__(self, workdir: Path, workers: int, keep_db: bool, front: str):
        from deploy.cluster import Cluster, port_free
        from tests.server import free_port

        base = free_port()
        while not all(port_free(base + i) for i in range(workers)):
            base = free_port()
        self.db_name = f"roundtable_bench_fanout_{uuid.uuid4().hex[:6]}"  # beside other runs
        self.keep_db = keep_db
        self.cluster = Cluster(workers=workers, base_port=base, http_port=free_port(),
                               database_url=f"{PG_SERVER}/{self.db_name}",
                               channel=f"roundtable-bench-{uuid.uuid4().hex[:6]}", dir=workdir,
                               access_log=False, extra_env=dict(LOAD_ENV), front=front)
        self.database_url = self.cluster.database_url
        shape = "one port (SO_REUSEPORT), no nginx" if front == "reuseport" else "nginx"
        self.name = f"cluster ({workers} eventlet workers, PostgreSQL, Redis, {shape})"

    def start(self):
        create_pg_database(self.db_name, fresh=True)
        self.cluster.start()
        return self

    @property
    def url(self) -> str:
        return self.cluster.url

    def worker_pids(self) -> list[int]:
        return self.cluster.pids()

    def extra_pids(self) -> dict[str, list[int]]:
        nginx = self.cluster.read_state().get("nginx") or {}
        out = {"nginx": [nginx["pid"], *children_of(nginx["pid"])]} if nginx else {}
        pid = redis_pid()
        if pid:
            out["redis"] = [pid]
        return out

    def new_live(self) -> dict:
        return prepare(self.database_url, "live")

    def local_addresses(self) -> list[str]:
        # Many "people": the consistent hash on $remote_addr spreads them over the workers.
        return [f"127.0.{1 + i // 250}.{1 + i % 250}" for i in range(500)]

    def stop(self):
        self.cluster.stop()
        if not self.keep_db:
            drop_pg_database(self.db_name)


# --- load processes: bench/fanout_load.py -------------------------------------------------
from bench.fanout_load import Loader, fd_count, wait_idle  # noqa: E402


# --- one run ------------------------------------------------------------------------------
def run_level(target, n: int, tokens: list[str], args, workdir: Path) -> dict:
    import socketio

    live = target.new_live()
    room = f"live:{live['session_id']}"
    run = uuid.uuid4().hex[:6]
    workers = target.worker_pids()
    rss_before = total_rss(workers)
    fds_before = [fd_count(p) for p in workers]
    loaders_n = max(1, min(args.loaders, n // 50 or 1))
    shares = [tokens[i::loaders_n] for i in range(loaders_n)]
    local = target.local_addresses()
    t0 = time.monotonic()
    loaders = [Loader(target.url, share, room, run, local[i::loaders_n] if local else None, workdir, i,
                      args.deflate) for i, share in enumerate(shares)]
    ready = [json.loads(ld.wait_line("READY", 600)[6:]) for ld in loaders]
    connect_seconds = time.monotonic() - t0
    joined = sum(r["joined"] for r in ready)
    connect_errors = sum(r["errors"] for r in ready)
    settle = wait_idle(workers, timeout=120)
    rss_after = total_rss(workers)
    per_worker = [fd_count(p) - b for p, b in zip(workers, fds_before, strict=True)]

    sender = socketio.Client(reconnection=False)
    sender.connect(target.url, auth={"token": live["host_token"]}, transports=["websocket"], wait_timeout=30)
    acks = {"ok": 0, "error": 0, "errors": []}
    ack_lock = threading.Lock()
    ack_times: dict[int, float] = {}
    ok_seqs: dict[int, bool] = {}

    def on_ack(seq):
        def _ack(answer):
            with ack_lock:
                ack_times[seq] = time.time() * 1000
                ok_seqs[seq] = isinstance(answer, dict) and bool(answer.get("ok"))
                if ok_seqs[seq]:
                    acks["ok"] += 1
                else:
                    acks["error"] += 1
                    if len(acks["errors"]) < 3:
                        acks["errors"].append(answer)
        return _ack

    sent: dict[int, float] = {}
    loader_pids = [ld.process.pid for ld in loaders]
    extra = target.extra_pids()

    def snapshot():
        return {"workers": total_cpu(workers), "load": total_cpu(loader_pids),
                **{k: total_cpu(v) for k, v in extra.items()}, "t": time.monotonic()}

    def send(seq: int) -> None:
        sent[seq] = time.time() * 1000
        sender.emit("live.chat", {"session_id": live["session_id"],
                                  "body": f"bench {run} {seq} {sent[seq]:.3f}"}, callback=on_ack(seq))

    paced_n = args.rate * args.seconds
    cpu0 = snapshot()
    start = time.perf_counter()
    for seq in range(paced_n):
        target_t = start + seq / args.rate
        delay = target_t - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        send(seq)
    wait_for_acks(ack_times, paced_n, 30)
    wait_idle(workers, timeout=60)
    cpu1 = snapshot()
    for seq in range(paced_n, paced_n + args.burst):
        send(seq)
    wait_for_acks(ack_times, paced_n + args.burst, 120)
    wait_idle(workers, timeout=180)
    cpu2 = snapshot()
    sender.disconnect()
    reports = [ld.report() for ld in loaders]
    for ld in loaders:
        ld.quit()
    wait_idle(workers, timeout=60)

    paced_lat, burst_lat = [], []
    last_recv = 0.0
    first_burst = sent.get(paced_n, 0.0)
    burst_deliveries = paced_deliveries = 0
    for rep in reports:
        for seq, lat in zip(rep["seqs"], rep["latencies"], strict=True):
            if seq < paced_n:
                paced_lat.append(lat)
                paced_deliveries += 1
            else:
                burst_lat.append(lat)
                burst_deliveries += 1
                last_recv = max(last_recv, sent[seq] + lat)
    # only messages the server accepted (ack ok) are owed to every client
    expected_paced = joined * sum(1 for s in range(paced_n) if ok_seqs.get(s))
    expected_burst = joined * sum(1 for s in range(paced_n, paced_n + args.burst) if ok_seqs.get(s))
    connect_ms = sorted(x for rep in reports for x in rep["connectMs"])
    paced_cpu = {k: cpu1[k] - cpu0[k] for k in cpu0}
    burst_cpu = {k: cpu2[k] - cpu1[k] for k in cpu1}
    burst_span = max(1e-3, (last_recv - first_burst) / 1000)
    result = {
        "clients": n, "joined": joined, "connect_errors": connect_errors,
        "connect_seconds": round(connect_seconds, 2), "connect_ms": summary(connect_ms),
        "settle_seconds": round(settle, 1),
        "memory_per_connection_kb": round((rss_after - rss_before) / max(1, joined) / 1024, 1),
        "connections_per_worker": per_worker,
        "acks": {"ok": acks["ok"], "error": acks["error"], "first_errors": acks["errors"]},
        "paced": {"messages": paced_n, "latency_ms": summary(paced_lat), "deliveries": paced_deliveries,
                  "lost": expected_paced - paced_deliveries,
                  "deliveries_per_second": round(paced_deliveries / (paced_cpu["t"]), 0),
                  "server_cpu_us_per_delivery": round(paced_cpu["workers"] / max(1, paced_deliveries) * 1e6, 1),
                  "cpu_seconds": {k: round(v, 2) for k, v in paced_cpu.items()}},
        "burst": {"messages": args.burst, "latency_ms": summary(burst_lat), "deliveries": burst_deliveries,
                  "lost": expected_burst - burst_deliveries,
                  "deliveries_per_second": round(burst_deliveries / burst_span, 0),
                  "server_cpu_us_per_delivery": round(burst_cpu["workers"] / max(1, burst_deliveries) * 1e6, 1),
                  "cpu_seconds": {k: round(v, 2) for k, v in burst_cpu.items()}},
    }
    return result


def wait_for_acks(ack_times: dict, count: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while len(ack_times) < count and time.monotonic() < deadline:
        time.sleep(0.05)


def print_level(r: dict) -> None:
    cores = lambda cpu, key: cpu.get(key, 0) / max(1e-3, cpu["t"])  # noqa: E731
    print(f"N={r['clients']}: joined {r['joined']} ({r['connect_errors']} errors) in {r['connect_seconds']} s "
          f"(per client {r['connect_ms']['p50']:.0f} ms p50, {r['connect_ms']['p99']:.0f} ms p99); "
          f"memory {r['memory_per_connection_kb']} KB/connection; connections per worker "
          f"{r['connections_per_worker']}")
    for phase in ("paced", "burst"):
        p = r[phase]
        cpu = p["cpu_seconds"]
        extra = ", ".join(f"{k} {cores(cpu, k):.2f}" for k in cpu if k not in ("t", "workers", "load"))
        print(f"  {phase:5} {p['messages']} msgs: {fmt_ms(p['latency_ms'])}; {p['deliveries']:,} deliveries, "
              f"{p['deliveries_per_second']:,.0f}/s, lost {p['lost']}; server {p['server_cpu_us_per_delivery']} "
              f"us/delivery; cores used: workers {cores(cpu, 'workers'):.2f}, load clients "
              f"{cores(cpu, 'load'):.2f}{', ' + extra if extra else ''}")
    if r["acks"]["error"]:
        print(f"  send errors: {r['acks']['error']} e.g. {r['acks']['first_errors']}")


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description="Live-session chat fan-out benchmark")
    parser.add_argument("--target", choices=["sqlite", "cluster", "cluster-reuseport"], default="sqlite")
    parser.add_argument("--clients", default="500,1000,2000")
    parser.add_argument("--rate", type=int, default=20, help="paced messages per second")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--burst", type=int, default=200)
    parser.add_argument("--loaders", type=int, default=4, help="Node load processes")
    parser.add_argument("--workers", type=int, default=2, help="cluster workers")
    parser.add_argument("--deflate", action="store_true", help="clients offer permessage-deflate (as browsers do)")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--no-relay", action="store_true",
                        help="skip the Node reference relay (bench/relay.js) run at each N")
    args = parser.parse_args(argv)
    levels = [int(x) for x in args.clients.split(",")]
    workdir = Path(tempfile.mkdtemp(prefix=f"fanout-{args.target}-", dir=OUT if OUT.exists() else None))
    if args.target == "sqlite":
        target = SqliteTarget(workdir)
    else:
        target = ClusterTarget(workdir, args.workers, args.keep_db,
                               front="reuseport" if args.target == "cluster-reuseport" else "nginx")
    heading(f"Fan-out: {target.name}; {args.rate} msg/s for {args.seconds} s, then a burst of {args.burst}")
    print(f"machine: {load_average()} (before)", flush=True)
    results = []
    relay = None if args.no_relay else RelayTarget(workdir)
    try:
        target.start()
        tokens_file = workdir / "tokens.json"
        prepare(target.database_url, "users", "--count", str(max(levels)), "--out", str(tokens_file))
        tokens = json.loads(tokens_file.read_text())
        if relay is not None:
            try:
                relay.start()
            except (RuntimeError, OSError) as error:  # socket.io not installed (npm install)
                print(f"reference relay not available, skipped: {str(error)[-300:]}", flush=True)
                relay.stop()
                relay = None
        for n in levels:
            r = run_level(target, n, tokens[:n], args, workdir)
            r.update(target=args.target, deflate=args.deflate, load=load_average())
            print_level(r)
            if relay is not None:
                # The same N, load clients and sender against the reference relay, right after.
                print(f"  reference relay, N={n}:", flush=True)
                ref = run_level(relay, n, tokens[:n], args, workdir)
                ref.update(target="relay", deflate=args.deflate, load=load_average())
                print_level(ref)
                r["relay"] = ref
                r["ratio_to_relay"] = ratios(r, ref)
                print("  ours / relay: " + ", ".join(f"{phase} p99 {value:.2f}x" for phase, value
                                                      in r["ratio_to_relay"].items()) + f"  ({ref['load']})")
            record("fanout", r)
            results.append(r)
    finally:
        target.stop()
        if relay is not None:
            relay.stop()
    print_closing("bench/fanout.py", argv)
    return results


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    main()
