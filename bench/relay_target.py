"""The reference relay for bench/fanout.py: bench/relay.js (socket.io from npm, one Node process)
as a fan-out target beside ours, and the ratio of our p99 to its p99."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

from bench.common import ROOT

NODE = "node"


class RelayTarget:
    """The reference relay (bench/relay.js): socket.io from npm in one Node process, the same
    load clients, room and sender; no database, permissions or Markdown."""

    name = "Node reference relay (socket.io, 1 process)"

    def __init__(self, workdir: Path):
        from tests.server import free_port

        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None
        self.sessions = 0

    def start(self):
        env = dict(os.environ)
        extra = os.environ.get("RELAY_NODE_PATH")  # socket.io installed elsewhere (npm --prefix)
        if extra:
            env["NODE_PATH"] = extra
        with open(self.workdir / "relay.log", "w") as log:  # the child keeps its own copy
            self.process = subprocess.Popen([NODE, str(ROOT / "bench" / "relay.js"), str(self.port)], env=env,
                                            stdout=subprocess.PIPE, stderr=log, text=True, cwd=ROOT)
        line = self.process.stdout.readline()
        if not line.startswith("LISTENING"):
            raise RuntimeError(f"bench/relay.js did not start: {(self.workdir / 'relay.log').read_text()[-2000:]}")
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        return [self.process.pid]

    def extra_pids(self) -> dict[str, list[int]]:
        return {}

    def local_addresses(self) -> list[str] | None:
        return None

    def new_live(self) -> dict:
        self.sessions += 1
        return {"session_id": self.sessions, "host_token": "relay-host"}

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)


def ratios(ours: dict, ref: dict) -> dict:
    """Our p99 over the relay's, paced and burst (the goal is <= 1.5)."""
    out = {}
    for phase in ("paced", "burst"):
        theirs = ref[phase]["latency_ms"].get("p99") or 0
        out[phase] = round(ours[phase]["latency_ms"].get("p99", 0) / theirs, 2) if theirs else float("nan")
    return out
