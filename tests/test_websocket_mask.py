"""community/websocket_mask.py gives exactly eventlet's unmasked bytes, without holding the
hub: linear and fast on the largest message a socket may send."""
from __future__ import annotations

import os
import random
import time

import pytest

from community.websocket_mask import apply_mask


def EVENTLET(data, mask, length=None, offset=0):  # noqa: N802 (what eventlet's _apply_mask does)
    """RFC 6455, 5.3, a byte at a time, with eventlet's arguments: octet i XOR mask[(i + offset) % 4]."""
    length = len(data) if length is None else length
    return bytes(data[i] ^ mask[(i + offset) % 4] for i in range(length))


@pytest.mark.parametrize("size", [0, 1, 3, 4, 5, 17, 1000, 4099])
@pytest.mark.parametrize("offset", [0, 1, 2, 3, 6])
def test_same_bytes_as_eventlet(size, offset):
    data, mask = os.urandom(size), os.urandom(4)
    assert apply_mask(data, mask, offset=offset) == EVENTLET(data, mask, offset=offset)
    assert apply_mask(bytearray(data), mask, length=size // 2, offset=offset) == \
        EVENTLET(bytearray(data), mask, length=size // 2, offset=offset)


def test_unmasking_twice_gives_the_frame_back():
    data, mask = random.randbytes(70_001), os.urandom(4)
    assert apply_mask(apply_mask(data, mask), mask) == data


def test_half_a_megabyte_takes_milliseconds_not_a_third_of_a_second():
    data, mask = os.urandom(512 * 1024), os.urandom(4)
    started = time.process_time()
    for _ in range(10):
        apply_mask(data, mask)
    assert (time.process_time() - started) / 10 < 0.05


def test_installed_under_eventlet_only_by_wsgi():
    with open(os.path.join(os.path.dirname(__file__), "..", "wsgi.py")) as handle:
        source = handle.read()
    assert "RFC6455WebSocket._apply_mask = staticmethod(apply_mask)" in \
        source.split("eventlet.monkey_patch()", 1)[1].split("from community import")[0]
