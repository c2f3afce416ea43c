"""`make bench`: every benchmark, quick by default, full with `--mode full` (BENCH=full).

    python bench/run.py [--mode quick|full] [--only fanout,pages,data,idle,signin,stall,soak]

Each benchmark runs as its own process and prints its figures and the command that
reproduces them; JSON records go to bench/out/<name>.jsonl. Needs PostgreSQL on
127.0.0.1:5432, Redis on 127.0.0.1:6379, nginx and wrk (installed with apt-get when
missing, as root) and Node (the load clients use node_modules/socket.io-client).
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import OUT, PYTHON, load_average  # noqa: E402

PLANS = {
    "quick": {
        "fanout": [["bench/fanout.py", "--target", "sqlite", "--clients", "500", "--seconds", "5", "--burst", "100"],
                   ["bench/fanout.py", "--target", "cluster", "--clients", "500", "--seconds", "5", "--burst", "100"]],
        "pages": [["bench/pages.py", "--target", "sqlite", "--seconds", "5"],
                  ["bench/pages.py", "--target", "cluster", "--seconds", "5"]],
        "data": [["bench/data.py", "--threads", "10000", "--posts", "100000", "--deep", "2000", "--repeat", "10"]],
        "idle": [["bench/idle.py", "--clients", "2000", "--hold", "25"]],
        "signin": [["bench/signin.py", "--samples", "20", "--load-seconds", "4"]],
        "stall": [["bench/stall.py"]],
        "soak": [["bench/soak.py", "--seconds", "60", "--people", "150", "--hostile", "8"]],
    },
    "full": {
        "fanout": [["bench/fanout.py", "--target", "sqlite", "--clients", "500,1000,2000"],
                   ["bench/fanout.py", "--target", "cluster", "--clients", "500,1000,2000"]],
        "pages": [["bench/pages.py", "--target", "sqlite", "--seconds", "10"],
                  ["bench/pages.py", "--target", "cluster", "--seconds", "10"]],
        "data": [["bench/data.py", "--threads", "100000", "--posts", "1000000", "--deep", "5000"]],
        "idle": [["bench/idle.py", "--clients", "10000", "--hold", "45"]],
        "signin": [["bench/signin.py", "--samples", "60", "--load-seconds", "10"]],
        "stall": [["bench/stall.py", "--repeat", "3"]],
        "soak": [["bench/soak.py", "--seconds", "300", "--people", "200", "--hostile", "10"]],
    },
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=sorted(PLANS), default="quick")
    parser.add_argument("--only", default="", help="comma-separated: fanout,pages,data,idle,signin,stall,soak")
    args = parser.parse_args()
    plan = PLANS[args.mode]
    wanted = [w for w in (args.only.split(",") if args.only else plan) if w]
    unknown = [w for w in wanted if w not in plan]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"Roundtable benchmarks ({args.mode}); {load_average()}. Results also in {OUT}/*.jsonl", flush=True)
    failed = []
    started = time.monotonic()
    for name in wanted:
        for command in plan[name]:
            code = subprocess.run([PYTHON, *command], cwd=ROOT).returncode
            if code != 0:
                failed.append(" ".join(command))
    print(f"\nbenchmarks took {time.monotonic() - started:.0f} s; {load_average()}")
    if failed:
        print("failed: " + "; ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
