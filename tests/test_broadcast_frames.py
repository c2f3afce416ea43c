"""community/broadcast.py's frames, read back by an RFC 6455 / RFC 7692 reader written here:
what the server writes straight to every member's socket. The path itself runs against real
clients in tests/deployment/test_broadcast.py."""
from __future__ import annotations

import socket
import struct
import types
import zlib

import pytest
import socketio

from community.broadcast import DirectEmitManager, Frames, frame, manager_class, raw_socket, window


def read_frame(data: bytes) -> tuple[int, bool, bytes, int]:
    """(first byte, masked?, payload, header length) of one frame, per RFC 6455, 5.2."""
    first, second = data[0], data[1]
    length, at = second & 0x7F, 2
    if length == 126:
        (length,), at = struct.unpack("!H", data[2:4]), 4
        assert length > 125  # the shortest encoding
    elif length == 127:
        (length,), at = struct.unpack("!Q", data[2:10]), 10
        assert length > 65535
    assert len(data) == at + length
    return first, bool(second & 0x80), data[at:], at


@pytest.mark.parametrize("size", [0, 1, 125, 126, 127, 65535, 65536, 200_000])
def test_a_plain_frame_is_one_final_unmasked_text_frame(size):
    payload = b"4" + b"x" * size
    first, masked, body, _ = read_frame(frame(payload, compressed=False))
    assert first == 0x81 and not masked and body == payload


@pytest.mark.parametrize("bits", [9, 12, 15])
def test_a_compressed_frame_inflates_on_its_own(bits):
    text = '42["post.created",{"html":"' + "<p>supplier audit wages é 工资</p>" * 200 + '"}]'
    frames = Frames(text)
    data = frames.deflated(bits)
    first, masked, body, _ = read_frame(data)
    assert first == 0xC1 and not masked  # final, RSV1 (compressed), text
    # RFC 7692, 7.2.2: append 00 00 ff ff and inflate, with no context from earlier messages
    assert zlib.decompressobj(-bits).decompress(body + b"\x00\x00\xff\xff") == text.encode()
    assert frames.deflated(bits) is data  # compressed once per window size
    assert read_frame(frames.plain)[2] == text.encode()


def test_which_websockets_share_a_frame():
    ws = lambda extensions: types.SimpleNamespace(extensions=extensions)  # noqa: E731
    assert window(ws({})) is None
    assert window(ws({"permessage-deflate": {"server_no_context_takeover": True}})) == 15
    assert window(ws({"permessage-deflate": {"server_no_context_takeover": True,
                                             "server_max_window_bits": 10}})) == 10
    # a compression context of its own: only its writer can frame for it
    assert window(ws({"permessage-deflate": {"server_no_context_takeover": False}})) is False


def test_only_a_non_blocking_os_socket_is_written_directly():
    with socket.socket() as sock:
        green = types.SimpleNamespace(socket=types.SimpleNamespace(fd=sock))
        assert raw_socket(green) is None  # blocking: a send could hold the whole hub
        sock.setblocking(False)
        assert raw_socket(green) is sock
    assert raw_socket(types.SimpleNamespace(socket=object())) is None


@pytest.mark.parametrize("queue", ["redis://127.0.0.1:6379/0", "amqp://guest@127.0.0.1//", "kafka://127.0.0.1:9092"])
def test_in_a_cluster_what_a_worker_delivers_locally_goes_through_the_direct_emit(queue):
    # PubSubManager._handle_emit (a message from any worker, this one included) delivers with
    # super().emit: the next class after PubSubManager must be DirectEmitManager.
    mro = manager_class(queue).__mro__
    assert mro[mro.index(socketio.PubSubManager) + 1] is DirectEmitManager
    assert manager_class(None) is DirectEmitManager
