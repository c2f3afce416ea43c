"""What the deployment tests share: a socket client that records the posts it hears."""
from __future__ import annotations

import threading
import time

import socketio


class Listener:
    """A python-socketio client recording every post.created it hears."""

    def __init__(self):
        self.client = socketio.Client(reconnection=False)
        self.posts: list[dict] = []
        self.arrived = threading.Event()

        @self.client.on("post.created")
        def _created(data):
            self.posts.append(data)
            self.arrived.set()

    def connect(self, url: str, token: str, transports: tuple[str, ...] | None = ("websocket",)) -> None:
        """Connect with an API token; transports=None: long-polling first, then the websocket upgrade."""
        self.client.connect(url, auth={"token": token}, transports=list(transports) if transports else None,
                            wait_timeout=10)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(self.posts) < count and time.monotonic() < deadline:
            self.arrived.wait(0.1)
            self.arrived.clear()
        return self.posts
