"""Room events written straight to websockets (community/broadcast.py), against real clients.

A bare eventlet Socket.IO server with the direct-write manager (broadcast_server.py) sends
bursts of numbered events to one room; python-socketio clients, Node socket.io-client
sockets (broadcast_client.js) and raw websockets that stop reading listen on websocket,
long-polling only, and long-polling then the upgrade. Every listener must hear every event
of a burst exactly once and in order; a reader that stops reading must hold up nobody and
get its events in order once it reads; sockets that vanish mid-broadcast harm nobody.
"""
from __future__ import annotations

import base64
import json
import os
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.request
import zlib
from pathlib import Path

import engineio.packet
import engineio.payload
import pytest
import socketio

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    log = tmp_path_factory.mktemp("broadcast") / "server.log"
    with open(log, "w") as err:
        # Through wsgi.py, the one module that imports eventlet (and monkey-patches first);
        # the test run's own threading mode stays out of the server's environment.
        env = {k: v for k, v in os.environ.items() if k != "SOCKETIO_ASYNC_MODE"}
        process = subprocess.Popen([sys.executable, "wsgi.py", "--green-script", str(HERE / "broadcast_server.py")],
                                   cwd=ROOT, stdout=subprocess.PIPE, stderr=err, text=True, env=env)
    try:
        line = process.stdout.readline()
        assert line.startswith("PORT "), f"server did not start: {line!r}\n{log.read_text()}"
        yield Server(f"http://127.0.0.1:{line.split()[1]}", process, log)
    finally:
        process.terminate()
        process.wait(10)


class Server:
    def __init__(self, url: str, process: subprocess.Popen, log: Path):
        self.url, self.process, self.log = url, process, log
        self.port = int(url.rsplit(":", 1)[1])

    def get(self, path: str) -> dict:
        with urllib.request.urlopen(self.url + path, timeout=60) as response:
            return json.loads(response.read())

    def burst(self, n: int, size: int = 0) -> dict:
        return self.get(f"/control/burst?n={n}&size={size}")

    def stats(self) -> dict:
        return self.get("/control/stats")


@pytest.fixture(autouse=True)
def python_polling_payloads(monkeypatch):
    # python-engineio's client refuses a long-polling answer of more than 16 packets (a guard
    # meant for servers); a burst answers with hundreds, as it does for browsers.
    monkeypatch.setattr(engineio.payload.Payload, "max_decode_packets", 100_000)


class PyListener:
    """A python-socketio client recording the `tick` seqs in the order they came off the wire
    (its engine.io client hands each message to its handler in a new thread, so the order in
    which handlers run is not the order of arrival)."""

    def __init__(self, url: str, transports: list[str] | None):
        self.seqs: list[int] = []
        self.client = socketio.Client(reconnection=False)
        receive = self.client.eio._receive_packet

        def on_the_wire(pkt):
            if pkt.packet_type == engineio.packet.MESSAGE and str(pkt.data).startswith('2["tick",'):
                self.seqs.append(json.loads(pkt.data[1:])[1]["seq"])
            return receive(pkt)

        self.client.eio._receive_packet = on_the_wire
        self.client.connect(url, transports=transports, wait_timeout=20)


