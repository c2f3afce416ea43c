"""Room events written once and straight to each member's websocket (issue #16).

python-socketio sends a room event by putting one engine.io packet on every member's queue;
under eventlet each put wakes that socket's writer greenlet, which frames the text and
sends it: one greenlet switch, one framing and one send per member per event. A server's
websocket frames are not masked (RFC 6455, 5.1), so the frame is the same bytes for every
member: `DirectEmitManager` encodes the packet once, frames it once, and writes the frame to
each member's TCP socket without a switch, when the socket can take it now:

- the socket is a websocket (upgraded, not upgrading, not closing), its queue is empty and no
  send is in flight or waiting (the websocket's send lock is free, nobody waits for it):
  nothing queued before can come after;
- the kernel takes the frame. Each write is non-blocking: if it takes part of the frame, the
  rest is finished by a greenlet that holds the websocket's send lock meanwhile, so the writer
  greenlet and later events wait behind it (order holds); a full send buffer means later
  events go through the queue, as before (engine.io's back-pressure and ping rules hold).

Anything else (long-polling sockets, upgrades in progress, events with binary attachments or
acknowledgements, TLS sockets, a send that fails) takes the stock path: `socket.send`, the
queue, the writer greenlet.

permessage-deflate: the websocket class answers every offer with `server_no_context_takeover`
(RFC 7692, 7.1.1.1: a server may add it unasked), so each frame is compressed on its own and
is the same bytes for every socket with the same window: compressed once per window size. It
also spares the zlib stream each socket kept (~100 KB a connection in bench/fanout.py).

Installed by `install(socketio)` in the eventlet mode only (the app factory); this module
does not import eventlet: it subclasses the websocket class engine.io's eventlet driver
already chose. The threading mode of tests and the CLI keeps the stock manager.
"""
from __future__ import annotations

import _socket
import ssl
import struct
import zlib

import socketio
from engineio import packet as eio_packet
from socketio import packet as sio_packet


class Frames:
    """One engine.io message text, framed once (and compressed once per window size)."""

    __slots__ = ("text", "plain", "_deflated")

    def __init__(self, text: str):
        self.text = text.encode("utf-8")
        self.plain = frame(self.text, compressed=False)
        self._deflated: dict[int, bytes] = {}

    def deflated(self, bits: int) -> bytes:
        """The frame compressed on its own (no context takeover) with a window of 2**bits."""
        data = self._deflated.get(bits)
        if data is None:
            compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -bits)
            body = compressor.compress(self.text) + compressor.flush(zlib.Z_SYNC_FLUSH)
            data = self._deflated[bits] = frame(body[:-4], compressed=True)  # RFC 7692, 7.2.1
        return data


def window(ws) -> int | None | bool:
    """None: frames go out plain; an int: compressed on their own with that window; False: the
    websocket keeps a compression context, so only its own writer can frame for it."""
    options = ws.extensions.get("permessage-deflate") if getattr(ws, "extensions", None) else None
    if options is None:
        return None
    if not options.get("server_no_context_takeover"):
        return False
    return int(options.get("server_max_window_bits") or zlib.MAX_WBITS)


def frame(payload: bytes, *, compressed: bool) -> bytes:
    """An unmasked, final text frame (RFC 6455, 5.2), with RSV1 set if compressed (RFC 7692)."""
    first = 0x81 | (0x40 if compressed else 0)
    length = len(payload)
    if length > 65535:
        header = struct.pack("!BBQ", first, 127, length)
    elif length > 125:
        header = struct.pack("!BBH", first, 126, length)
    else:
        header = struct.pack("!BB", first, length)
    return header + payload


def raw_socket(ws):
    """The non-blocking OS socket under an eventlet websocket, or None (TLS, other servers)."""
    green = getattr(ws, "socket", None)
    fd = getattr(green, "fd", None)
    if not isinstance(fd, _socket.socket) or isinstance(fd, ssl.SSLSocket) or isinstance(green, ssl.SSLSocket):
        return None
    if fd.gettimeout() != 0.0:
        return None  # a blocking socket would hold the whole hub in send()
    return fd


