"""At most SOCKETS_PER_USER sockets per person and SOCKETS_PER_ADDRESS per address, counted
across workers (Redis); the next one is refused with a reason the page shows."""
from __future__ import annotations

import uuid

import pytest

from community.extensions import socketio
from community.realtime.connection import _too_many_connections
from community.realtime.registry import LocalConnections, RedisConnections
from tests.conftest import require_service


def test_the_socket_past_the_per_user_limit_is_refused_and_a_closed_one_frees_a_place(app, world, login_as):
    app.config.update(SOCKETS_PER_USER=3, SOCKETS_PER_ADDRESS=0)
    http = login_as("supplier")
    socks = [socketio.test_client(app, flask_test_client=http) for _ in range(3)]
    assert all(s.is_connected() for s in socks)
    refused = socketio.test_client(app, flask_test_client=http)
    assert not refused.is_connected()
    # someone else still connects
    other = socketio.test_client(app, flask_test_client=login_as("supplier2"))
    assert other.is_connected()
    socks[0].disconnect()
    again = socketio.test_client(app, flask_test_client=http)
    assert again.is_connected()
    for s in socks[1:] + [other, again]:
        s.disconnect()


def test_the_per_address_limit_counts_everyone_from_that_address(app, world, login_as):
    app.config.update(SOCKETS_PER_USER=0, SOCKETS_PER_ADDRESS=2)
    first = socketio.test_client(app, flask_test_client=login_as("supplier"))
    second = socketio.test_client(app, flask_test_client=login_as("supplier2"))
    third = socketio.test_client(app, flask_test_client=login_as("member"))
    assert first.is_connected() and second.is_connected() and not third.is_connected()
    first.disconnect()
    second.disconnect()


def test_opening_sockets_too_fast_is_refused(app, world, login_as, rate_limits):
    rate_limits["socket_connect"] = "2/minute"
    http = login_as("supplier")
    first, second = (socketio.test_client(app, flask_test_client=http) for _ in range(2))
    assert first.is_connected() and second.is_connected()
    first.disconnect()
    second.disconnect()
    assert not socketio.test_client(app, flask_test_client=http).is_connected()
    assert socketio.test_client(app, flask_test_client=login_as("supplier2")).is_connected()


def test_the_refusal_says_why_and_what_to_do(app):
    with app.test_request_context():
        error = _too_many_connections("user:1", 20)
    assert error.error_args["data"] == {"code": "too_many_connections", "limit": 20}
    assert "20" in error.error_args["message"] and "tabs" in error.error_args["message"]


def test_local_counts_refuse_without_counting_the_refused_one():
    store = LocalConnections()
    limits = {"user:1": 2, "addr:x": 0}
    assert store.add("a", limits) is None and store.add("b", limits) is None
    assert store.add("c", limits) == "user:1"
    assert store.count("user:1") == 2 and store.count("addr:x") == 2
    store.remove("a", limits)
    assert store.add("c", limits) is None


def _redis_url() -> str:
    url = "redis://127.0.0.1:6379/2"
    try:
        import redis
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        available = True
    except Exception:  # noqa: BLE001
        available = False
    require_service("Redis", available, "redis://127.0.0.1:6379 does not answer")
    return url


def test_redis_counts_every_worker_and_forgets_a_dead_one():
    url, prefix = _redis_url(), f"test-{uuid.uuid4().hex[:8]}"
    worker_a, worker_b = RedisConnections(url, prefix), RedisConnections(url, prefix)
    limits = {"user:7": 2}
    assert worker_a.add("a1", limits) is None
    assert worker_b.add("b1", limits) is None
    assert worker_b.add("b2", limits) == "user:7"  # the third, on either worker, is refused
    assert worker_a.count("user:7") == 2
    worker_a.remove("a1", limits)
    assert worker_b.add("b2", limits) is None
    # a worker that died stops refreshing: its sockets stop counting after STALE seconds
    worker_b.STALE = 0.0
    assert worker_b.count("user:7") == 0
    worker_b.STALE = RedisConnections.STALE
    worker_b.refresh({"user:7": ["b1", "b2"]})
    assert worker_b.count("user:7") == 2
    worker_b.remove("b1", limits)
    worker_b.remove("b2", limits)


@pytest.mark.parametrize("auth", [{"token": "x\ud800"}, {"token": ["a"]}, {"token": "t" * 5000}, "junk"])
def test_odd_auth_is_refused_not_a_crash(app, world, auth):
    sock = socketio.test_client(app, auth=auth)
    assert not sock.is_connected()
