"""Several eventlet processes sharing a Redis message queue (and one database).

Two real servers (`python wsgi.py`) run side by side: a post made through
process A reaches a socket connected to process B, and a client that loses B
and reconnects to A catches up from its cursor with exactly what it missed.
Also: Socket.IO accepts connections only from the site's own origin.
"""
from __future__ import annotations

import json
import socket
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import socketio

from tests.conftest import require_service
from tests.deployment.support import Listener
from tests.server import LiveServer

REDIS_URL = "redis://127.0.0.1:6379/0"


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    require_service("Redis", _redis_up(), "nothing answers on 127.0.0.1:6379")
    tmp_path = tmp_path_factory.mktemp("cluster")
    channel = f"roundtable-test-{uuid.uuid4().hex[:8]}"
    # loose post limits: the burst test makes a dozen replies at once (the limits have their own tests)
    env = {"SOCKETIO_CHANNEL": channel, "RATE_LIMITS": json.dumps({"post": "1000/minute", "thread": "100/minute"})}
    a = LiveServer(tmp_path / "a", name="a", seed=True, message_queue=REDIS_URL, env=env)
    b = LiveServer(tmp_path / "b", name="b", database_url=a.database_url, message_queue=REDIS_URL, env=env)
    try:
        a.start()
        b._prepared = True  # same database, already migrated and seeded by a
        b.start()
        yield a, b
    finally:
        a.stop()
        b.stop()


def _token(server: LiveServer, email: str) -> str:
    return server.cli("users", "token", "--email", email).stdout.strip().splitlines()[-1]


