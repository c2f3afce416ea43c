"""What the deployment tests share: a socket client that records the posts it hears."""
from __future__ import annotations

import threading
import time

import socketio


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
