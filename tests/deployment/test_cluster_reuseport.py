"""The shared-port cluster, booted for real: two eventlet workers listening on ONE port with
SO_REUSEPORT (deploy/cluster.py --front reuseport), no nginx, PostgreSQL and Redis.

The kernel hands each new connection to one of the workers. Websocket clients connect straight
to the port and land on both (which worker holds a socket is read from /proc: the worker
process owning the server end of the client's TCP connection); a reply posted through the same
port, to whichever worker the kernel picks, reaches every one of them through the Redis queue.
Long-polling is not served there (no stickiness: a polling session's next request could land
on the other worker): its handshake is refused at once, and pages start on websocket.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from deploy.cluster import Cluster, ClusterError
from tests.deployment.support import Listener, cluster_token, running_cluster
from tests.server import free_port

MEMBER = "sofia@northwind.example"
SUPPLIER = "ravi@shakti.example"
SOCKETS = 16  # under SOCKETS_PER_USER (20); all on one worker by chance: 2 in 65,536


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    yield from running_cluster(tmp_path_factory, "reuseport", http_port=free_port(), front="reuseport")


def _api(base_url: str, token: str, method: str, path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        base_url + "/api/v1" + path, method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=15) as response:  # a new connection each time
        return json.loads(response.read())


def _tcp_sockets(port: int) -> dict[int, tuple[int, int]]:
    """inode -> (local port, remote port) of every TCP socket on 127.0.0.1 touching `port`."""
    found = {}
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, inode = int(fields[1].split(":")[1], 16), int(fields[2].split(":")[1], 16), int(fields[9])
        if port in (local, remote):
            found[inode] = (local, remote)
    return found


def _socket_inodes(pid: int) -> set[int]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = fd.readlink().name
        except OSError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[8:-1]))
    return inodes


def _holders(shape: Cluster, listeners: list[Listener]) -> list[int]:
    """For each listener, the worker PID holding the server end of its websocket."""
    sockets = _tcp_sockets(shape.http_port)
    by_client_port = {}
    for pid in shape.pids():
        for inode in _socket_inodes(pid) & sockets.keys():
            local, remote = sockets[inode]
            if local == shape.http_port and remote:
                by_client_port[remote] = pid
    return [by_client_port.get(ls.client.eio.ws.sock.getsockname()[1]) for ls in listeners]


def test_websockets_land_on_both_workers_and_all_hear_a_reply(cluster):
    member, supplier = cluster_token(cluster, MEMBER), cluster_token(cluster, SUPPLIER)
    thread_id = _api(cluster.url, member, "POST", "/topics/asia-pacific/threads",
                     {"title": "On one port", "body": "Opening post", "kind": "discussion"})["thread"]["id"]
    listeners = [Listener() for _ in range(SOCKETS)]
    try:
        for listener in listeners:
            listener.connect(cluster.url, supplier)  # websocket, straight to the shared port
            assert listener.client.call("join", {"room": f"thread:{thread_id}"}, timeout=10)["ok"] is True
        holders = _holders(cluster, listeners)
        assert None not in holders, holders
        assert set(holders) == set(cluster.pids()), holders  # the kernel spread them over both

        # Four replies, each on a new connection: the kernel picks a worker for each.
        replies = [_api(cluster.url, member, "POST", f"/threads/{thread_id}/posts", {"body": f"Reply {i}"})
                   ["post"]["id"] for i in range(4)]
        for listener in listeners:
            heard = listener.wait_for(4)
            assert sorted(p["post"]["id"] for p in heard) == sorted(replies)
    finally:
        for listener in listeners:
            listener.client.disconnect()


def test_long_polling_is_refused_at_the_handshake(cluster):
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(cluster.url + "/socket.io/?EIO=4&transport=polling", timeout=10)
    assert refused.value.code == 400
    assert "Invalid transport" in refused.value.read().decode()


def test_both_workers_listen_on_the_port_trusting_no_forwarded_header(cluster):
    with urllib.request.urlopen(cluster.url + "/login", timeout=10) as response:
        assert response.status == 200
    state = cluster.status()
    assert state["front"] == "reuseport" and state["nginx"] is None
    assert len(state["workers"]) == 2 and all(w["alive"] and w["port"] == cluster.http_port
                                              for w in state["workers"])
    listening = {inode for inode, (local, remote) in _tcp_sockets(cluster.http_port).items()
                 if local == cluster.http_port and remote == 0}
    for pid in cluster.pids():
        assert _socket_inodes(pid) & listening, f"worker {pid} does not listen on {cluster.http_port}"
        environ = dict(item.split("=", 1) for item in
                       Path(f"/proc/{pid}/environ").read_text().split("\0") if "=" in item)
        # Clients talk to the workers directly: X-Forwarded-For would be theirs to choose.
        assert (environ["REUSE_PORT"], environ["PROXY_FIX"], environ["SOCKETIO_TRANSPORTS"]) == ("1", "0", "websocket")


def test_an_unknown_front_is_refused():
    with pytest.raises(ClusterError):
        Cluster(front="haproxy")