def _api(server: LiveServer, token: str, method: str, path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        server.url + "/api/v1" + path, method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_a_post_through_one_process_reaches_a_socket_on_the_other(cluster):
    a, b = cluster
    member = _token(a, "sofia@northwind.example")
    supplier = _token(a, "ravi@shakti.example")
    made = _api(a, member, "POST", "/topics/asia-pacific/threads",
                {"title": "Cross-process check", "body": "Opening post", "kind": "discussion"})
    thread_id = made["thread"]["id"]

    listener = Listener()
    listener.connect(b.url, supplier)
    try:
        joined = listener.client.call("join", {"room": f"thread:{thread_id}"}, timeout=10)
        assert joined["ok"] is True
        cursor = joined["cursor"]

        started = time.monotonic()
        reply = _api(a, member, "POST", f"/threads/{thread_id}/posts", {"body": "Made through process A"})
        heard = listener.wait_for(1)
        elapsed = time.monotonic() - started
        assert [p["post"]["id"] for p in heard] == [reply["post"]["id"]]
        assert heard[0]["cursor"] > cursor
        assert elapsed < 5, f"the post took {elapsed:.2f} s to cross processes"
        cursor = heard[0]["cursor"]
    finally:
        listener.client.disconnect()

    # While the client is away, two more replies are made through B.
    missed_ids = [_api(b, member, "POST", f"/threads/{thread_id}/posts", {"body": f"While you were away {n}"})
                  ["post"]["id"] for n in range(2)]

    # It comes back through the other process (A) and asks for what it missed.
    again = Listener()
    again.connect(a.url, supplier)
    try:
        rejoined = again.client.call("join", {"room": f"thread:{thread_id}", "since": cursor}, timeout=10)
        assert rejoined["ok"] is True
        assert [e["name"] for e in rejoined["missed"]] == ["post.created", "post.created"]
        assert [e["data"]["post"]["id"] for e in rejoined["missed"]] == missed_ids
        assert rejoined["cursor"] == rejoined["missed"][-1]["data"]["cursor"]
        # ... and from then on hears new posts live, once.
        later = _api(b, member, "POST", f"/threads/{thread_id}/posts", {"body": "After the catch-up"})
        assert [p["post"]["id"] for p in again.after(rejoined["cursor"], 1)] == [later["post"]["id"]]
        time.sleep(0.3)
        assert len(again.after(rejoined["cursor"], 1)) == 1
    finally:
        again.client.disconnect()


def test_a_burst_through_one_process_reaches_the_other_whole_and_in_order(cluster):
    """Replies made at once through A come to a socket on B as post.created and `batch` events
    (A's room tick, through the Redis queue): every one, once, in cursor order."""
    a, b = cluster
    member = _token(a, "sofia@northwind.example")
    supplier = _token(a, "ravi@shakti.example")
    thread_id = _api(a, member, "POST", "/topics/asia-pacific/threads",
                     {"title": "Burst across processes", "body": "Opening post", "kind": "discussion"})["thread"]["id"]
    listener = Listener()
    listener.connect(b.url, supplier)
    try:
        assert listener.client.call("join", {"room": f"thread:{thread_id}"}, timeout=10)["ok"] is True
        with ThreadPoolExecutor(max_workers=4) as pool:
            made = list(pool.map(lambda n: _api(a, member, "POST", f"/threads/{thread_id}/posts",
                                                 {"body": f"Burst reply {n}"})["post"]["id"], range(12)))
        heard = listener.wait_for(12)
        time.sleep(0.3)  # nothing more (no duplicate) comes after
        assert sorted(p["post"]["id"] for p in listener.posts) == sorted(made)
        cursors = [p["cursor"] for p in listener.posts]
        assert cursors == sorted(cursors) and len(set(cursors)) == 12, cursors
        assert len(heard) == 12
        print(f"12 replies heard, {listener.batches} batch event(s) among them")
    finally:
        listener.client.disconnect()


def test_presence_is_shared_by_both_processes(cluster):
    a, b = cluster
    member = _token(a, "sofia@northwind.example")
    supplier = _token(a, "ravi@shakti.example")
    thread_id = _api(a, member, "POST", "/topics/asia-pacific/threads",
                     {"title": "Presence across workers", "body": "Opening post"})["thread"]["id"]
    seen: list[dict] = []
    on_a = socketio.Client(reconnection=False)
    on_a.on("presence", lambda data: seen.append(data))
    on_b = socketio.Client(reconnection=False)
    try:
        on_a.connect(a.url, auth={"token": member}, transports=["websocket"], wait_timeout=10)
        assert on_a.call("join", {"room": f"thread:{thread_id}"}, timeout=10)["ok"]
        on_b.connect(b.url, auth={"token": supplier}, transports=["websocket"], wait_timeout=10)
        assert on_b.call("join", {"room": f"thread:{thread_id}"}, timeout=10)["ok"]
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not any(p["count"] == 2 for p in seen):
            time.sleep(0.05)
        assert any(p["count"] == 2 for p in seen), seen
    finally:
        on_a.disconnect()
        on_b.disconnect()


@pytest.mark.parametrize("transport", ["polling", "websocket"])
def test_sockets_accept_only_the_sites_own_origin(cluster, transport):
    a, _ = cluster
    token = _token(a, "ravi@shakti.example")
    evil = "https://evil.example"
    stranger = socketio.Client(reconnection=False, websocket_extra_options={"origin": evil})
    with pytest.raises(socketio.exceptions.ConnectionError):
        stranger.connect(a.url, auth={"token": token}, transports=[transport],
                         headers={"Origin": evil} if transport == "polling" else {}, wait_timeout=5)
    assert not stranger.connected
    own = socketio.Client(reconnection=False, websocket_extra_options={"origin": a.url})
    own.connect(a.url, auth={"token": token}, transports=[transport],
                headers={"Origin": a.url} if transport == "polling" else {}, wait_timeout=5)
    assert own.connected
    own.disconnect()


def _sign_in_with_the_form(server: LiveServer, email: str):
    """A requests session signed in through worker `server`'s login form; (session, csrf token)."""
    import re

    import requests

    browser = requests.Session()
    page = browser.get(server.url + "/login", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = browser.post(server.url + "/login", data={"email": email, "password": "roundtable-demo",
                                                       "csrf_token": token}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:300]
    page = browser.get(server.url + "/settings/sessions", timeout=10).text
    return browser, re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _socket_with_cookies(url: str, browser) -> tuple[socketio.Client, list]:
    ended: list = []
    client = socketio.Client(reconnection=False, websocket_extra_options={"origin": url})
    client.on("session.ended", lambda data: ended.append(data))
    cookie = "; ".join(f"{c.name}={c.value}" for c in browser.cookies)
    client.connect(url, headers={"Cookie": cookie}, transports=["websocket"], wait_timeout=10)
    return client, ended


def _until(condition, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not condition():
        time.sleep(0.05)
    return condition()


def test_signing_out_on_one_process_cuts_the_sessions_sockets_on_the_other(cluster):
    a, b = cluster
    browser, csrf = _sign_in_with_the_form(a, "omar@gulfpack.example")
    on_b, ended = _socket_with_cookies(b.url, browser)
    try:
        assert on_b.connected
        answer = browser.post(a.url + "/settings/sessions/end-all", data={"csrf_token": csrf},
                              allow_redirects=False, timeout=10)
        assert answer.status_code == 302
        assert _until(lambda: not on_b.connected), "the socket on the other process stayed open"
        assert ended and "signed out" in ended[0]["reason"]
        # The cookie is dead on both processes.
        assert browser.get(b.url + "/api/v1/me", timeout=10).status_code == 401
    finally:
        if on_b.connected:
            on_b.disconnect()


def test_revoking_a_token_on_one_process_cuts_its_socket_on_the_other(cluster):
    a, b = cluster
    secret = _token(a, "omar@gulfpack.example")
    on_b = socketio.Client(reconnection=False)
    on_b.connect(b.url, auth={"token": secret}, transports=["websocket"], wait_timeout=10)
    try:
        listed = _api(a, secret, "GET", "/tokens")["tokens"]
        request = urllib.request.Request(a.url + f"/api/v1/tokens/{listed[0]['id']}", method="DELETE",
                                         headers={"Authorization": f"Bearer {secret}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 204
        assert _until(lambda: not on_b.connected), "the token's socket on the other process stayed open"
    finally:
        if on_b.connected:
            on_b.disconnect()
