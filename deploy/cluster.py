"""The production shape on one machine: PostgreSQL, Redis and N eventlet workers sharing one port.

    python deploy/cluster.py start [--workers N] [--http-port 8080] [--front reuseport|nginx]
                                   [--shared-port] [--base-port 5101]
                                   [--database roundtable_cluster | --database-url URL]
                                   [--channel roundtable-cluster] [--dir .cluster] [--no-seed]
    python deploy/cluster.py stop   [--dir .cluster]
    python deploy/cluster.py status [--dir .cluster]
    python deploy/cluster.py drop-db --database NAME      # for tests and benchmarks

`make run-cluster` / `make stop-cluster` call this with the defaults. Tests and
benchmarks call it (or `Cluster` from Python) with their own ports, database,
channel and folder, so several clusters can run side by side.

Two fronts (issue 16; figures in bench/README.md):
- `reuseport` (the default, `--shared-port`): every worker listens on 127.0.0.1:<http-port>
  itself with SO_REUSEPORT (wsgi.py, REUSE_PORT=1) and the kernel hands each new connection
  to one of them. No proxy copies the bytes: at 2,000 sockets nginx cost 3.5-8 µs of CPU per
  delivery on top of the workers' 6-12. Nothing is sticky, so Engine.IO serves websocket
  only (SOCKETIO_TRANSPORTS=websocket): a long-polling handshake is answered 400 "Invalid
  transport" at once, rather than a session breaking when its next request lands on the
  other worker ("Invalid session"). Pages connect websocket first; a browser that cannot
  open a websocket (a proxy that blocks it) gets no live updates here: use `nginx`.
  PROXY_FIX=0: clients reach the workers directly, X-Forwarded-For is theirs to choose.
- `nginx`: workers on 127.0.0.1:<base-port + i>, nginx in front on <http-port> with a
  config generated into <dir>/nginx.conf: /socket.io/ sticky with `hash $remote_addr
  consistent` (long-polling needs every request of a session on the worker that holds it)
  and the websocket upgrade; pages `least_conn` with upstream keep-alive; Host and
  X-Forwarded-* preserved (the Socket.IO same-origin check compares Origin with the Host),
  PROXY_FIX=1, and an `X-Upstream` response header naming the worker that answered.

What `start` does, in order:
1. nginx (front `nginx` only): Debian's package, installed with apt-get when missing (root only).
2. Redis must answer PING (it is a service of the machine; nothing is started).
3. PostgreSQL: the database is created when missing, `flask db upgrade`, `flask seed-demo`.
4. SECRET_KEY: generated once into <dir>/secret (0600) and shared by every worker.
5. Workers: `python wsgi.py` with the Redis message queue, the channel and the login rate
   limit shared in Redis; each says in its log when it accepts.
6. nginx (front `nginx` only), its pid, logs and temp folders inside <dir>.
PIDs and ports go to <dir>/state.json; `stop` sends workers SIGTERM, then SIGKILL after a
timeout, and nginx `-s quit`.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379/0"


FRONTS = ("nginx", "reuseport")


class ClusterError(RuntimeError):
    pass


def log(message: str) -> None:
    print(f"[cluster] {message}", flush=True)


# --- prerequisites -----------------------------------------------------------------------
def find_nginx() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx")
                                          if os.access(p, os.X_OK)), None)


def ensure_nginx(install: bool = True) -> str:
    """The nginx binary; installs Debian's nginx-light when missing (as root with apt-get)."""
    found = find_nginx()
    if found or not install:
        if not found:
            raise ClusterError("nginx is not installed (apt-get install -y nginx-light).")
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise ClusterError("nginx is not installed and cannot be installed here "
                           "(needs root and apt-get): run `apt-get install -y nginx-light`.")
    log("installing Debian's nginx-light (apt-get)...")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    command = ["apt-get", "install", "-y", "-q", "nginx-light"]
    if subprocess.run(command, env=env, stdout=subprocess.DEVNULL).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, stdout=subprocess.DEVNULL)
        subprocess.run(command, env=env, stdout=subprocess.DEVNULL)
    found = find_nginx()
    if not found:
        raise ClusterError("apt-get could not install nginx-light: run `apt-get install -y nginx-light`.")
    return found


