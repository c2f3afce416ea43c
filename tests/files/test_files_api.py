"""POST /api/v1/uploads: real files, the contract's answers (201 / 400 / 413 / 415 / 429), and what
is served afterwards."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.api.helpers import Api, assert_error
from tests.files import samples


@pytest.fixture
def api(client, token_for) -> Api:
    return Api(client, token_for)


def send(api: Api, who: str, data: bytes, name: str = "file.bin", content_type: str = "application/octet-stream",
         field: str = "file"):
    return api.post("/uploads", who, data={field: (io.BytesIO(data), name, content_type)},
                    content_type="multipart/form-data")


def test_a_photo_is_stored_without_its_metadata(api, login_as):
    response = send(api, "supplier", samples.jpeg_with_gps(), "dormitory 3.JPG", "image/jpeg")
    assert response.status_code == 201, response.get_json()
    upload = response.get_json()["upload"]
    assert set(upload) >= {"id", "url", "name", "type", "size"}
    assert upload["name"] == "dormitory 3.jpg" and upload["type"] == "image/jpeg" and upload["kind"] == "image"
    assert (upload["width"], upload["height"]) == (20, 40)  # turned upright
    assert upload["url"] == f"/files/{upload['id']}/dormitory%203.jpg"

    served = login_as("supplier").get(upload["url"])
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert len(served.data) == upload["size"] == int(served.headers["Content-Length"])
    image = Image.open(io.BytesIO(served.data))
    assert not image.getexif() and "exif" not in image.info and "icc_profile" not in image.info
    assert samples.CAMERA.encode() not in served.data and b"Exif\0\0" not in served.data


def test_a_one_pixel_gif_is_accepted_and_shown_inline(api, login_as):
    response = send(api, "supplier", samples.one_pixel_gif(), "dot.gif", "image/gif")
    assert response.status_code == 201
    upload = response.get_json()["upload"]
    assert (upload["type"], upload["width"], upload["height"], upload["thumbnail_url"]) == ("image/gif", 1, 1, None)
    served = login_as("supplier").get(upload["url"])
    assert served.headers["Content-Disposition"].startswith("inline;")
    assert Image.open(io.BytesIO(served.data)).size == (1, 1)


@pytest.mark.parametrize("data,name,content_type", [
    (samples.HTML_PAGE, "photo.jpg", "image/jpeg"),  # a renamed HTML page
    (samples.SVG_WITH_SCRIPT, "logo.svg", "image/svg+xml"),
    (samples.SVG_WITH_SCRIPT, "logo.png", "image/png"),
])
def test_markup_is_refused_whatever_its_name_and_content_type(api, data, name, content_type):
    error = assert_error(send(api, "supplier", data, name, content_type), 415, "unsupported_type")
    assert "HTML, SVG and XML" in error["message"] and error["field"] == "file"


def test_a_polyglot_is_stored_as_the_image_alone(api, login_as):
    response = send(api, "supplier", samples.polyglot_jpeg_html(), "cat.html", "text/html")
    assert response.status_code == 201
    upload = response.get_json()["upload"]
    assert upload["name"] == "cat.jpg" and upload["type"] == "image/jpeg"
    served = login_as("supplier").get(upload["url"])
    assert b"<script" not in served.data and b"<html" not in served.data


def test_a_zip_bomb_is_refused_as_too_large(api):
    error = assert_error(send(api, "supplier", samples.zip_bomb(40), "report.docx"), 413, "too_large")
    assert "too many parts" in error["message"]


@pytest.mark.parametrize("data,code", [
    (b"MZ\x90\x00" + b"\0" * 300, "unsupported_type"),
    (samples.ooxml(samples.DOCM_MAIN), "unsupported_type"),
    (b"", "invalid"),
])
def test_other_refusals(api, data, code):
    assert_error(send(api, "supplier", data), 415 if code == "unsupported_type" else 400, code)


def test_documents_are_accepted_and_downloaded(api, login_as):
    import zipfile

    for data, name, mime in ((samples.pdf(), "Guía de reclutamiento.pdf", "application/pdf"),
                             (samples.ooxml(), "checklist", "application/vnd.openxmlformats-officedocument"
                                                            ".wordprocessingml.document"),
                             (b"a,b\n1,2\n", "fees.txt", "text/csv")):
        response = send(api, "member", data, name)
        assert response.status_code == 201, response.get_json()
        upload = response.get_json()["upload"]
        assert upload["type"] == mime and upload["kind"] != "image"
        served = login_as("member").get(upload["url"])
        assert served.status_code == 200
        if upload["kind"] == "text":
            assert served.data == data  # stored as sent (documents lose their properties)
        assert served.headers["Content-Disposition"].startswith("attachment;")
    assert upload["name"] == "fees.csv"  # the extension of what it is

    response = send(api, "supplier", samples.docx_with_properties(), "queja.docx")
    served = login_as("supplier").get(response.get_json()["upload"]["url"])
    core = zipfile.ZipFile(io.BytesIO(served.data)).read("docProps/core.xml")
    assert samples.AUTHOR.encode() not in core
    response = send(api, "supplier", samples.pdf_with_metadata(), "queja.pdf")
    served = login_as("supplier").get(response.get_json()["upload"]["url"])
    assert served.data.startswith(b"%PDF-") and samples.AUTHOR.encode() not in served.data
    assert samples.COMPANY.encode() not in served.data


def test_the_field_must_be_there(api):
    error = assert_error(send(api, "supplier", b"hello", field="document"), 400, "invalid")
    assert error["field"] == "file"
    assert_error(api.post("/uploads", "supplier", json={"file": "aGVsbG8="}), 400, "invalid")


def test_files_over_the_limit_are_refused(app, api):
    app.config["FILE_MAX_BYTES"] = 2000
    error = assert_error(send(api, "supplier", b"a" * 2001, "notes.txt"), 413, "too_large")
    assert error["field"] == "file"
    assert send(api, "supplier", b"a" * 2000, "notes.txt").status_code == 201
    # Far past it: refused before the body is read.
    assert_error(send(api, "supplier", b"a" * 200_000, "notes.txt"), 413, "too_large")


def test_the_same_rate_limit_holds(app, api, rate_limits):
    rate_limits["upload"] = "2/minute"
    for _ in range(2):
        assert send(api, "supplier", b"hello\n", "a.txt").status_code == 201
    response = send(api, "supplier", b"hello\n", "a.txt")
    error = assert_error(response, 429, "rate_limited")
    assert "files" in error["message"] and int(response.headers["Retry-After"]) >= 1


def test_files_waiting_in_no_post_are_capped(app, api):
    app.config["FILE_UNATTACHED_MAX_COUNT"] = 2
    for _ in range(2):
        assert send(api, "supplier", b"hello\n", "a.txt").status_code == 201
    error = assert_error(send(api, "supplier", b"hello\n", "a.txt"), 400, "invalid")
    assert "in no post" in error["message"]
    assert send(api, "supplier2", b"hello\n", "a.txt").status_code == 201  # one's own count only


@pytest.mark.parametrize("who,status", [("suspended", 403), ("pending", 403), (None, 401)])
def test_only_active_people_upload(api, who, status):
    assert send(api, who, b"hello\n").status_code == status


def test_a_type_left_out_of_the_settings_is_refused(app, api):
    app.config["FILE_TYPES"] = ["jpeg", "png"]
    error = assert_error(send(api, "supplier", samples.pdf(), "a.pdf"), 415, "unsupported_type")
    assert ".pdf" in error["message"] and ".jpg, .png" in error["message"]


def test_a_bomb_header_and_a_gif_of_thousands_of_frames_cost_next_to_nothing(api, login_as):
    import time

    started = time.monotonic()
    bomb = samples.png_declaring(50_000, 50_000)
    assert len(bomb) < 200
    error = assert_error(send(api, "supplier", bomb, "poster.png"), 413, "too_large")
    assert error["field"] == "file" and "2,500" in error["message"]  # million pixels, told as too large
    frames = samples.animated_gif(3000)
    made = send(api, "supplier", frames, "loop.gif")
    assert made.status_code == 201, made.get_json()
    served = Image.open(io.BytesIO(login_as("supplier").get(made.get_json()["upload"]["url"]).data))
    assert getattr(served, "n_frames", 1) == 1
    assert time.monotonic() - started < 3  # neither the pixels nor the other frames were decoded
