"""The load side of bench/fanout.py: Node processes holding the clients (bench/fanout_client.js),
and waiting for the server to go quiet."""
from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from pathlib import Path

from bench.common import ROOT, total_cpu

NODE = "node"


class Loader:
    def __init__(self, url: str, tokens: list[str], room: str, run: str, local: list[str] | None,
                 workdir: Path, index: int, deflate: bool):
        self.out = workdir / f"loader-{index}.json"
        config = {"url": url, "tokens": tokens, "room": room, "run": run, "localAddresses": local,
                  "concurrency": 40, "out": str(self.out), "deflate": deflate}
        config_path = workdir / f"loader-{index}-config.json"
        config_path.write_text(json.dumps(config))
        self.process = subprocess.Popen([NODE, str(ROOT / "bench" / "fanout_client.js"), str(config_path)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        self.ready: dict | None = None

    def wait_line(self, prefix: str, timeout: float) -> str:
        result: list[str] = []

        def read():
            for line in self.process.stdout:
                if line.startswith(prefix) or line.startswith("FAILED"):
                    result.append(line.strip())
                    return

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(timeout)
        if not result:
            raise RuntimeError(f"load process {self.process.pid}: no {prefix} within {timeout:.0f} s")
        if result[0].startswith("FAILED"):
            raise RuntimeError(result[0])
        return result[0]

    def send(self, command: str) -> None:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()

    def report(self) -> dict:
        self.send("REPORT")
        self.wait_line("DONE", 120)
        return json.loads(self.out.read_text())

    def quit(self) -> None:
        try:
            self.send("QUIT")
            self.process.wait(10)
        except (BrokenPipeError, subprocess.TimeoutExpired, OSError):
            self.process.kill()
            self.process.wait(5)


def fd_count(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except FileNotFoundError:
        return 0


def wait_idle(pids: list[int], threshold: float = 0.05, window: float = 0.5, timeout: float = 120) -> float:
    """Wait until the processes use less than `threshold` of a core over `window`; returns seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        before = total_cpu(pids)
        time.sleep(window)
        if (total_cpu(pids) - before) / window < threshold * max(1, len(pids)):
            break
    return time.monotonic() - started
