"""Sign-in: how long it takes for a known and an unknown email, and what it costs everyone else.

    python bench/signin.py [--samples 40] [--load-seconds 6] [--signers 8]

One eventlet process (python wsgi.py) on a seeded SQLite file, with the production password
cost (argon2id, PASSWORD_HASH_* defaults) and rate limits off. Measures, one request at a
time through the real form (CSRF included): a known email with a wrong password, an unknown
email, and a right password (which also writes a session). Then, while --signers threads
sign in (wrongly) as fast as they can, the latency of a cheap page (/login) fetched by a
probe: once with hashing moved off the hub (eventlet.tpool, the default) and once inline
(PASSWORD_HASH_OFFLOAD=0), to show what a hash on the hub costs every other user.
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import fmt_ms, heading, load_average, print_closing, record, summary  # noqa: E402
from tests.server import LiveServer  # noqa: E402

KNOWN = "sofia@northwind.example"
PASSWORD = "roundtable-demo"


def form_session(url: str):
    import requests

    http = requests.Session()
    page = http.get(url + "/login", timeout=30).text
    return http, re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def sign_in_ms(http, csrf: str, url: str, email: str, password: str, expect: int) -> float:
    started = time.perf_counter()
    answer = http.post(url + "/login", data={"email": email, "password": password, "csrf_token": csrf},
                       allow_redirects=False, timeout=60)
    elapsed = (time.perf_counter() - started) * 1000
    if answer.status_code != expect:
        raise RuntimeError(f"{email}: {answer.status_code}, expected {expect}: {answer.text[:200]}")
    return elapsed


def timings(url: str, samples: int) -> dict:
    http, csrf = form_session(url)
    for _ in range(3):  # warm-up: templates, the dummy hash, connections
        sign_in_ms(http, csrf, url, KNOWN, "wrong-password", 400)
        sign_in_ms(http, csrf, url, "nobody@example.com", "wrong-password", 400)
    known, unknown, right = [], [], []
    for i in range(samples):
        known.append(sign_in_ms(http, csrf, url, KNOWN, "wrong-password", 400))
        unknown.append(sign_in_ms(http, csrf, url, f"nobody{i}@example.com", "wrong-password", 400))
        fresh, token = form_session(url)
        right.append(sign_in_ms(fresh, token, url, KNOWN, PASSWORD, 302))
    return {"known_wrong": summary(known), "unknown": summary(unknown), "known_right": summary(right),
            "ratio_unknown_to_known": statistics.median(unknown) / statistics.median(known)}


def probe_under_load(url: str, seconds: float, signers: int) -> dict:
    import requests

    stop = threading.Event()
    signed = [0]

    def signer():
        http, csrf = form_session(url)
        while not stop.is_set():
            http.post(url + "/login", data={"email": KNOWN, "password": "wrong-password", "csrf_token": csrf},
                      allow_redirects=False, timeout=60)
            signed[0] += 1

    probe = requests.Session()
    idle = [(time.perf_counter(), probe.get(url + "/login", timeout=30))[0] for _ in range(3)]
    del idle
    threads = [threading.Thread(target=signer, daemon=True) for _ in range(signers)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    latencies = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.perf_counter()
        probe.get(url + "/login", timeout=60)
        latencies.append((time.perf_counter() - started) * 1000)
        time.sleep(0.02)
    stop.set()
    for thread in threads:
        thread.join(60)
    return {"probe": summary(latencies), "sign_ins_per_s": signed[0] / (seconds + 0.5)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--load-seconds", type=float, default=6)
    parser.add_argument("--signers", type=int, default=8)
    args = parser.parse_args(argv)
    print(f"machine: {load_average()} (before)")
    workdir = Path(tempfile.mkdtemp(prefix="rt-bench-signin-"))
    results = {}
    for offload in ("1", "0"):
        env = {"RATELIMIT_ENABLED": "0", "PASSWORD_HASH_OFFLOAD": offload, "MAIL_SENDER_ENABLED": "0"}
        server = LiveServer(workdir / f"offload{offload}", seed=True, env=env, name=f"signin-{offload}")
        with server:
            label = "hashing off the hub (eventlet.tpool)" if offload == "1" else "hashing on the hub (inline)"
            if offload == "1":
                heading("Sign-in time, one request at a time (production password cost)")
                found = timings(server.url, args.samples)
                for key, name in (("known_wrong", "known email, wrong password"), ("unknown", "unknown email"),
                                  ("known_right", "known email, right password")):
                    print(f"{name:32} {fmt_ms(found[key])}")
                print(f"median unknown / median known (wrong password): {found['ratio_unknown_to_known']:.2f}")
                results["timings"] = found
                heading(f"A cheap page (/login) while {args.signers} clients sign in, {args.load_seconds:.0f} s")
            load = probe_under_load(server.url, args.load_seconds, args.signers)
            print(f"{label:38} probe {fmt_ms(load['probe'])}; {load['sign_ins_per_s']:.1f} sign-ins/s")
            results[f"offload_{offload}"] = load
    record("signin", {"args": vars(args), **results})
    print_closing("bench/signin.py", argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