def redis_up(url: str = REDIS_URL) -> bool:
    parts = urllib.parse.urlparse(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def postgres_up(server_url: str = PG_SERVER) -> bool:
    try:
        import psycopg2

        psycopg2.connect(server_url + "/postgres", connect_timeout=2).close()
        return True
    except Exception:  # noqa: BLE001 - any failure means "not usable"
        return False


def _pg_admin(database_url: str):
    import psycopg2

    parts = urllib.parse.urlparse(database_url.replace("+psycopg2", ""))
    name = parts.path.lstrip("/")
    conn = psycopg2.connect(parts._replace(path="/postgres").geturl(), connect_timeout=5)
    conn.autocommit = True
    return conn, name


def create_database(database_url: str) -> bool:
    """CREATE DATABASE when missing (PostgreSQL); returns whether it was created."""
    if not database_url.startswith(("postgresql", "postgres:")):
        return False
    conn, name = _pg_admin(database_url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if cur.fetchone():
                return False
            cur.execute(f'CREATE DATABASE "{name}"')
            return True
    finally:
        conn.close()


def drop_database(database_url: str) -> None:
    if not database_url.startswith(("postgresql", "postgres:")):
        return
    conn, name = _pg_admin(database_url)
    try:
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        conn.close()


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


# --- the cluster -----------------------------------------------------------------------
@dataclass
class Cluster:
    workers: int = field(default_factory=lambda: os.cpu_count() or 2)
    base_port: int = 5101
    http_port: int = 8080
    database_url: str = f"{PG_SERVER}/roundtable_cluster"
    redis_url: str = REDIS_URL
    channel: str = "roundtable-cluster"
    dir: Path = ROOT / ".cluster"
    seed: bool = True
    access_log: bool = True
    stop_timeout: float = 10.0
    max_connections: int = 10000
    extra_env: dict = field(default_factory=dict)
    # "reuseport" (the default: faster, bench/README.md): every worker listens on http_port
    # itself (SO_REUSEPORT), no nginx; websocket-only Engine.IO, as the kernel cannot keep a
    # polling session on its worker. "nginx": workers on base_port+i behind nginx on
    # http_port (sticky sockets: long-polling works).
    front: str = "reuseport"

    def __post_init__(self):
        self.dir = Path(self.dir).resolve()
        if self.front not in FRONTS:
            raise ClusterError(f"unknown front {self.front!r} (one of {', '.join(FRONTS)})")

    @property
    def shared_port(self) -> bool:
        return self.front == "reuseport"

    # paths
    @property
    def state_path(self) -> Path:
        return self.dir / "state.json"

    @property
    def logs(self) -> Path:
        return self.dir / "logs"

    @property
    def nginx_conf(self) -> Path:
        return self.dir / "nginx.conf"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def worker_ports(self) -> list[int]:
        """The port of each worker (all the same, http_port, on a shared port)."""
        if self.shared_port:
            return [self.http_port] * self.workers
        return [self.base_port + i for i in range(self.workers)]

    def worker_log(self, index: int) -> Path:
        return self.logs / (f"worker-{index}.log" if self.shared_port else f"worker-{self.worker_ports()[index]}.log")

    def worker_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.worker_ports()[index]}"

    # settings
    def secret_key(self) -> str:
        path = self.dir / "secret"
        if not path.exists():
            self.dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(48))
        return path.read_text().strip()

    def environment(self, port: int | None = None) -> dict[str, str]:
        """What a worker (port given) or the CLI (port None) runs with."""
        env = dict(os.environ)
        for key in ("TEST_DATABASE_URL", "SOCKETIO_ASYNC_MODE", "FLASK_APP", "WERKZEUG_RUN_MAIN",
                    "WERKZEUG_SERVER_FD"):
            env.pop(key, None)
        env.update({
            "ROUNDTABLE_ENV": "production",
            # nginx listens on plain http on 127.0.0.1 here; TLS belongs in front of it in a
            # real deployment, where secure cookies go back on (the default in production).
            "SESSION_COOKIE_SECURE": "0",
            "DATABASE_URL": self.database_url,
            "SECRET_KEY": self.secret_key(),
            "SOCKETIO_MESSAGE_QUEUE": self.redis_url,
            "SOCKETIO_CHANNEL": self.channel,
            "RATELIMIT_STORAGE_URI": self.redis_url.rsplit("/", 1)[0] + "/1",
            "PROXY_FIX": "1",
            "MAX_CONNECTIONS": str(self.max_connections),
            "PYTHONUNBUFFERED": "1",
            "PYTHONWARNINGS": "ignore::DeprecationWarning,ignore::Warning:__main__",
            "ACCESS_LOG": "0",
        })
        env.update(self.extra_env)
        if port is None:
            env["SOCKETIO_ASYNC_MODE"] = "threading"  # the CLI stays unpatched (wsgi.py)
        else:
            env.update({"HOST": "127.0.0.1", "PORT": str(port)})
        if self.shared_port:
            # Clients reach the workers directly: X-Forwarded-For would be theirs to choose.
            env.update({"REUSE_PORT": "1", "PROXY_FIX": "0", "SOCKETIO_TRANSPORTS": "websocket"})
        return env

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run([PYTHON, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT,
                                env=self.environment(), capture_output=True, text=True, timeout=300)
        if check and result.returncode != 0:
            raise ClusterError(f"`flask {' '.join(args)}` failed ({result.returncode}):\n"
                               f"{result.stdout}\n{result.stderr}")
        return result

    # state
    def read_state(self) -> dict:
        try:
            return json.loads(self.state_path.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return {}

    def _write_state(self, state: dict) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=2))
        tmp.replace(self.state_path)

    # --- start ---------------------------------------------------------------------------
    def start(self) -> Cluster:
        state = self.read_state()
        if state and any(_alive(w["pid"], "wsgi.py") for w in state.get("workers", [])):
            raise ClusterError(f"a cluster already runs from {self.dir} (stop it first: "
                               f"python deploy/cluster.py stop --dir {self.dir})")
        nginx = None if self.shared_port else ensure_nginx()
        if not redis_up(self.redis_url):
            raise ClusterError(f"Redis does not answer at {self.redis_url} (start redis-server first).")
        busy = [p for p in sorted({*self.worker_ports(), self.http_port}) if not port_free(p)]
        if busy:
            raise ClusterError(f"ports already in use: {busy}")
        self.logs.mkdir(parents=True, exist_ok=True)
        if create_database(self.database_url):
            log(f"created database {self.database_url.rsplit('/', 1)[1]}")
        log("flask db upgrade")
        self.cli("db", "upgrade")
        if self.seed:
            log("flask seed-demo")
            self.cli("seed-demo")
        state = {"dir": str(self.dir), "url": self.url, "database_url": self.database_url,
                 "channel": self.channel, "front": self.front, "workers": [], "nginx": None}
        try:
            for index, port in enumerate(self.worker_ports()):
                state["workers"].append({"port": port, "pid": self._start_worker(index, port)})
                self._write_state(state)
            for index, worker in enumerate(state["workers"]):
                if self.shared_port:  # one port for all: each worker says when it accepts
                    _wait_log(self.worker_log(index), "accepting on the shared port", 60, worker["pid"])
                else:
                    _wait_http(f"http://127.0.0.1:{worker['port']}/login", 60, self.worker_log(index))
            if nginx:
                state["nginx"] = self._start_nginx(nginx)
                self._write_state(state)
            _wait_http(self.url + "/login", 20, self.logs / ("worker-0.log" if self.shared_port else "nginx-error.log"))
        except BaseException:
            self.stop()
            raise
        front = "SO_REUSEPORT, no nginx" if self.shared_port else "nginx"
        ports = ", ".join(str(p) for p in sorted(set(self.worker_ports())))
        log(f"up: {self.url} -> {self.workers} workers on {ports} "
            f"({front}; database {self.database_url}, channel {self.channel}; logs in {self.logs})")
        return self

    def _start_worker(self, index: int, port: int) -> int:
        out = open(self.worker_log(index), "ab")  # noqa: SIM115 (handed to the worker; closed below)
        try:
            process = subprocess.Popen([PYTHON, "wsgi.py"], cwd=ROOT, env=self.environment(port),
                                       stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                       start_new_session=True)
        finally:
            out.close()
        return process.pid

    def write_nginx_conf(self) -> Path:
        temp = self.dir / "nginx-temp"
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (temp / sub).mkdir(parents=True, exist_ok=True)
        servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=0;" for p in self.worker_ports())
        # Repeated in each location: a location with any proxy_set_header of its own inherits none.
        # Host keeps its port: the Socket.IO same-origin check compares Origin with it.
        forwarded = "\n".join("            proxy_set_header " + h for h in (
            "Host $http_host;", "X-Forwarded-For $proxy_add_x_forwarded_for;",
            "X-Forwarded-Proto $scheme;", "X-Forwarded-Host $http_host;"))
        access = f"access_log {self.logs}/nginx-access.log upstreamlog;" if self.access_log else "access_log off;"
        # Each proxied socket holds two descriptors (client and upstream); the file limit is shared.
        conf = f"""# Generated by deploy/cluster.py; edit the generator, not this file.
worker_processes {max(1, min(self.workers, os.cpu_count() or 1))};
worker_rlimit_nofile 20000;
pid {self.dir}/nginx.pid;
error_log {self.logs}/nginx-error.log warn;
daemon on;

events {{
    # a proxied socket holds 2 connections; 10,000 idle clients = 20,000 over the workers
    worker_connections 19000;
    multi_accept on;
}}

http {{
    log_format upstreamlog '$remote_addr [$time_local] "$request" $status $body_bytes_sent '
                           'upstream=$upstream_addr rt=$request_time urt=$upstream_response_time';
    {access}
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    client_max_body_size 1m;
    server_tokens off;

    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ''      '';
    }}

    # Sockets are sticky by client address: Engine.IO long-polling keeps its session in
    # one worker, so every request of that session must reach it (a websocket-only client
    # would not need it). Pages carry no such state and go to the least busy worker.
    upstream roundtable_sockets {{
        hash $remote_addr consistent;
{servers}
    }}

    upstream roundtable_pages {{
        least_conn;
{servers}
        keepalive 32;
    }}

    server {{
        listen 127.0.0.1:{self.http_port} backlog=4096 reuseport;  # accepts spread over nginx workers
        # Which worker answered (tests use it to find "another" worker).
        add_header X-Upstream $upstream_addr always;

        proxy_http_version 1.1;

        location /socket.io/ {{
            proxy_pass http://roundtable_sockets;
{forwarded}
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_buffering off;
            proxy_read_timeout 3600s;
            proxy_send_timeout 3600s;
        }}

        location / {{
            proxy_pass http://roundtable_pages;
{forwarded}
            proxy_set_header Connection "";
            proxy_read_timeout 60s;
        }}
    }}
}}
"""
        self.nginx_conf.write_text(conf)
        return self.nginx_conf

    def _start_nginx(self, nginx: str) -> dict:
        conf = self.write_nginx_conf()
        test = subprocess.run([nginx, "-t", "-q", "-c", str(conf), "-p", str(self.dir), "-e",
                               str(self.logs / "nginx-error.log")], capture_output=True, text=True)
        if test.returncode != 0:
            raise ClusterError(f"nginx rejected {conf}:\n{test.stderr}")
        subprocess.run([nginx, "-c", str(conf), "-p", str(self.dir), "-e", str(self.logs / "nginx-error.log")],
                       check=True)
        pid_path = self.dir / "nginx.pid"
        deadline = time.monotonic() + 10
        while not pid_path.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        if not pid_path.exists():
            raise ClusterError(f"nginx did not start; see {self.logs / 'nginx-error.log'}")
        return {"pid": int(pid_path.read_text().strip()), "binary": nginx, "conf": str(conf),
                "port": self.http_port}

    # --- stop ----------------------------------------------------------------------------
    def stop(self) -> None:
        state = self.read_state()
        if not state:
            log(f"nothing recorded in {self.state_path}: nothing to stop")
            return
        nginx = state.get("nginx")
        if nginx and _alive(nginx["pid"], "nginx"):
            subprocess.run([nginx["binary"], "-c", nginx["conf"], "-p", str(self.dir), "-e",
                            str(self.logs / "nginx-error.log"), "-s", "quit"], capture_output=True)
            if not _wait_gone(nginx["pid"], self.stop_timeout):
                _signal(nginx["pid"], signal.SIGKILL)
        workers = [w for w in state.get("workers", []) if _alive(w["pid"], "wsgi.py")]
        for worker in workers:
            _signal(worker["pid"], signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        for worker in workers:
            if not _wait_gone(worker["pid"], max(0.1, deadline - time.monotonic())):
                log(f"worker {worker['port']} (pid {worker['pid']}) ignored SIGTERM: SIGKILL")
                _signal(worker["pid"], signal.SIGKILL)
                _wait_gone(worker["pid"], 5)
        self.state_path.unlink(missing_ok=True)
        log(f"stopped ({len(workers)} worker(s){' and nginx' if nginx else ''})")

    def status(self) -> dict:
        state = self.read_state()
        for worker in state.get("workers", []):
            worker["alive"] = _alive(worker["pid"], "wsgi.py")
        if state.get("nginx"):
            state["nginx"]["alive"] = _alive(state["nginx"]["pid"], "nginx")
        return state

    def pids(self) -> list[int]:
        """The worker PIDs (for CPU and memory readings)."""
        return [w["pid"] for w in self.read_state().get("workers", [])]

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


# --- process helpers -------------------------------------------------------------------
def _alive(pid: int, needle: str) -> bool:
    """Is `pid` running and still the process we started (not a recycled PID)?"""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return False
    return needle in cmdline and stat.rsplit(")", 1)[1].split()[0] != "Z"


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            # our own children must be reaped, or they stay zombies
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                return True
        except ChildProcessError:
            pass
        if not _alive(pid, ""):
            return True
        time.sleep(0.05)
    return False


def _wait_log(path: Path, needle: str, timeout: float, pid: int) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = path.read_text(errors="replace") if path.exists() else ""
        if needle in text:
            return
        if not _alive(pid, "wsgi.py"):
            break
        time.sleep(0.1)
    tail = path.read_text(errors="replace")[-3000:] if path.exists() else "(no log)"
    raise ClusterError(f"worker {pid} did not say {needle!r} within {timeout:.0f} s. {path}:\n{tail}")


def _wait_http(url: str, timeout: float, log_path: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return  # any HTTP answer means it serves
        except (TimeoutError, urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.1)
    tail = log_path.read_text(errors="replace")[-3000:] if log_path.exists() else "(no log)"
    raise ClusterError(f"{url} did not answer within {timeout:.0f} s. {log_path}:\n{tail}")


# --- command line ----------------------------------------------------------------------
def _cluster_from(args) -> Cluster:
    url = args.database_url or f"{PG_SERVER}/{args.database}"
    return Cluster(workers=args.workers, base_port=args.base_port, http_port=args.http_port,
                   database_url=url, redis_url=args.redis, channel=args.channel, dir=Path(args.dir),
                   seed=not args.no_seed, access_log=not args.no_access_log,
                   front="reuseport" if args.shared_port else args.front)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["start", "stop", "status", "drop-db", "nginx-conf"])
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS") or os.cpu_count() or 2))
    parser.add_argument("--base-port", type=int, default=int(os.environ.get("BASE_PORT", "5101")))
    parser.add_argument("--http-port", type=int, default=int(os.environ.get("HTTP_PORT", "8080")))
    parser.add_argument("--database", default=os.environ.get("CLUSTER_DATABASE", "roundtable_cluster"))
    parser.add_argument("--database-url", default=os.environ.get("CLUSTER_DATABASE_URL"))
    parser.add_argument("--redis", default=os.environ.get("CLUSTER_REDIS_URL", REDIS_URL))
    parser.add_argument("--channel", default=os.environ.get("CLUSTER_CHANNEL", "roundtable-cluster"))
    parser.add_argument("--dir", default=os.environ.get("CLUSTER_DIR", str(ROOT / ".cluster")))
    parser.add_argument("--no-seed", action="store_true")
    parser.add_argument("--no-access-log", action="store_true")
    parser.add_argument("--front", choices=FRONTS, default=os.environ.get("CLUSTER_FRONT", "reuseport"),
                        help="nginx in front of base-port+i, or every worker on http-port (SO_REUSEPORT)")
    parser.add_argument("--shared-port", action="store_true", help="the same as --front reuseport")
    args = parser.parse_args(argv)
    cluster = _cluster_from(args)
    try:
        if args.command == "start":
            cluster.start()
            print(f"Roundtable cluster: {cluster.url}  (stop: make stop-cluster)")
        elif args.command == "stop":
            cluster.stop()
        elif args.command == "status":
            print(json.dumps(cluster.status(), indent=2))
        elif args.command == "drop-db":
            drop_database(cluster.database_url)
        elif args.command == "nginx-conf":
            print(cluster.write_nginx_conf().read_text())
    except ClusterError as err:
        print(f"[cluster] error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
