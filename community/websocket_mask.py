"""Unmasking websocket frames at C speed, not one byte at a time on the hub.

Every frame a browser sends is XOR-masked (RFC 6455, 5.3). eventlet's websocket unmasks
it in a Python generator, one byte per step: 0.34 s of CPU for a 512 KB message (the
largest a socket may send), during which the eventlet hub serves nobody else. XOR-ing
the frame as one big integer does the same in a few milliseconds.

wsgi.py (the only module that imports eventlet) puts `apply_mask` in place of eventlet's
RFC6455WebSocket._apply_mask after monkey-patching; the threading mode of tests and the CLI
does not use eventlet's websocket.
"""
from __future__ import annotations


def apply_mask(data, mask, length=None, offset=0) -> bytes:
    """eventlet's RFC6455WebSocket._apply_mask, same arguments, same bytes: the first
    `length` bytes of `data` XOR the 4-byte `mask`, starting at `offset` in the mask."""
    if length is None:
        length = len(data)
    if length <= 0:
        return b""
    shift = offset % 4
    key = (bytes(mask[shift:]) + bytes(mask[:shift])) * (length // 4 + 1)
    value = int.from_bytes(bytes(data[:length]), "little") ^ int.from_bytes(key[:length], "little")
    return value.to_bytes(length, "little")

