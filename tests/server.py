"""Run the REAL server (`python wsgi.py`, eventlet) as a subprocess, for browser and multi-process tests.

    server = LiveServer(tmp_path, seed=True).start()
    ... server.url ...
    server.restart()        # same port, same database (reconnect journeys)
    server.stop()

The database is migrated with `flask db upgrade` (and optionally seeded with
`flask seed-demo`) before the first start. Output goes to a log file in the
server's folder; `log_tail()` returns its end, and start failures include it.
Several servers may share one database and a Redis message queue
(`LiveServer(..., database_url=a.database_url, message_queue="redis://...")`).
"""
from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "live-server-secret-key-for-tests"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerError(RuntimeError):
    pass


_running: set[LiveServer] = set()


@atexit.register
def _stop_leftovers() -> None:
    """A test run that ends abruptly must not leave servers behind."""
    for server in list(_running):
        server.stop(timeout=2)


class LiveServer:
    """One `python wsgi.py` process on 127.0.0.1:<port>, restartable on the same port and database."""

    def __init__(
        self,
        workdir: str | os.PathLike | None = None,
        *,
        database_url: str | None = None,
        seed: bool = False,
        message_queue: str | None = None,
        port: int | None = None,
        env: dict[str, str] | None = None,
        name: str = "server",
        start_timeout: float = 30.0,
    ) -> None:
        self.workdir = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="roundtable-live-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.database_url = database_url or f"sqlite:///{self.workdir / (name + '.db')}"
        self.seed = seed
        self.message_queue = message_queue
        self.port = port or free_port()
        self.extra_env = dict(env or {})
        self.start_timeout = start_timeout
        self.log_path = self.workdir / f"{name}.log"
        self.process: subprocess.Popen | None = None
        self._prepared = False

    # --- what tests use --------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LiveServer:
        if self.process is not None and self.process.poll() is None:
            return self
        if not self._prepared:
            self.cli("db", "upgrade")
            if self.seed:
                self.cli("seed-demo")
            self._prepared = True
        self._log("--- starting python wsgi.py on " + self.url)
        log = open(self.log_path, "ab")  # noqa: SIM115 (the server process writes to it; closed on stop)
        try:
            self.process = subprocess.Popen(
                [sys.executable, "wsgi.py"], cwd=ROOT, env=self.environment(server=True),
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,  # signals to the test runner never reach it
            )
        finally:
            log.close()
        _running.add(self)
        self._wait_until_up()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Terminate (SIGTERM), then kill after `timeout` seconds. Safe to call twice."""
        process, self.process = self.process, None
        _running.discard(self)
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)
        self._log(f"--- stopped (exit code {process.returncode})")

    def kill(self) -> None:
        """Stop abruptly (SIGKILL), as a crash would."""
        process, self.process = self.process, None
        _running.discard(self)
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGKILL)
            process.wait(5)
            self._log("--- killed")

    def restart(self, down_for: float = 0.0) -> LiveServer:
        """Stop and start again on the same port and database (clients see a dropped connection)."""
        self.stop()
        if down_for:
            time.sleep(down_for)
        return self.start()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def cli(self, *args: str, check: bool = True, timeout: float = 120.0) -> subprocess.CompletedProcess:
        """Run `flask --app wsgi <args>` against this server's database; output is logged too."""
        result = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT,
            env=self.environment(server=False), capture_output=True, text=True, timeout=timeout,
        )
        self._log(f"--- flask {' '.join(args)} (exit {result.returncode})\n{result.stdout}{result.stderr}")
        if check and result.returncode != 0:
            raise ServerError(f"`flask {' '.join(args)}` failed with exit code {result.returncode}:\n"
                              f"{result.stdout}\n{result.stderr}")
        return result

    def log_tail(self, lines: int = 80) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return "(no log yet)"
        return "\n".join(text.splitlines()[-lines:])

    def environment(self, server: bool) -> dict[str, str]:
        env = dict(os.environ)
        # The test process's own settings must not leak into the server.
        for key in ("TEST_DATABASE_URL", "SOCKETIO_ASYNC_MODE", "SOCKETIO_MESSAGE_QUEUE", "FLASK_APP",
                    "ROUNDTABLE_ENV", "WERKZEUG_RUN_MAIN", "WERKZEUG_SERVER_FD"):
            env.pop(key, None)
        env.update({
            "DATABASE_URL": self.database_url,
            "SECRET_KEY": SECRET_KEY,
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "PYTHONUNBUFFERED": "1",
            "FILE_STORAGE_PATH": str(self.workdir / "uploads"),  # uploaded files stay in the server's folder
            # eventlet's EventletDeprecationWarning (a plain Warning, raised at wsgi.py's import)
            "PYTHONWARNINGS": "ignore::DeprecationWarning,ignore::Warning:__main__",
        })
        if self.message_queue:
            env["SOCKETIO_MESSAGE_QUEUE"] = self.message_queue
        if not server:
            env["SOCKETIO_ASYNC_MODE"] = "threading"  # the CLI stays unpatched (wsgi.py)
        env.update(self.extra_env)
        return env

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<LiveServer {self.name} {self.url} {'running' if self.running else 'stopped'}>"

    # --- internals ------------------------------------------------------------------
    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                code = self.process.returncode if self.process else None
                self.process = None
                _running.discard(self)
                raise ServerError(f"The server exited with code {code} while starting. "
                                  f"Log {self.log_path}:\n{self.log_tail()}")
            try:
                # Any HTTP answer (a redirect to /login included) means it is serving.
                urllib.request.urlopen(self.url + "/login", timeout=2).close()
                return
            except urllib.error.HTTPError:
                return
            except (TimeoutError, urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.1)
        self.stop()
        raise ServerError(f"The server did not answer on {self.url} within {self.start_timeout:.0f} s. "
                          f"Log {self.log_path}:\n{self.log_tail()}")

    def _log(self, line: str) -> None:
        with open(self.log_path, "a", encoding="utf-8") as log:
            log.write(line.rstrip("\n") + "\n")
