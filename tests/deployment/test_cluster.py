"""The cluster with nginx in front, booted for real: PostgreSQL, Redis, two eventlet workers.

(The shape for long-polling clients; the shared-port default is test_cluster_reuseport.py.)

deploy/cluster.py starts it on free ports with its own database and Socket.IO
channel. A socket client connects through nginx (long-polling first, then the
websocket upgrade: both must reach the same worker, which the sticky upstream
guarantees); nginx's X-Upstream header and access log say which worker holds it.
A reply posted directly to the OTHER worker's port reaches it through the Redis
queue, and a client that reconnects through nginx catches up with `join` + `since`.
"""
from __future__ import annotations

import json
import re
import time
import urllib.request

import pytest
import socketio

from deploy.cluster import Cluster, ClusterError, ensure_nginx, port_free
from tests.conftest import require_service
from tests.deployment.support import Listener, cluster_token, running_cluster
from tests.server import free_port

MEMBER = "sofia@northwind.example"
SUPPLIER = "ravi@shakti.example"


def _two_free_ports() -> int:
    for _ in range(50):
        base = free_port()
        if port_free(base + 1):
            return base
    raise RuntimeError("no two consecutive free ports")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    try:
        ensure_nginx(install=True)
        nginx_ok, why = True, ""
    except ClusterError as err:
        nginx_ok, why = False, str(err)
    require_service("nginx", nginx_ok, why)

    yield from running_cluster(tmp_path_factory, "cluster", base_port=_two_free_ports(), http_port=free_port(),
                               front="nginx")


def _api(base_url: str, token: str, method: str, path: str, body: dict | None = None):
    request = urllib.request.Request(
        base_url + "/api/v1" + path, method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=15) as response:
        return json.loads(response.read()), response.headers


def _socket_upstreams(shape: Cluster, after: int) -> set[str]:
    """The workers nginx sent /socket.io/ requests to, from the access log past byte `after`."""
    text = (shape.logs / "nginx-access.log").read_text(errors="replace")[after:]
    return set(re.findall(r'"GET /socket\.io/\S* HTTP/1\.1" \d+ \d+ upstream=(\S+)', text))


def _log_size(shape: Cluster) -> int:
    path = shape.logs / "nginx-access.log"
    return path.stat().st_size if path.exists() else 0


def test_a_post_through_one_worker_reaches_a_socket_behind_nginx_on_the_other(cluster):
    member, supplier = cluster_token(cluster, MEMBER), cluster_token(cluster, SUPPLIER)
    made, _ = _api(cluster.url, member, "POST", "/topics/asia-pacific/threads",
                   {"title": "Through nginx", "body": "Opening post", "kind": "discussion"})
    thread_id = made["thread"]["id"]

    listener = Listener()
    mark = _log_size(cluster)
    # Default transports: long-polling, then the upgrade to a websocket; a request of that
    # session reaching the other worker would fail with "Invalid session" (no stickiness).
    listener.connect(cluster.url, supplier, transports=None)
    try:
        joined = listener.client.call("join", {"room": f"thread:{thread_id}"}, timeout=10)
        assert joined["ok"] is True, joined
        deadline = time.monotonic() + 5
        while listener.client.transport() != "websocket" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert listener.client.transport() == "websocket"
        time.sleep(0.3)  # nginx logs a websocket when it closes; the polling requests are logged now
        # Every /socket.io/ request of this client went to one worker (nginx's X-Upstream,
        # in its access log): that one holds the socket; the reply is made on the other.
        upstreams = _socket_upstreams(cluster, mark)
        ports = [f"127.0.0.1:{p}" for p in cluster.worker_ports()]
        assert len(upstreams) == 1 and upstreams <= set(ports), upstreams
        other = "http://" + next(addr for addr in ports if addr not in upstreams)

        started = time.monotonic()
        reply, reply_headers = _api(other, member, "POST", f"/threads/{thread_id}/posts",
                                    {"body": "Made directly on the other worker"})
        assert "X-Upstream" not in reply_headers  # straight to the worker, not through nginx
        heard = listener.wait_for(1)
        assert [p["post"]["id"] for p in heard] == [reply["post"]["id"]]
        assert heard[0]["cursor"] > joined["cursor"]
        assert time.monotonic() - started < 5
        cursor = heard[0]["cursor"]
    finally:
        listener.client.disconnect()

    # While it is away, two replies: one through the other worker, one through nginx.
    missed = [_api(other, member, "POST", f"/threads/{thread_id}/posts", {"body": "Away 1"})[0]["post"]["id"],
              _api(cluster.url, member, "POST", f"/threads/{thread_id}/posts", {"body": "Away 2"})[0]["post"]["id"]]

    again = Listener()
    again.connect(cluster.url, supplier)
    try:
        rejoined = again.client.call("join", {"room": f"thread:{thread_id}", "since": cursor}, timeout=10)
        assert rejoined["ok"] is True, rejoined
        assert [e["name"] for e in rejoined["missed"]] == ["post.created", "post.created"]
        assert [e["data"]["post"]["id"] for e in rejoined["missed"]] == missed
        assert rejoined["cursor"] == rejoined["missed"][-1]["data"]["cursor"]
        later, _ = _api(other, member, "POST", f"/threads/{thread_id}/posts", {"body": "After the catch-up"})
        # "Away 2" may also arrive live, after the join that replayed it (its emit was still on
        # its way): a client drops it by cursor, as static/js/rooms.js does.
        heard = again.after(rejoined["cursor"], 1)
        assert [p["post"]["id"] for p in heard] == [later["post"]["id"]]
    finally:
        again.client.disconnect()


def test_nginx_keeps_the_same_origin_check_working(cluster):
    token = cluster_token(cluster, SUPPLIER)
    own = socketio.Client(reconnection=False, websocket_extra_options={"origin": cluster.url})
    own.connect(cluster.url, auth={"token": token}, transports=["websocket"], wait_timeout=10)
    assert own.connected
    own.disconnect()
    evil = "https://evil.example"
    stranger = socketio.Client(reconnection=False, websocket_extra_options={"origin": evil})
    with pytest.raises(socketio.exceptions.ConnectionError):
        stranger.connect(cluster.url, auth={"token": token}, transports=["websocket"], wait_timeout=5)


def test_pages_are_served_through_nginx_and_every_process_is_up(cluster):
    with urllib.request.urlopen(cluster.url + "/login", timeout=10) as response:
        assert response.status == 200
        assert response.headers["X-Upstream"].startswith("127.0.0.1:")
    state = cluster.status()
    assert all(w["alive"] for w in state["workers"]) and state["nginx"]["alive"]
