"""Storage (community/files/storage.py): content-addressed keys, LocalStorage, and S3Storage through
the real client library against an S3 server on the loopback (tests/files/fake_s3.py)."""
from __future__ import annotations

import io
import os

import pytest

from community.files.storage import LocalStorage, S3Storage, content_key, storage
from tests.api.helpers import Api
from tests.files import samples
from tests.files.fake_s3 import FakeS3, Running

SHA = "ab" * 32


@pytest.fixture
def fake_s3():
    running = Running(FakeS3("roundtable-files"))
    yield running
    running.stop()


def put_bytes(store, key: str, data: bytes, tmp_path, content_type="application/pdf") -> None:
    path = tmp_path / "incoming"
    path.write_bytes(data)
    store.put(key, str(path), content_type)


def test_keys_are_made_of_the_content_hash_only():
    assert content_key(SHA, "pdf") == f"ab/ab/{SHA}.pdf"
    for bad in ("../etc/passwd", f"ab/ab/{SHA}.pdf/../../x", "ab/ab/photo.jpg", f"/ab/ab/{SHA}.pdf"):
        with pytest.raises(ValueError):
            LocalStorage("/tmp/nowhere").path(bad)


def test_local_storage_round_trip(tmp_path):
    store = LocalStorage(str(tmp_path / "files"))
    key = content_key(SHA, "pdf")
    assert not store.exists(key)
    put_bytes(store, key, b"%PDF-1.4 hello", tmp_path)
    assert store.exists(key) and b"".join(store.open(key)) == b"%PDF-1.4 hello"
    assert os.listdir(tmp_path / "files" / "ab" / "ab") == [f"{SHA}.pdf"]  # no temporary left behind
    store.delete(key)
    store.delete(key)  # twice is fine
    with pytest.raises(FileNotFoundError):
        store.open(key)
    assert not store.exists(key)


def test_s3_storage_round_trip_through_the_client_library(fake_s3, tmp_path):
    store = S3Storage(fake_s3.url, "roundtable-files", region="eu-west-1", access_key="AKIDTEST",
                      secret_key="secret", prefix="/roundtable/")
    key = content_key(SHA, "pdf")
    assert not store.exists(key)
    put_bytes(store, key, b"%PDF-1.4 hello", tmp_path)
    assert fake_s3.fake.objects == {f"roundtable/{key}": (b"%PDF-1.4 hello", "application/pdf")}
    assert store.exists(key)
    assert b"".join(store.open(key)) == b"%PDF-1.4 hello"
    put_bytes(store, key, b"%PDF-1.4 hello", tmp_path)  # the same content: not sent again
    assert [m for m, _p, _h in fake_s3.fake.requests].count("PUT") == 1
    store.delete(key)
    assert not store.exists(key) and fake_s3.fake.objects == {}
    with pytest.raises(FileNotFoundError):
        store.open(key)
    for _method, _path, headers in fake_s3.fake.requests:  # every request signed (SigV4)
        assert headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDTEST/")
        assert "/eu-west-1/s3/aws4_request" in headers["Authorization"]


def test_the_app_stores_and_serves_through_s3_when_configured(app, client, token_for, login_as, fake_s3,
                                                              stored_files):
    app.config.update(FILE_STORAGE="s3", S3_ENDPOINT_URL=fake_s3.url, S3_BUCKET="roundtable-files",
                      S3_REGION="us-east-1", S3_ACCESS_KEY_ID="AKIDTEST", S3_SECRET_ACCESS_KEY="secret",
                      S3_PREFIX="")
    with app.app_context():
        assert isinstance(storage(), S3Storage)
    response = Api(client, token_for).post(
        "/uploads", "supplier", data={"file": (io.BytesIO(samples.jpeg_with_gps()), "photo.jpg")},
        content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    upload = response.get_json()["upload"]
    (key, (data, content_type)), = fake_s3.fake.objects.items()
    assert content_type == "image/jpeg" and "photo" not in key and samples.CAMERA.encode() not in data
    served = login_as("supplier").get(upload["url"])
    assert served.status_code == 200 and served.data == data
    assert not stored_files.exists()  # nothing on the local disk


def test_an_unknown_storage_kind_is_refused(app):
    app.config["FILE_STORAGE"] = "ftp"
    with app.app_context(), pytest.raises(RuntimeError, match="local"):
        storage()


@pytest.mark.parametrize("env,message", [({"FILE_STORAGE": "ftp"}, "local"), ({"FILE_STORAGE": "s3"}, "S3_BUCKET")])
def test_production_refuses_a_storage_it_cannot_use(monkeypatch, env, message):
    from config import ProductionConfig

    monkeypatch.setenv("SECRET_KEY", "4f9c1e0b7a2d8e6f3b5c9a1d7e2f4b6c")
    monkeypatch.delenv("S3_BUCKET", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(RuntimeError, match=message):
        ProductionConfig.validate()
    monkeypatch.setenv("FILE_STORAGE", "s3")
    monkeypatch.setenv("S3_BUCKET", "roundtable-files")
    ProductionConfig.validate()  # does not raise
