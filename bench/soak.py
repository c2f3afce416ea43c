"""Soak: hundreds of people, some of them hostile, against one eventlet process for minutes.

    python bench/soak.py                          # 5 minutes, 200 people (10 hostile)
    python bench/soak.py --seconds 60 --people 150 --hostile 8     # the quick run of `make bench`

The real server (`python wsgi.py`, SQLite, seeded, rate limits and connection limits as
configured by default; only the per-address socket limit is off, since every client comes
from 127.0.0.1). Normal people (bench/soak_client.js, Node) keep a socket in a thread and a
started live session and, every 4-12 s, read a thread or the topics (API), reply (socket),
chat, vote, ask or (now and then) reconnect, every 8-30 s. Hostile people send pathological posts (20,000 characters of
"[", "*a", e-mail addresses, tables...), 1 MB bodies, malformed JSON, impossible ids, floods
of posts past the rate limit, and 25 sockets at once.

Printed: normal people's errors, p50/p99/max of their requests per kind, what the hostile
requests were answered, and the server's memory (the process and its render workers) at the
start, every tenth of the run, and the end. Fails (exit 1) if a normal person's request took
more than 1 s, if any normal request failed, if memory grew by more than MEMORY_BOUND_MB
in all, or by more than SETTLED_GROWTH_MB over the second half of the run (once the sockets,
caches and allocator have reached their working size, memory must stay flat).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    ROOT,
    children_of,
    fmt_ms,
    heading,
    load_average,
    prepare,
    print_closing,
    record,
    rss_bytes,
    summary,
    total_cpu,
)

MAX_WAIT_MS = 1000.0
MEMORY_BOUND_MB = 200  # 300 sockets, the render workers, caches and the allocator's working size
SETTLED_GROWTH_MB = 40
POSTER = "admin@roundtable.example"  # opens the threads (administrators may start 20 a minute)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=300)
    parser.add_argument("--people", type=int, default=200, help="normal people")
    parser.add_argument("--hostile", type=int, default=10)
    parser.add_argument("--threads", type=int, default=10, help="threads the normal people read and reply in")
    args = parser.parse_args(argv)
    import requests

    from tests.server import LiveServer

    workdir = Path(tempfile.mkdtemp(prefix="roundtable-soak-"))
    server = LiveServer(workdir, name="soak", seed=True, start_timeout=60,
                        env={"SOCKETS_PER_ADDRESS": "0", "MAIL_SENDER_ENABLED": "0"})
    heading(f"Soak: {args.people} people and {args.hostile} hostile ones for {args.seconds} s, one eventlet process")
    print(f"machine: {load_average()} (before)", flush=True)
    failures: list[str] = ["interrupted before the end"]
    try:
        server.start()
        tokens_file = workdir / "tokens.json"
        prepare(server.database_url, "users", "--count", str(args.people + args.hostile), "--out", str(tokens_file),
                "--prefix", "soak")
        tokens = json.loads(tokens_file.read_text())
        live = prepare(server.database_url, "live")
        poster = server.cli("users", "token", "--email", POSTER).stdout.strip().splitlines()[-1]
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {poster}"
        thread_ids = []
        for n in range(args.threads):
            answer = http.post(f"{server.url}/api/v1/topics/grievance-mechanisms/threads", timeout=30,
                               json={"title": f"Soak thread {n}: recruitment fees", "body": "Tell us what works."})
            answer.raise_for_status()
            thread_ids.append(answer.json()["thread"]["id"])
        # Let the thread creations age out of the poster's rate limit; warm up.
        time.sleep(2)
        failures = []
        pids = [server.process.pid, *children_of(server.process.pid)]
        memory_start = sum(rss_bytes(p) for p in pids)
        cpu_start = total_cpu(pids)
        out = workdir / "soak.json"
        config = {"url": server.url, "normal": tokens[:args.people], "hostile": tokens[args.people:],
                  "threadIds": thread_ids, "sessionId": live["session_id"], "seconds": args.seconds,
                  "out": str(out), "seed": 7}
        (workdir / "config.json").write_text(json.dumps(config))
        started = time.monotonic()
        samples: list[tuple[float, int]] = []
        done = threading.Event()

        def sample_memory():
            while not done.wait(args.seconds / 10):
                alive = [server.process.pid, *children_of(server.process.pid)]
                samples.append((time.monotonic() - started, sum(rss_bytes(p) for p in alive)))

        sampler = threading.Thread(target=sample_memory, daemon=True)
        sampler.start()
        load = subprocess.run(["node", str(ROOT / "bench" / "soak_client.js"), str(workdir / "config.json")],
                              cwd=ROOT, capture_output=True, text=True, timeout=args.seconds + 300)
        done.set()
        elapsed = time.monotonic() - started
        if load.returncode != 0 or not out.exists():
            print(load.stdout[-3000:], load.stderr[-3000:])
            failures.append(f"the load client failed (exit {load.returncode})")
            return 1
        pids = [server.process.pid, *children_of(server.process.pid)]
        memory_end = sum(rss_bytes(p) for p in pids)
        cpu = total_cpu(pids) - cpu_start
        result = json.loads(out.read_text())
        server_alive = server.running

        heading("Normal people: time of each request or acknowledgement")
        every = []
        figures = {}
        for kind, values in sorted(result["normal"].items()):
            stats = summary(values)
            figures[kind] = stats
            every.extend(values)
            print(f"{kind:12} {fmt_ms(stats)}")
        overall = summary(every)
        figures["all"] = overall
        print(f"{'all':12} {fmt_ms(overall)}")
        errors = result["errors"]
        print(f"errors of normal people: {len(errors)}" + "".join(f"\n  {e}" for e in errors[:15]))
        heading("Hostile requests: how they were answered")
        for kind, statuses in sorted(result["hostile"].items()):
            print(f"{kind:28} " + ", ".join(f"{status}: {n}" for status, n in sorted(statuses.items())))
        heading("Server")
        tracebacks = server.log_tail(100000).count("Traceback")
        print(f"memory (process + render workers): {memory_start / 1e6:.0f} MB at the start, "
              f"{memory_end / 1e6:.0f} MB at the end (bound: +{MEMORY_BOUND_MB} MB; "
              f"+{SETTLED_GROWTH_MB} MB over the second half)")
        print("  during the run: " + ", ".join(f"{t:.0f} s {m / 1e6:.0f} MB" for t, m in samples))
        halfway = next((m for t, m in samples if t >= args.seconds / 2), memory_start)
        print(f"CPU used: {cpu:.1f} s in {elapsed:.0f} s ({cpu / elapsed:.2f} cores); "
              f"tracebacks in its log: {tracebacks}; still running: {server_alive}")
        if overall["max"] > MAX_WAIT_MS:
            failures.append(f"a normal person's request took {overall['max']:.0f} ms (> {MAX_WAIT_MS:.0f} ms)")
        if errors:
            failures.append(f"{len(errors)} normal requests failed")
        if memory_end - memory_start > MEMORY_BOUND_MB * 1e6:
            failures.append(f"memory grew by {(memory_end - memory_start) / 1e6:.0f} MB (> {MEMORY_BOUND_MB} MB)")
        if memory_end - halfway > SETTLED_GROWTH_MB * 1e6:
            failures.append(f"memory grew by {(memory_end - halfway) / 1e6:.0f} MB over the second half "
                            f"(> {SETTLED_GROWTH_MB} MB)")
        if tracebacks or not server_alive:
            failures.append(f"server errors: {tracebacks} tracebacks, running={server_alive}")
        record("soak", {"seconds": args.seconds, "people": args.people, "hostile": args.hostile,
                        "normal": figures, "errors": len(errors), "hostile_answers": result["hostile"],
                        "memory_start": memory_start, "memory_end": memory_end, "memory_samples": samples,
                        "cpu": cpu,
                        "failures": failures, "load": load_average()})
    finally:
        server.stop()
        print("\n" + ("FAILED: " + "; ".join(failures) if failures else "PASSED: no normal request waited more "
                      f"than {MAX_WAIT_MS:.0f} ms, none failed, memory within bound"))
        print_closing("bench/soak.py", argv)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
