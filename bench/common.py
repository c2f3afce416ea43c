"""What the benchmarks share: process CPU and memory readings, percentiles, servers, output.

Benchmarks are not tests. Each prints its figures and the command that reproduces
them, and appends a JSON record to bench/out/<name>.jsonl.
"""
from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379/0"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# Load benchmarks play thousands of people from one machine, at rates no person reaches:
# the per-address socket limit and the rate limits would measure themselves, not the site.
# (bench/soak.py keeps them on: its normal users stay within them, its hostile ones do not.)
LOAD_ENV = {"SOCKETS_PER_ADDRESS": "0", "RATELIMIT_ENABLED": "0"}
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


# --- the machine and its processes ---------------------------------------------------------
def load_average() -> str:
    with open("/proc/loadavg") as f:
        one, five, fifteen = f.read().split()[:3]
    return f"load average {one}, {five}, {fifteen} on {os.cpu_count()} cores"


def cpu_seconds(pid: int) -> float:
    """utime + stime of one process, in seconds (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE_SIZE
    except FileNotFoundError:
        return 0


def total_cpu(pids) -> float:
    return sum(cpu_seconds(p) for p in pids)


def total_rss(pids) -> int:
    return sum(rss_bytes(p) for p in pids)


def children_of(pid: int) -> list[int]:
    """Direct children (nginx workers of its master, for instance)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except FileNotFoundError:
        return []


def redis_pid() -> int | None:
    try:
        out = subprocess.run(["redis-cli", "-h", "127.0.0.1", "info", "server"], capture_output=True,
                             text=True, timeout=5).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    for line in out.splitlines():
        if line.startswith("process_id:"):
            return int(line.split(":")[1])
    return None


# --- numbers -----------------------------------------------------------------------------
def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, int(round(p / 100 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[index]


def summary(values: list[float]) -> dict:
    values = sorted(values)
    return {"n": len(values), "p50": percentile(values, 50), "p95": percentile(values, 95),
            "p99": percentile(values, 99), "max": values[-1] if values else float("nan")}


def fmt_ms(stats: dict) -> str:
    return (f"p50 {stats['p50']:.1f} ms, p95 {stats['p95']:.1f} ms, p99 {stats['p99']:.1f} ms, "
            f"max {stats['max']:.1f} ms (n={stats['n']:,})")


# --- output ------------------------------------------------------------------------------
def reproduce_line(argv: list[str] | None = None) -> str:
    argv = argv if argv is not None else sys.argv
    script = os.path.relpath(os.path.abspath(argv[0]), ROOT)
    return "cd " + shlex.quote(str(ROOT)) + " && .venv/bin/python " + " ".join(
        shlex.quote(a) for a in [script, *argv[1:]])


def print_closing(script: str, argv: list[str] | None) -> None:
    """The last lines of every benchmark: the load after it, and the command that reproduces it."""
    print(f"machine: {load_average()} (after)")
    print(f"reproduce: {reproduce_line([script, *(argv if argv is not None else sys.argv[1:])])}")


def record(name: str, data: dict) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    data = {"bench": name, "at": time.strftime("%Y-%m-%dT%H:%M:%S"), **data}
    with open(OUT / f"{name}.jsonl", "a") as out:
        out.write(json.dumps(data, default=str) + "\n")


def heading(text: str) -> None:
    print("\n" + text + "\n" + "-" * len(text), flush=True)


# --- app access for set-up (in a subprocess: config.py reads the environment at import) ------
def cli_env(database_url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    for key in ("TEST_DATABASE_URL", "FLASK_APP", "SOCKETIO_MESSAGE_QUEUE"):
        env.pop(key, None)
    env.update({"DATABASE_URL": database_url, "SOCKETIO_ASYNC_MODE": "threading",
                "PYTHONWARNINGS": "ignore::DeprecationWarning,ignore::Warning"})
    env.update(extra)
    return env


def prepare(database_url: str, *args: str) -> dict:
    """Run bench/prepare.py against a database and return its JSON answer."""
    result = subprocess.run([PYTHON, str(ROOT / "bench" / "prepare.py"), *args], cwd=ROOT,
                            env=cli_env(database_url), capture_output=True, text=True, timeout=1800)
    if result.returncode != 0:
        raise RuntimeError(f"bench/prepare.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def flask(database_url: str, *args: str) -> str:
    result = subprocess.run([PYTHON, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT,
                            env=cli_env(database_url), capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def seeded_sqlite(keep: str, prefix: str, name: str, make) -> tuple[str, dict]:
    """A migrated SQLite database with the demo, in `keep` (reused when it holds `name`, what
    `make(database_url)` returned the first time) or in a new temporary folder."""
    workdir = Path(keep or tempfile.mkdtemp(prefix=prefix))
    workdir.mkdir(parents=True, exist_ok=True)
    database_url = f"sqlite:///{workdir / 'bench.db'}"
    saved = workdir / name
    if saved.exists():
        return database_url, json.loads(saved.read_text())
    flask(database_url, "db", "upgrade")
    flask(database_url, "seed-demo")
    made = make(database_url, workdir)
    saved.write_text(json.dumps(made))
    return database_url, made


def create_pg_database(name: str, fresh: bool = False) -> str:
    from deploy.cluster import create_database, drop_database

    url = f"{PG_SERVER}/{name}"
    if fresh:
        drop_database(url)
    create_database(url)
    return url


def drop_pg_database(name: str) -> None:
    from deploy.cluster import drop_database

    drop_database(f"{PG_SERVER}/{name}")
