"""How long other users wait behind one pathological post, on one eventlet process.

    python bench/stall.py                       # every shape, once each
    python bench/stall.py --shapes '[,*a' --repeat 3

Starts the real server (`python wsgi.py`, SQLite, seeded) and a probe: another user
asks `GET /api/v1/me` every 10 ms. Each shape (20,000 characters of `[`, `![`,
`*a`, e-mail addresses, table rows, ...) is then posted as a reply through the API,
and the probe's slowest answer while the post was in flight is its "wait": how long
someone else's request sat behind that one post (the target: at most 300 ms). The
post's own status and time are printed too (201: rendered; 400/413: refused with a
message).
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import heading, load_average, print_closing, record, summary  # noqa: E402

N = 20_000
POSTER = "sofia@northwind.example"
READER = "ravi@shakti.example"


def shapes(n: int = N) -> dict[str, str]:
    """Bodies of about `n` characters that are expensive for some stage of posting."""
    nested_quotes = "".join(">" * i + " x\n" for i in range(1, 400))
    nested_list = "".join("  " * i + "- x\n" for i in range(0, 400))
    refs = "".join(f"[a{i}]: /u{i}\n" for i in range(900)) + "".join(f"[a{i}] " for i in range(900))
    table_cols = "|" + "a|" * (n // 6) + "\n|" + "-|" * (n // 6) + "\n"
    bodies = {
        "[": "[" * n,
        "![": "![" * (n // 2),
        "[x": "[x" * (n // 2),
        "[![": "[![" * (n // 3),
        "*a": "*a" * (n // 2),
        "*_": "*_" * (n // 2),
        "**a": "**a" * (n // 3),
        "~~a": "~~a" * (n // 3),
        "[a](": "[a](" * (n // 4),
        "<": "<" * n,
        "<a ": "<a " * (n // 3),
        "`x ": "`x " * (n // 3),
        "&amp;": "&amp;" * (n // 5),
        "# h": "# x\n" * (n // 4),
        "nested >": nested_quotes,
        "nested -": nested_list,
        "link refs": refs,
        "table cols": table_cols,
        "table rows": "|a|b|\n|-|-|\n" + "|a|b|\n" * (n // 6),
        "linkify www": "www.a.com " * (n // 10),
        "linkify email": "a@b.co " * (n // 7),
        "linkify long": "http://" + "a" * (n - 7),
        "@mentions": " ".join(f"@bench-user-{i}" for i in range(60)) + " hello",
        "plain": "word " * (n // 5),
        # Just inside the complexity limits (community/markup.py), so they are rendered:
        "[ at limit": "[" * 1000 + " word" * ((n - 1000) // 5),
        "*a at limit": "*a" * 1250 + " word" * ((n - 2500) // 5),
        "table at limit": "|a|b|\n|-|-|\n" + "|a|b|\n" * 330,
        "# at limit": "# x\n" * 1999,
        "combo at limits": ("[" * 999 + "*a" * 1249 + "|a|b|\n|-|-|\n" + "|a|b|\n" * 330 + "<" * 2999
                            + "&amp;" * 1999 + "`x`" * 999),
    }
    return {name: body[:n] for name, body in bodies.items()}


class Probe(threading.Thread):
    """Another user's cheap request, every `interval` seconds: (start, latency) of each answer."""

    def __init__(self, url: str, token: str, interval: float = 0.01):
        super().__init__(daemon=True)
        import requests

        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.url, self.interval = url, interval
        self.samples: list[tuple[float, float]] = []
        self.errors = 0
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            started = time.monotonic()
            try:
                ok = self.http.get(self.url + "/api/v1/me", timeout=60).status_code == 200
            except Exception:  # noqa: BLE001 - counted, not fatal
                ok = False
            ended = time.monotonic()
            if not ok:
                self.errors += 1
            self.samples.append((started, ended - started))
            self.stopping.wait(self.interval)

    def worst_between(self, start: float, end: float) -> float:
        """The slowest answer to a request that was in flight at some moment of [start, end]."""
        return max((lat for s, lat in list(self.samples) if s <= end and s + lat >= start), default=0.0)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shapes", default="", help="comma-separated shape names (default: all)")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--via", choices=("api",), default="api")
    args = parser.parse_args(argv)
    import requests

    from tests.server import LiveServer

    bodies = shapes()
    wanted = [s for s in args.shapes.split(",") if s] or list(bodies)
    print(f"stall: {load_average()} (before)", flush=True)
    workdir = Path(tempfile.mkdtemp(prefix="roundtable-stall-"))
    # Limits off for the poster: this measures the work of one post, not the rate limits.
    server = LiveServer(workdir, name="stall", seed=True, start_timeout=60,
                        env={"RATELIMIT_ENABLED": "0", "MAIL_SENDER_ENABLED": "0"})
    results = {}
    try:
        server.start()
        poster = server.cli("users", "token", "--email", POSTER).stdout.strip().splitlines()[-1]
        reader = server.cli("users", "token", "--email", READER).stdout.strip().splitlines()[-1]
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {poster}"
        thread_id = _open_thread(http, server.url)
        probe = Probe(server.url, reader)
        probe.start()
        time.sleep(1.0)
        idle = summary([lat * 1000 for _s, lat in probe.samples])
        heading(f"Worst wait of another user's request behind one post (probe idle p50 {idle['p50']:.1f} ms)")
        print(f"{'shape':16} {'status':>6} {'post ms':>8} {'worst wait ms':>14}  message")
        for name in wanted:
            for _ in range(args.repeat):
                started = time.monotonic()
                answer = http.post(f"{server.url}/api/v1/threads/{thread_id}/posts",
                                   json={"body": bodies[name]}, timeout=120)
                ended = time.monotonic()
                time.sleep(0.15)  # the probe's request in flight at the end comes back
                worst = probe.worst_between(started, ended) * 1000
                message = ""
                if answer.status_code >= 400:
                    try:
                        message = answer.json()["error"]["message"][:70]
                    except (ValueError, KeyError, TypeError):
                        message = answer.text[:70]
                row = results.setdefault(name, {"status": answer.status_code, "post_ms": 0.0, "wait_ms": 0.0})
                row["post_ms"] = max(row["post_ms"], (ended - started) * 1000)
                row["wait_ms"] = max(row["wait_ms"], worst)
                print(f"{name:16} {answer.status_code:>6} {(ended - started) * 1000:8.0f} {worst:14.0f}  {message}",
                      flush=True)
                time.sleep(0.3)
        probe.stopping.set()
        probe.join(5)
        worst_name = max(results, key=lambda k: results[k]["wait_ms"])
        print(f"\nworst wait: {results[worst_name]['wait_ms']:.0f} ms behind {worst_name!r} "
              f"(target <= 300 ms); probe errors {probe.errors}")
    finally:
        server.stop()
    record("stall", {"results": results, "load": load_average()})
    print_closing("bench/stall.py", argv)
    return results


def _open_thread(http, url: str) -> int:
    """A thread in a topic without slow mode or held posts, to reply to."""
    for topic in http.get(url + "/api/v1/topics", timeout=30).json()["topics"]:
        settings = topic.get("settings") or {}
        if settings.get("slow_mode_seconds") or settings.get("moderation") not in (None, "post"):
            continue
        threads = http.get(f"{url}/api/v1/topics/{topic['slug']}/threads", timeout=30).json()["threads"]
        for thread in threads:
            if thread.get("state") == "visible" and not thread.get("locked") and thread.get("kind") != "announcement":
                return thread["id"]
    raise RuntimeError("no open thread to reply to: " + json.dumps(threads)[:300])


if __name__ == "__main__":
    main()
