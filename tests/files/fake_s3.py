"""A small S3 server on 127.0.0.1 (an ephemeral port) for the S3Storage tests: PUT, GET, HEAD and
DELETE of objects in one bucket, with S3's error bodies. It records every request (method, path,
headers) so a test can see what the client really sent: SigV4 signatures, content types, keys.

moto (the usual stand-in) cannot be installed beside this project's python-dateutil 4: it
needs botocore, which needs python-dateutil < 3. This speaks the same wire protocol to the
real client library (minio), with no network beyond the loopback."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

ERROR = ('<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code><Message>{message}</Message>'
         '<Key>{key}</Key><BucketName>{bucket}</BucketName><Resource>/{bucket}/{key}</Resource>'
         '<RequestId>1</RequestId><HostId>1</HostId></Error>')


@dataclass
class FakeS3:
    bucket: str
    objects: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    requests: list[tuple[str, str, dict]] = field(default_factory=list)

    def __call__(self, environ, start_response):
        request = Request(environ)
        self.requests.append((request.method, request.path, dict(request.headers)))
        bucket, _slash, key = request.path.lstrip("/").partition("/")
        if bucket != self.bucket:
            return self._error("NoSuchBucket", 404, bucket, key)(environ, start_response)
        if request.method == "PUT":
            data = request.get_data()
            if request.headers.get("x-amz-content-sha256", "").startswith("STREAMING-"):
                data = _decode_aws_chunked(data)
            self.objects[key] = (data, request.headers.get("Content-Type", "binary/octet-stream"))
            return Response(status=200, headers={"ETag": '"0"'})(environ, start_response)
        if key not in self.objects:
            response = self._error("NoSuchKey", 404, bucket, key)
            if request.method == "HEAD":
                response.set_data(b"")
            return response(environ, start_response)
        data, content_type = self.objects[key]
        if request.method in ("GET", "HEAD"):
            response = Response(data if request.method == "GET" else b"", content_type=content_type,
                                headers={"ETag": '"0"', "Last-Modified": "Thu, 01 Jan 2026 00:00:00 GMT"})
            response.content_length = len(data)
            return response(environ, start_response)
        if request.method == "DELETE":
            del self.objects[key]
            return Response(status=204)(environ, start_response)
        return self._error("MethodNotAllowed", 405, bucket, key)(environ, start_response)

    @staticmethod
    def _error(code: str, status: int, bucket: str, key: str) -> Response:
        return Response(ERROR.format(code=code, message=code, key=key, bucket=bucket), status=status,
                        content_type="application/xml")


def _decode_aws_chunked(data: bytes) -> bytes:
    out, rest = [], data
    while rest:
        header, _crlf, rest = rest.partition(b"\r\n")
        size = int(header.split(b";")[0], 16)
        if size == 0:
            break
        out.append(rest[:size])
        rest = rest[size + 2:]
    return b"".join(out)


class Running:
    def __init__(self, fake: FakeS3):
        self.fake = fake
        self.server = make_server("127.0.0.1", 0, fake, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
