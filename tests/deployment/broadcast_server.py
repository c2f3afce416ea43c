"""A bare eventlet Socket.IO server with community/broadcast.py installed, for test_broadcast.py.

    python wsgi.py --green-script tests/deployment/broadcast_server.py   # prints "PORT <n>" once it listens

Every socket joins the room "room" on connect. Control over plain HTTP on the same port:
    GET /control/burst?n=N&size=S&event=E  emits N events E {"seq": i, "pad": "x" * S} to the room
                                           back to back, then answers {"seconds": ...}
    GET /control/stats                      the manager's counts and the room's size
A separate process, started through wsgi.py (the one module that imports eventlet and
monkey-patches, before anything else imports).
"""
eventlet = globals()["eventlet"]  # handed in by wsgi.py --green-script, monkey-patched already

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from urllib.parse import parse_qs  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

import socketio  # noqa: E402

from community.broadcast import client_manager, install  # noqa: E402

STOCK = os.environ.get("STOCK_MANAGER") == "1"  # the stock manager, for comparison
sio = socketio.Server(async_mode="eventlet", client_manager=socketio.Manager() if STOCK else client_manager(None, ""),
                      ping_interval=float(os.environ.get("PING_INTERVAL", "60")),
                      ping_timeout=float(os.environ.get("PING_TIMEOUT", "60")))
install(sio)


@sio.on("connect")
def _connect(sid, environ, auth=None):
    sio.enter_room(sid, "room")


def control(environ, start_response):
    query = {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
    if environ["PATH_INFO"] == "/control/burst":
        pad = "x" * int(query.get("size", "0"))
        event = query.get("event", "tick")
        started = time.perf_counter()
        for seq in range(int(query["n"])):
            sio.emit(event, {"seq": seq, "pad": pad}, to="room")
        body = {"seconds": time.perf_counter() - started}
    elif environ["PATH_INFO"] == "/control/stats":
        body = {**getattr(sio.manager, "counts", {}), "members": len(list(sio.manager.get_participants("/", "room"))),
                "websockets": len(getattr(sio.manager, "websockets", ()))}
    else:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(body).encode()]


if __name__ == "__main__":
    listener = eventlet.listen(("127.0.0.1", 0))
    print(f"PORT {listener.getsockname()[1]}", flush=True)
    eventlet.wsgi.server(listener, socketio.WSGIApp(sio, control), log_output=False)
