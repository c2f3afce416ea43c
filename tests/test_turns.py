"""Keep-alive connections take turns on the eventlet hub (community/turns.py, issue 16).

A connection whose next request is already waiting in its socket (here: three requests sent at
once, pipelined; under load: a client that asks again the moment it has its answer) is not
served again and again while another connection's request waits: with `taking_turns` the other
request is served after the first one's first request. Without it (eventlet.wsgi as it is) the
three are served back to back first: the starvation behind the thread page's 2-second p95.

eventlet runs in a subprocess started through wsgi.py (`--green-script`: the one module that imports
eventlet and monkey-patches); the test process stays unpatched.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SERVER = r'''
import json, sys
eventlet = globals()["eventlet"]  # handed in by wsgi.py --green-script, monkey-patched already
original = eventlet.patcher.original

from community.turns import taking_turns

served = []


def app(environ, start_response):
    served.append(environ["PATH_INFO"])
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]


protocol = eventlet.wsgi.HttpProtocol
if sys.argv[1] == "turns":
    protocol = taking_turns(protocol, lambda: eventlet.sleep(0))
listener = eventlet.listen(("127.0.0.1", 0))
port = listener.getsockname()[1]
eventlet.spawn(eventlet.wsgi.server, listener, app, protocol=protocol, log_output=False)

# Both clients connect and send before the server greenlet first runs: real (blocking) sockets,
# which the kernel connects through the listener's backlog without yielding to the hub.
real = original("socket")
a = real.create_connection(("127.0.0.1", port))
b = real.create_connection(("127.0.0.1", port))
a.sendall(b"".join(b"GET /a%d HTTP/1.1\r\nHost: test\r\n\r\n" % i for i in range(3)))
b.sendall(b"GET /b HTTP/1.1\r\nHost: test\r\n\r\n")


def answers(sock, count):
    green, data = eventlet.greenio.GreenSocket(sock), b""
    while data.count(b"\r\n\r\nok") < count:
        chunk = green.recv(65536)
        if not chunk:
            break
        data += chunk
    return data.count(b"\r\n\r\nok")


with eventlet.Timeout(20):
    got = [answers(a, 3), answers(b, 1)]
print(json.dumps({"served": served, "answers": got}))
'''


def serve_two_connections(protocol: str, tmp_path: Path) -> list[str]:
    """The order in which the server read the requests of connection a (three, pipelined) and
    connection b (one)."""
    script = tmp_path / "turns_server.py"
    script.write_text(SERVER)
    result = subprocess.run([sys.executable, "wsgi.py", "--green-script", str(script), protocol], cwd=ROOT,
                            capture_output=True, text=True, timeout=60,
                            env={"PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore"})
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["answers"] == [3, 1]  # every request was answered
    return answer["served"]


def test_a_waiting_request_is_served_before_a_busy_connections_next(tmp_path):
    served = serve_two_connections("turns", tmp_path)
    assert sorted(served) == ["/a0", "/a1", "/a2", "/b"]
    assert served.index("/b") < served.index("/a1"), served


def test_without_turns_one_connection_keeps_the_hub(tmp_path):
    # What eventlet.wsgi does by itself: the test above would see it.
    assert serve_two_connections("plain", tmp_path) == ["/a0", "/a1", "/a2", "/b"]

