"""The file worker processes (community/files/pool.py, worker.py): files are checked and cleaned
off the server's thread, within a CPU budget and a memory limit, and a worker that dies is replaced."""
from __future__ import annotations

import io
import os
import signal
import time

import pytest
from PIL import Image

from community.files import pool as workers
from tests.api.helpers import Api, assert_error
from tests.files import samples


@pytest.fixture
def worker_app(app):
    app.config.update(FILE_WORKERS=1, FILE_PROCESS_SECONDS=10.0, FILE_WORKER_MEMORY_MB=1024)
    yield app
    workers.close_pools()


def send(client, token_for, data: bytes, name: str = "photo.jpg"):
    return Api(client, token_for).post("/uploads", "supplier", data={"file": (io.BytesIO(data), name)},
                                       content_type="multipart/form-data")


def the_pool(app) -> workers.WorkerPool:
    (found,) = [p for key, p in workers._pools.items() if key[0] == id(app)]
    return found


def test_a_photo_is_cleaned_in_a_worker_process(worker_app, client, token_for, login_as):
    response = send(client, token_for, samples.jpeg_with_gps())
    assert response.status_code == 201, response.get_json()
    (pid,) = the_pool(worker_app).pids()
    assert pid != os.getpid()
    served = login_as("supplier").get(response.get_json()["upload"]["url"])
    assert not Image.open(io.BytesIO(served.data)).getexif()
    assert_error(send(client, token_for, samples.HTML_PAGE, "a.jpg"), 415, "unsupported_type")
    assert the_pool(worker_app).pids() == [pid]  # refusals keep the worker


def test_a_file_over_its_cpu_budget_is_refused_and_the_worker_goes_on(worker_app, client, token_for):
    assert send(client, token_for, samples.one_pixel_gif(), "dot.gif").status_code == 201  # started
    worker_app.config["FILE_PROCESS_SECONDS"] = 0.02
    heavy = samples.image_bytes("PNG", (4000, 4000))  # decoding and shrinking it takes far longer
    error = assert_error(send(client, token_for, heavy, "big.png"), 413, "too_large")
    assert "too much time or memory" in error["message"]
    worker_app.config["FILE_PROCESS_SECONDS"] = 10.0
    assert send(client, token_for, samples.one_pixel_gif(), "dot.gif").status_code == 201


def test_a_worker_that_died_is_replaced(worker_app, client, token_for):
    assert send(client, token_for, samples.one_pixel_gif(), "dot.gif").status_code == 201
    (pid,) = the_pool(worker_app).pids()
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while the_pool(worker_app).pids() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert send(client, token_for, samples.jpeg_with_gps()).status_code == 201
    assert the_pool(worker_app).pids() not in ([], [pid])


def test_a_file_that_needs_more_memory_than_the_limit_is_refused(worker_app, client, token_for):
    # 6,000 x 6,000 pixels of RGB are 108 MB decoded, past a worker limited to 150 MB of address space.
    worker_app.config.update(FILE_WORKER_MEMORY_MB=150, IMAGE_MAX_PIXELS=100_000_000)
    error = assert_error(send(client, token_for, samples.image_bytes("PNG", (6000, 6000)), "big.png"),
                         413, "too_large")
    assert "too much time or memory" in error["message"]
    # The limit leaves room for the files people send: the same worker takes the next photo.
    assert send(client, token_for, samples.jpeg_with_gps()).status_code == 201
