"""What the deployment tests share: a socket client that records the posts it hears, and a
cluster of real workers on PostgreSQL and Redis with a database and channel of its own."""
from __future__ import annotations

import threading
import time
import uuid

import socketio

from deploy.cluster import Cluster, drop_database, postgres_up, redis_up
from tests.conftest import require_service

PG_SERVER = "postgresql://postgres@127.0.0.1:5432"


def running_cluster(tmp_path_factory, name: str, **shape):
    """Yield a started Cluster (`shape`: its front, ports...) on a database and a Socket.IO
    channel named after `name`; stopped, and its database dropped, afterwards."""
    require_service("Redis", redis_up(), "nothing answers PING on 127.0.0.1:6379")
    require_service("PostgreSQL", postgres_up(), f"cannot connect to {PG_SERVER}/postgres")
    suffix = uuid.uuid4().hex[:8]
    cluster = Cluster(workers=2, database_url=f"{PG_SERVER}/roundtable_test_{name}_{suffix}",
                      channel=f"roundtable-test-{name}-{suffix}", dir=tmp_path_factory.mktemp(f"cluster-{name}"),
                      stop_timeout=5, **shape)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        drop_database(cluster.database_url)


def cluster_token(cluster: Cluster, email: str) -> str:
    """A new API token of the demo person `email`."""
    return cluster.cli("users", "token", "--email", email).stdout.strip().splitlines()[-1]


class Listener:
    """A python-socketio client recording every post.created it hears (alone or in a `batch`)."""

    def __init__(self):
        self.client = socketio.Client(reconnection=False)
        self.posts: list[dict] = []
        self.arrived = threading.Event()

        self.batches = 0

        @self.client.on("post.created")
        def _created(data):
            self.posts.append(data)
            self.arrived.set()

        @self.client.on("batch")  # a burst: several room events in one (docs/socket-events.md)
        def _batch(data):
            self.batches += 1
            self.posts.extend(e["data"] for e in data["events"] if e["name"] == "post.created")
            self.arrived.set()

    def connect(self, url: str, token: str, transports: tuple[str, ...] | None = ("websocket",)) -> None:
        """Connect with an API token; transports=None: long-polling first, then the websocket upgrade."""
        self.client.connect(url, auth={"token": token}, transports=list(transports) if transports else None,
                            wait_timeout=10)

    def after(self, cursor: int, count: int, timeout: float = 10.0) -> list[dict]:
        """The posts heard with a cursor above `cursor` (one committed while the client joined
        may come both live and in `missed`: clients drop it by cursor), once `count` are in."""
        deadline = time.monotonic() + timeout
        while len(fresh := [p for p in self.posts if p["cursor"] > cursor]) < count and time.monotonic() < deadline:
            self.arrived.wait(0.1)
            self.arrived.clear()
        return fresh

    def wait_for(self, count: int, timeout: float = 10.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(self.posts) < count and time.monotonic() < deadline:
            self.arrived.wait(0.1)
            self.arrived.clear()
        return self.posts
