"""Where stored files live: the local disk or an S3-compatible service, chosen by FILE_STORAGE.

Keys are made from the content's SHA-256 (`content_key`), never from a user's file
name: the same bytes are stored once, and a key says nothing about who sent what.
A Storage puts a file from a local path, opens a stored one as an iterator of
chunks (served through the app, which checks permissions every time), tells
whether a key exists, and deletes.

- LocalStorage: under FILE_STORAGE_PATH (default instance/uploads), written to a
  temporary name and renamed into place, so a reader never sees half a file.
- S3Storage: through MinIO's Python SDK (`minio`, maintained, speaks to AWS S3 and
  every S3-compatible service; pure Python over urllib3, so its sockets are green
  under eventlet). Settings: S3_ENDPOINT_URL, S3_BUCKET, S3_REGION, S3_ACCESS_KEY_ID,
  S3_SECRET_ACCESS_KEY, S3_PREFIX.
"""
from __future__ import annotations

import os
import re
import tempfile
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

from flask import Flask, current_app

CHUNK_BYTES = 64 * 1024
# S3 error codes of "no such object" (HEAD answers have no body: minio names those itself).
MISSING = ("NoSuchKey", "NoSuchObject", "NotFound", "ResourceNotFound")
KEY_PATTERN = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{64}\.[a-z0-9]{1,5}$")


def content_key(sha256: str, ext: str) -> str:
    """The storage key of content with this SHA-256 (hex) and extension: ab/cd/abcd....ext."""
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}.{ext}"


def _checked(key: str) -> str:
    if not KEY_PATTERN.match(key):
        raise ValueError(f"not a storage key: {key!r}")
    return key


class Storage:
    def put(self, key: str, path: str, content_type: str) -> None:
        raise NotImplementedError

    def open(self, key: str) -> Chunks:
        """The stored bytes; FileNotFoundError (local) or an S3 error when there are none."""
        raise NotImplementedError

    def exists(self, key: str) -> bool:
        raise NotImplementedError

    def delete(self, key: str) -> None:
        raise NotImplementedError


class LocalStorage(Storage):
    def __init__(self, root: str):
        self.root = os.path.abspath(root)

    def path(self, key: str) -> str:
        return os.path.join(self.root, *_checked(key).split("/"))

    def put(self, key: str, path: str, content_type: str) -> None:
        target = self.path(key)
        if os.path.exists(target):
            return  # the same content, already there
        os.makedirs(os.path.dirname(target), exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out, open(path, "rb") as source:
                while chunk := source.read(CHUNK_BYTES):
                    out.write(chunk)
            os.replace(temporary, target)
        except BaseException:
            if os.path.exists(temporary):
                os.remove(temporary)
            raise

    def open(self, key: str) -> Chunks:
        stream = open(self.path(key), "rb")  # noqa: SIM115 - closed with the answer
        return Chunks(stream.read, stream.close)

    def exists(self, key: str) -> bool:
        return os.path.exists(self.path(key))

    def delete(self, key: str) -> None:
        try:
            os.remove(self.path(key))
        except FileNotFoundError:
            pass


class Chunks:
    """A stored file's bytes, CHUNK_BYTES at a time, for a WSGI answer: closed once read, or when
    the answer is closed (also when it is never read, as for HEAD requests)."""

    def __init__(self, read, close):
        self._read, self._close = read, close

    def __iter__(self) -> Iterator[bytes]:
        try:
            while chunk := self._read(CHUNK_BYTES):
                yield chunk
        finally:
            self.close()  # read to the end (or abandoned): no need to wait for the server's close()

    def close(self) -> None:
        if self._close is not None:
            close, self._close = self._close, None
            close()


class S3Storage(Storage):
    def __init__(self, endpoint_url: str, bucket: str, *, region: str, access_key: str, secret_key: str,
                 prefix: str = ""):
        from minio import Minio  # here: ~0.5 s of imports that only S3 deployments need

        parts = urlsplit(endpoint_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise RuntimeError(f"S3_ENDPOINT_URL must be http(s)://host[:port], not {endpoint_url!r}")
        self.client = Minio(parts.netloc, access_key=access_key or None, secret_key=secret_key or None,
                            secure=parts.scheme == "https", region=region or None)
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""

    def _name(self, key: str) -> str:
        return self.prefix + _checked(key)

    def put(self, key: str, path: str, content_type: str) -> None:
        if self.exists(key):
            return
        self.client.fput_object(self.bucket, self._name(key), path, content_type=content_type)

    def open(self, key: str) -> Chunks:
        from minio.error import S3Error  # loaded with Minio in __init__

        try:
            response = self.client.get_object(self.bucket, self._name(key))
        except S3Error as err:
            if err.code in MISSING:
                raise FileNotFoundError(key) from None
            raise

        def close() -> None:
            response.close()
            response.release_conn()

        return Chunks(response.read, close)

    def exists(self, key: str) -> bool:
        from minio.error import S3Error  # loaded with Minio in __init__

        try:
            self.client.stat_object(self.bucket, self._name(key))
        except S3Error as err:
            if err.code in MISSING:
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        self.client.remove_object(self.bucket, self._name(key))


_storages: dict[tuple, Storage] = {}
_lock = threading.Lock()


def storage(app: Flask | None = None) -> Storage:
    """This app's Storage, from its configuration (made once per configuration)."""
    app = app or current_app._get_current_object()
    config = app.config
    kind = config.get("FILE_STORAGE", "local")
    if kind == "local":
        key = (id(app), kind, config["FILE_STORAGE_PATH"])
    elif kind == "s3":
        key = (id(app), kind, config["S3_ENDPOINT_URL"], config["S3_BUCKET"], config["S3_PREFIX"],
               config["S3_ACCESS_KEY_ID"])
    else:
        raise RuntimeError(f'FILE_STORAGE must be "local" or "s3", not {kind!r}')
    found = _storages.get(key)
    if found is None:
        with _lock:
            found = _storages.get(key)
            if found is None:
                found = _storages[key] = _make(kind, config)
    return found


def _make(kind: str, config) -> Storage:
    if kind == "local":
        return LocalStorage(config["FILE_STORAGE_PATH"])
    if not config.get("S3_BUCKET"):
        raise RuntimeError("FILE_STORAGE is s3 but S3_BUCKET is not set.")
    return S3Storage(config["S3_ENDPOINT_URL"], config["S3_BUCKET"], region=config.get("S3_REGION", ""),
                     access_key=config.get("S3_ACCESS_KEY_ID", ""), secret_key=config.get("S3_SECRET_ACCESS_KEY", ""),
                     prefix=config.get("S3_PREFIX", ""))