class NodeListeners:
    def __init__(self, url: str, kinds: list[str]):
        self.process = subprocess.Popen(["node", str(HERE / "broadcast_client.js"), url, ",".join(kinds)],
                                        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        assert line.strip() == "READY", line

    def report(self) -> list[dict]:
        self.process.stdin.write("REPORT\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line.startswith("REPORT "), line
        return json.loads(line[len("REPORT "):])

    def quit(self) -> None:
        try:
            self.process.stdin.write("QUIT\n")
            self.process.stdin.flush()
            self.process.wait(10)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()


class RawWebSocket:
    """An engine.io websocket over a bare TCP socket with a tiny receive buffer, which reads
    only when told: a reader whose socket buffer fills."""

    def __init__(self, port: int, deflate: bool = False):
        self.deflate = deflate
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.connect(("127.0.0.1", port))
        self.sock.settimeout(30)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                           f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           + ("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
                              if deflate else "")
                           + "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self.sock.recv(4096)
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.1 101"), head
        self.head = head.decode()
        assert self.message().startswith("0{")  # engine.io OPEN
        self.send("40")  # socket.io CONNECT to "/"
        assert self.message().startswith("40{")

    def _read(self, n: int) -> bytes:
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def message(self) -> str:
        first, second = self._read(2)
        length = second & 0x7F
        if length == 126:
            length = struct.unpack("!H", self._read(2))[0]
        elif length == 127:
            length = struct.unpack("!Q", self._read(8))[0]
        assert first in (0x81, 0xC1) and not second & 0x80, (first, second)  # final, text, unmasked
        data = self._read(length)
        if first & 0x40:  # RSV1: compressed, each message on its own (server_no_context_takeover)
            assert self.deflate
            data = zlib.decompressobj(-zlib.MAX_WBITS).decompress(data + b"\x00\x00\xff\xff")
        return data.decode()

    def send(self, text: str) -> None:
        payload, mask = text.encode(), os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(bytes([0x81, 0x80 | len(payload)]) + mask + masked)

    def ticks(self, count: int) -> list[int]:
        seqs = []
        while len(seqs) < count:
            text = self.message()
            if text.startswith("42"):
                event, data = json.loads(text[2:])
                assert event == "tick"
                seqs.append(data["seq"])
        return seqs

    def vanish(self) -> None:
        """Close with a reset, with unread data in the buffer, as a dropped connection would."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()


def wait_until(predicate, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_every_transport_hears_every_event_once_and_in_order(server):
    before = server.stats()
    py = {kind: PyListener(server.url, transports) for kind, transports in
          (("websocket", ["websocket"]), ("polling", ["polling"]), ("upgrade", None))}
    node = NodeListeners(server.url, ["websocket", "polling", "upgrade", "upgrade"])
    try:
        # The first burst comes while the upgrading sockets are still on long-polling or in
        # the middle of their upgrade; the second once they are on the websocket.
        server.burst(300, size=200)
        time.sleep(2)
        server.burst(200, size=200)
        expected = list(range(300)) + list(range(200))
        assert wait_until(lambda: all(len(p.seqs) >= 500 for p in py.values())
                          and all(len(r["seqs"]) >= 500 for r in node.report()))
        time.sleep(0.5)  # nothing more (no duplicates) arrives
        for kind, listener in py.items():
            assert listener.seqs == expected, kind
        report = node.report()
        for entry in report:
            assert entry["seqs"] == expected, entry["kind"]
            assert entry["reasons"] == []
        assert [e["transport"] for e in report] == ["websocket", "polling", "websocket", "websocket"]
        assert py["upgrade"].client.transport() == "websocket"
        after = server.stats()
        # the websockets were written to directly; the long-polling sockets through their queues
        assert after["direct"] - before["direct"] >= 4 * 200
        assert after["queued"] - before["queued"] >= 2 * 500
    finally:
        node.quit()
        for listener in py.values():
            listener.client.disconnect()


def test_a_reader_that_stops_reading_holds_up_nobody_and_later_reads_all_in_order(server):
    slow = RawWebSocket(server.port)
    py = PyListener(server.url, ["websocket"])
    node = NodeListeners(server.url, ["websocket", "polling"])
    before = server.stats()
    try:
        n, size = 800, 8000  # 6.4 MB: more than the slow reader's socket buffers hold
        server.burst(n, size=size)
        # everyone else hears the whole burst while the slow reader has read nothing
        assert wait_until(lambda: len(py.seqs) >= n and all(len(r["seqs"]) >= n for r in node.report()))
        assert py.seqs == list(range(n))
        assert all(r["seqs"] == list(range(n)) for r in node.report())
        after = server.stats()
        assert after["partial"] > before["partial"]  # its send buffer did fill: the rest was handed over
        # the slow reader, reading at last, gets every event in order, then the next burst too
        assert slow.ticks(n) == list(range(n))
        server.burst(50)
        assert slow.ticks(50) == list(range(50))
        assert wait_until(lambda: len(py.seqs) >= n + 50)
        assert py.seqs[n:] == list(range(50))
    finally:
        node.quit()
        py.client.disconnect()
        slow.vanish()


def test_sockets_that_vanish_mid_broadcast_harm_nobody(server):
    raws = [RawWebSocket(server.port) for _ in range(4)]
    py = PyListener(server.url, ["websocket"])
    node = NodeListeners(server.url, ["websocket", "polling", "upgrade"])
    try:
        members = server.stats()["members"]
        n = 400
        sending = threading.Thread(target=server.burst, args=(n, 8000))
        sending.start()
        time.sleep(0.05)
        for raw in raws[:2]:
            raw.vanish()  # during the burst (or while its rest is still being written)
        sending.join(60)
        for raw in raws[2:]:
            raw.vanish()  # after it, with their buffers full
        server.burst(n, size=100)
        expected = list(range(n)) * 2
        assert wait_until(lambda: len(py.seqs) >= 2 * n and all(len(r["seqs"]) >= 2 * n for r in node.report()))
        assert py.seqs == expected
        for entry in node.report():
            assert entry["seqs"] == expected, entry["kind"]
            assert entry["reasons"] == []
        # the vanished sockets are gone from the room and from the direct-write table
        assert wait_until(lambda: server.stats()["members"] == members - 4, timeout=30)
        assert server.process.poll() is None
        assert "Traceback" not in server.log.read_text()
    finally:
        node.quit()
        py.client.disconnect()
    assert wait_until(lambda: server.stats()["websockets"] == 0, timeout=30)


def test_compressed_websockets_share_one_compressed_frame(server):
    """permessage-deflate is answered without a server compression context, so the frame,
    compressed once, is the same for each such member and still goes out directly."""
    readers = [RawWebSocket(server.port, deflate=True) for _ in range(2)]
    try:
        for reader in readers:
            assert "permessage-deflate" in reader.head and "server_no_context_takeover" in reader.head
        before = server.stats()
        server.burst(300, size=2000)
        for reader in readers:
            assert reader.ticks(300) == list(range(300))
        assert server.stats()["direct"] - before["direct"] >= 2 * 300 - 10  # a full buffer may queue a few
    finally:
        for reader in readers:
            reader.vanish()
