"""Keep-alive connections take turns on the eventlet hub (issue 16).

eventlet.wsgi serves each connection in one greenlet, which gives the hub back only when a
read or write would block. A keep-alive client that sends its next request as soon as it has
the answer (a browser, wrk, nginx upstream keep-alive) has often done so by the time the
greenlet has finished writing and logging: the request is already in the socket, the read does
not block, and the same connection is served again at once, and again, while the requests of
every other connection wait in their sockets, for seconds. Measured on the thread page under
16 clients (bench/README.md, issue 16): p50 16 ms but p95 2 s, one connection after another
holding the hub.

`taking_turns(HttpProtocol, sleep0)` gives a protocol that yields to the hub before each request
of a connection (eventlet.sleep(0) from wsgi.py, the only module that imports eventlet): every
other connection whose request is waiting is served before this one's next, round robin, as on
a page whose requests happen to block somewhere. It costs one pass of the hub per request.
"""
from __future__ import annotations

from collections.abc import Callable


def taking_turns(protocol: type, yield_to_hub: Callable[[], object]) -> type:
    """A subclass of eventlet.wsgi's `protocol` that calls `yield_to_hub()` before reading each
    request of a connection (the first one too: a new connection waits its turn like the rest)."""

    class TakingTurns(protocol):
        def handle_one_request(self):
            yield_to_hub()
            return super().handle_one_request()

    TakingTurns.__name__ = TakingTurns.__qualname__ = f"TakingTurns{protocol.__name__}"
    return TakingTurns