class DirectEmitManager(socketio.Manager):
    """socketio.Manager whose room events go straight to websockets that can take them now."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # eio sid -> (eventlet websocket, its raw socket, its compression window: see window())
        self.websockets: dict[str, tuple] = {}
        self.counts = {"direct": 0, "queued": 0, "partial": 0}

    def emit(self, event, data, namespace, room=None, skip_sid=None, callback=None, to=None, **kwargs):
        room = to or room
        if callback or namespace not in self.rooms:
            return super().emit(event, data, namespace, room=room, skip_sid=skip_sid, callback=callback, **kwargs)
        args = list(data) if isinstance(data, tuple) else ([data] if data is not None else [])
        encoded = self.server.packet_class(sio_packet.EVENT, namespace=namespace, data=[event, *args]).encode()
        if isinstance(encoded, list):  # binary attachments: several engine.io packets, the stock path
            return super().emit(event, data, namespace, room=room, skip_sid=skip_sid, callback=callback, **kwargs)
        pkt = eio_packet.Packet(eio_packet.MESSAGE, encoded)
        frames = Frames(pkt.encode())
        skip = skip_sid if isinstance(skip_sid, list) else [skip_sid]
        sockets = self.server.eio.sockets
        websockets = self.websockets
        counts = self.counts
        for sid, eio_sid in self.get_participants(namespace, room):
            if sid in skip:
                continue
            entry = websockets.get(eio_sid)
            if entry is not None and self._write_now(sockets.get(eio_sid), entry, frames):
                counts["direct"] += 1
            else:
                counts["queued"] += 1
                self.server._send_eio_packet(eio_sid, pkt)

    def _write_now(self, sock, entry, frames: Frames) -> bool:
        """Write the frame to this socket now; False: it must go through the socket's queue."""
        ws, fd, window = entry
        if (sock is None or not sock.upgraded or sock.upgrading or sock.closing or sock.closed
                or ws.websocket_closed or sock.queue.qsize()):
            return False
        lock = ws._sendlock
        # Someone sending or waiting to send (the writer with packets in hand, the rest of an
        # earlier partial write): after them. Nothing below switches greenlets until the frame
        # is in the kernel, so a free lock needs no taking unless the write stays unfinished.
        if lock.counter <= 0 or lock._waiters:
            return False
        if sock.last_ping and not sock.check_ping_timeout():
            return True  # closed for a missed pong: dropped, as Socket.send would
        data = frames.plain if window is None else frames.deflated(window)
        try:
            sent = fd.send(data)
        except BlockingIOError:
            sent = 0
        except OSError:
            return False  # the writer meets the same error and closes the socket per engine.io
        if sent == len(data):
            return True
        # The kernel took part of the frame (or none): the rest goes first, behind the send lock
        # (free, nobody waiting: taken at once), so the writer and later events wait for it.
        lock.acquire()
        self.counts["partial"] += 1
        self.server.eio.start_background_task(_finish, ws, lock, memoryview(data)[sent:])
        return True


def _finish(ws, lock, rest) -> None:
    try:
        ws.socket.sendall(rest)
    except OSError:
        # Gone, or no progress for ping_interval + ping_timeout: half a frame was written, so
        # nothing more can follow on this stream; the reader sees the shutdown and closes.
        try:
            ws.socket.shutdown(_socket.SHUT_RDWR)
        except OSError:
            pass
    finally:
        lock.release()


def manager_class(message_queue: str | None) -> type[socketio.Manager]:
    """The manager for this deployment: direct writes, over Redis pub/sub in a cluster (what the
    listener delivers locally goes through the same emit: PubSubManager calls super().emit)."""
    if not message_queue:
        return DirectEmitManager
    if message_queue.startswith(("redis://", "rediss://")):  # the same choice as Flask-SocketIO's
        queue_class = socketio.RedisManager
    elif message_queue.startswith("kafka://"):
        queue_class = socketio.KafkaManager
    elif message_queue.startswith("zmq"):
        queue_class = socketio.ZmqManager
    else:
        queue_class = socketio.KombuManager
    return type("DirectEmit" + queue_class.__name__, (queue_class, DirectEmitManager), {})


def client_manager(message_queue: str | None, channel: str) -> socketio.Manager:
    cls = manager_class(message_queue)
    if message_queue:
        return cls(message_queue, channel=channel)
    return cls()


def install(server: socketio.Server) -> None:
    """Record each eventlet websocket of `server` in its DirectEmitManager while it is open,
    and answer permessage-deflate offers without a server compression context."""
    manager = server.manager
    if not isinstance(manager, DirectEmitManager):
        return
    eio = server.eio
    base = eio._async["websocket"]
    eio._async = {**eio._async, "websocket": _websocket_class(base, manager.websockets)}


def _websocket_class(base, websockets: dict):
    class DirectWebSocketWSGI(base):
        def __init__(self, handler, server):
            eio_socket = getattr(handler, "__self__", None)

            def tracked(ws):
                fd = raw_socket(ws) if eio_socket is not None else None
                bits = window(ws)
                if bits is False:
                    fd = None
                if fd is not None:
                    websockets[eio_socket.sid] = (ws, fd, bits)
                try:
                    return handler(ws)
                finally:
                    if fd is not None and websockets.get(eio_socket.sid, (None,))[0] is ws:
                        del websockets[eio_socket.sid]

            super().__init__(tracked, server)

        def _negotiate_permessage_deflate(self, extensions):
            config = super()._negotiate_permessage_deflate(extensions)
            if config is not None:
                config["server_no_context_takeover"] = True
            return config

    return DirectWebSocketWSGI
