"""Serving files (/files/<id>/<name>): the same permission as the post a file belongs to, for every
persona; the headers that keep a file from being turned against the site; anonymous posts' names."""
from __future__ import annotations

import io
import re
import zipfile
from urllib.parse import unquote

import pytest
from PIL import Image

from community.actions.moderation import moderate_post
from community.actions.posts import delete_post
from community.extensions import db
from community.files.names import display_name, file_url
from community.models import Post, Upload
from tests.files import samples
from tests.files.conftest import load

EVERYONE = ("admin", "member", "member2", "moderator", "supplier", "supplier2")


@pytest.fixture
def url(app):
    def _url(upload_id: int, thumbnail: bool = False) -> str:
        with app.test_request_context():
            return file_url(db.session.get(Upload, upload_id), thumbnail=thumbnail)

    return _url


def statuses(login_as, address: str, people=EVERYONE) -> dict[str, int]:
    return {who: login_as(who).get(address).status_code for who in people}


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client, upload, post_with, url):
    photo = upload("supplier", samples.jpeg_with_gps(), "photo.jpg")
    post_with("supplier", [photo])
    response = client.get(url(photo))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_file_of_an_open_topic_is_served_to_every_reader(upload, post_with, url, login_as):
    photo = upload("supplier", samples.jpeg_with_gps(), "photo.jpg")
    post_with("supplier", [photo])
    assert set(statuses(login_as, url(photo)).values()) == {200}


def test_a_file_of_a_private_topic_is_a_404_for_outsiders(upload, post_with, url, login_as):
    report = upload("supplier", samples.pdf(), "audit.pdf")
    post_with("supplier", [report], topic="textiles-circle")  # the supplier's organisation only
    assert statuses(login_as, url(report)) == {
        "admin": 200, "member": 404, "member2": 404, "moderator": 404, "supplier": 200, "supplier2": 404}
    # Exactly as a file that does not exist.
    missing = login_as("member").get("/files/999999/audit.pdf")
    outsider = login_as("member").get(url(report))
    assert missing.status_code == 404 and "That file does not exist." in outsider.get_data(as_text=True)
    strip = re.compile(r'(content|value)="[^"]*"')  # the CSRF token differs from page to page
    assert strip.sub("", outsider.get_data(as_text=True)) == strip.sub("", missing.get_data(as_text=True))


def test_members_only_topics_keep_their_files_from_suppliers(upload, post_with, url, login_as):
    deck = upload("member", samples.pdf(), "deck.pdf")
    post_with("member", [deck], topic="members-lounge")
    assert statuses(login_as, url(deck)) == {
        "admin": 200, "member": 200, "member2": 200, "moderator": 200, "supplier": 404, "supplier2": 404}


def test_a_file_in_no_post_is_its_owners_only(upload, url, login_as):
    photo = upload("supplier", samples.jpeg_with_gps(), "photo.jpg")
    assert statuses(login_as, url(photo)) == {
        "admin": 404, "member": 404, "member2": 404, "moderator": 404, "supplier": 200, "supplier2": 404}


def test_files_of_hidden_and_deleted_posts_are_not_served_to_readers(app, world, upload, post_with, url, login_as):
    photo = upload("supplier", samples.jpeg_with_gps(), "photo.jpg")
    thread_id, post_id = post_with("supplier", [photo])
    with app.app_context():
        second = Post(thread_id=thread_id, author_id=world.ids["supplier"], body="x", html="<p>x</p>")
        db.session.add(second)
        db.session.commit()
    with app.app_context():
        moderate_post(world.user("moderator"), db.session.get(Post, post_id), "hide", "Shows a face")
    assert statuses(login_as, url(photo)) == {
        "admin": 200, "member": 404, "member2": 404, "moderator": 200, "supplier": 200, "supplier2": 404}
    with app.app_context():
        moderate_post(world.user("moderator"), db.session.get(Post, post_id), "restore", "")
        delete_post(world.user("supplier"), db.session.get(Post, post_id), "")
    assert statuses(login_as, url(photo)) == {
        "admin": 200, "member": 404, "member2": 404, "moderator": 200, "supplier": 200, "supplier2": 404}


def test_a_hidden_file_is_for_its_owner_and_moderators_and_a_deleted_one_for_nobody(app, upload, post_with, url,
                                                                                  login_as):
    photo = upload("supplier", samples.jpeg_with_gps(), "photo.jpg")
    post_with("supplier", [photo])
    address = url(photo)
    with app.app_context():
        db.session.get(Upload, photo).state = "hidden"
        db.session.commit()
    assert statuses(login_as, address) == {
        "admin": 200, "member": 404, "member2": 404, "moderator": 200, "supplier": 200, "supplier2": 404}
    with app.app_context():
        db.session.get(Upload, photo).state = "deleted"
        db.session.commit()
    assert set(statuses(login_as, address).values()) == {404}


def test_a_held_thread_keeps_its_files_from_readers(app, world, upload, post_with, url, login_as):
    with app.app_context():
        world.topic("grievance").moderation = "all"
        db.session.commit()
    photo = upload("supplier", samples.jpeg_with_gps(), "photo.jpg")
    post_with("supplier", [photo])
    assert statuses(login_as, url(photo)) == {
        "admin": 200, "member": 404, "member2": 404, "moderator": 200, "supplier": 200, "supplier2": 404}


def test_the_headers_of_a_document(upload, post_with, url, login_as):
    report = upload("supplier", samples.pdf(), "Informe: dormitorio\u202etxt.exe.pdf")
    post_with("supplier", [report])
    response = login_as("member").get(url(report))
    headers = response.headers
    assert response.mimetype == "application/pdf"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert headers["Cache-Control"] == "private, max-age=3600"
    disposition = headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=\"")
    # The bidi override is gone, and the name ends with the real type's extension.
    assert "%E2%80%AE" not in disposition and disposition.endswith("txt.exe.pdf")
    assert "filename*=UTF-8''Informe_%20dormitoriotxt.exe.pdf" in disposition

    again = login_as("member").get(url(report), headers={"If-None-Match": headers["ETag"]})
    assert again.status_code == 304 and not again.data
    head = login_as("member").head(url(report))
    assert head.status_code == 200 and not head.data
    assert head.headers["Content-Length"] == headers["Content-Length"] == str(len(response.data))
    head.close()  # as a WSGI server does: the file opened for it is closed with it


def test_a_stored_file_gone_missing_is_a_404(app, upload, post_with, url, login_as, stored_files):
    report = upload("supplier", samples.pdf(), "audit.pdf")
    post_with("supplier", [report])
    for path in stored_files.rglob("*.pdf"):
        path.unlink()
    assert login_as("supplier").get(url(report)).status_code == 404


def test_the_name_in_the_address_is_not_trusted(upload, post_with, login_as):
    report = upload("supplier", samples.pdf(), "audit.pdf")
    post_with("supplier", [report])
    response = login_as("member").get(f"/files/{report}/evil.html")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "audit.pdf" in response.headers["Content-Disposition"]


def test_an_anonymous_posts_files_carry_no_trace_of_their_author(app, upload, post_with, url, login_as):
    photo = upload("supplier", samples.jpeg_with_gps(), "Ravi Kumar - Shakti dormitory.jpg")
    post_with("supplier", [photo], anonymous=True)
    stored = load(app, photo)
    assert stored.original_name is None
    address = url(photo)
    assert address == f"/files/{photo}/image-{photo}.jpg"
    response = login_as("moderator").get(address)
    assert "Ravi" not in response.headers["Content-Disposition"]
    assert response.headers["Content-Disposition"] == f"inline; filename=\"image-{photo}.jpg\"; " \
                                                      f"filename*=UTF-8''image-{photo}.jpg"
    assert not Image.open(io.BytesIO(response.data)).getexif()


def test_thumbnails(app, upload, post_with, url, login_as):
    app.config.update(IMAGE_MAX_SIDE=800, IMAGE_THUMBNAIL_SIDE=100)
    photo = upload("supplier", samples.image_bytes("PNG", (1200, 600)), "wide.png")
    report = upload("supplier", samples.pdf(), "a.pdf")
    post_with("supplier", [photo, report])
    reader = login_as("supplier2")
    assert Image.open(io.BytesIO(reader.get(url(photo)).data)).size == (800, 400)
    thumbnail = reader.get(url(photo, thumbnail=True))
    assert thumbnail.status_code == 200 and Image.open(io.BytesIO(thumbnail.data)).size == (100, 50)
    assert reader.get(f"/files/{report}/thumbnail/a.pdf").status_code == 404
    with app.test_request_context():
        assert display_name(db.session.get(Upload, photo)) == "wide.png"


def test_a_personal_api_token_fetches_files_like_a_session(client, token_for, upload, post_with, url):
    report = upload("supplier", samples.pdf(), "audit.pdf")
    post_with("supplier", [report], topic="textiles-circle")
    assert client.get(url(report), headers=token_for("supplier")).status_code == 200
    assert client.get(url(report), headers=token_for("supplier2")).status_code == 404


# --- the thumbnail address asks the same question as the file's -----------------------------
def both(login_as, url, photo: int) -> dict[str, tuple[int, int]]:
    """Each persona's (file, thumbnail) statuses for one image."""
    return {who: (login_as(who).get(url(photo)).status_code,
                  login_as(who).get(url(photo, thumbnail=True)).status_code) for who in EVERYONE}


def twice(expected: dict[str, int]) -> dict[str, tuple[int, int]]:
    return {who: (status, status) for who, status in expected.items()}


@pytest.mark.parametrize("topic, expected", [
    ("textiles-circle", {"admin": 200, "member": 404, "member2": 404, "moderator": 404, "supplier": 200,
                         "supplier2": 404}),
    ("members-lounge", {"admin": 200, "member": 200, "member2": 200, "moderator": 200, "supplier": 404,
                        "supplier2": 404}),
])
def test_thumbnails_of_private_and_members_only_topics(app, upload, post_with, url, login_as, topic, expected):
    who = "supplier" if topic == "textiles-circle" else "member"
    photo = upload(who, samples.image_bytes("PNG", (1200, 600)), "wide.png")
    post_with(who, [photo], topic=topic)
    assert both(login_as, url, photo) == twice(expected)


def test_thumbnails_of_hidden_and_deleted_posts(app, world, upload, post_with, url, login_as):
    photo = upload("supplier", samples.image_bytes("PNG", (1200, 600)), "wide.png")
    _, post_id = post_with("supplier", [photo])
    readers_only = twice({"admin": 200, "member": 404, "member2": 404, "moderator": 200, "supplier": 200,
                          "supplier2": 404})
    with app.app_context():
        moderate_post(world.user("moderator"), db.session.get(Post, post_id), "hide", "Shows a face")
    assert both(login_as, url, photo) == readers_only
    with app.app_context():
        moderate_post(world.user("moderator"), db.session.get(Post, post_id), "restore", "")
        delete_post(world.user("supplier"), db.session.get(Post, post_id), "")
    assert both(login_as, url, photo) == readers_only


def test_thumbnails_of_hidden_and_deleted_files_and_of_files_in_no_post(app, upload, post_with, url, login_as):
    loose = upload("supplier", samples.image_bytes("PNG", (1200, 600)), "loose.png")
    assert both(login_as, url, loose) == twice({"admin": 404, "member": 404, "member2": 404, "moderator": 404,
                                                "supplier": 200, "supplier2": 404})
    photo = upload("supplier", samples.image_bytes("PNG", (1200, 600)), "wide.png")
    post_with("supplier", [photo])
    with app.app_context():
        db.session.get(Upload, photo).state = "hidden"
        db.session.commit()
    assert both(login_as, url, photo) == twice({"admin": 200, "member": 404, "member2": 404, "moderator": 200,
                                                "supplier": 200, "supplier2": 404})
    with app.app_context():
        db.session.get(Upload, photo).state = "deleted"
        db.session.commit()
    assert set(both(login_as, url, photo).values()) == {(404, 404)}


def test_an_outsider_who_knows_the_etag_gets_a_404_not_a_304(upload, post_with, url, login_as):
    """The permission is asked before the ETag is compared: a 304 would tell the outsider the
    file exists and what it holds (the ETag is the content's SHA-256)."""
    photo = upload("supplier", samples.image_bytes("PNG", (1200, 600)), "wide.png")
    post_with("supplier", [photo], topic="textiles-circle")
    for thumbnail in (False, True):
        owner = login_as("supplier").get(url(photo, thumbnail=thumbnail))
        assert owner.status_code == 200
        etag = owner.headers["ETag"]
        assert login_as("supplier").get(url(photo, thumbnail=thumbnail),
                                        headers={"If-None-Match": etag}).status_code == 304
        outsider = login_as("member").get(url(photo, thumbnail=thumbnail), headers={"If-None-Match": etag})
        assert outsider.status_code == 404 and "ETag" not in outsider.headers


@pytest.mark.parametrize("sent, shown", [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\boot.ini.pdf", "boot.ini.pdf"),
    ("report\x00.exe.pdf", "report.exe.pdf"),
    ('a"; filename="evil.html\r\nX-Injected: 1.pdf', "a__ filename=_evil.htmlX-Injected_ 1.pdf"),
    ("Informe de auditoría — 工厂.pdf", "Informe de auditoría — 工厂.pdf"),
    ("تقرير المصنع.pdf", "تقرير المصنع.pdf"),
    ("x" * 5000 + ".pdf", "x" * 100 + ".pdf"),
    ("...", "file-{id}.pdf"),
])
def test_a_sent_name_cannot_reach_out_of_its_header_or_its_place_on_the_page(upload, post_with, url, login_as,
                                                                            sent, shown):
    report = upload("supplier", samples.pdf(), sent)
    thread_id, _post = post_with("supplier", [report])
    shown = shown.format(id=report)
    response = login_as("member").get(url(report))
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition and "X-Injected" not in response.headers
    fallback, extended = re.fullmatch(r'attachment; filename="([^"]*)"; filename\*=UTF-8\'\'(\S+)',
                                      disposition).groups()
    assert fallback.isascii() and fallback.endswith(".pdf")
    assert unquote(extended) == shown
    page = login_as("member").get(f"/threads/{thread_id}").get_data(as_text=True)
    assert f"download><bdi>{shown}</bdi></a>" in page


PPTX_MAIN = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"


def _ooxml_named(main_type: str, part: str) -> bytes:
    with_names = samples.docx_with_properties()
    parts = {name: zipfile.ZipFile(io.BytesIO(with_names)).read(name).decode()
             for name in ("docProps/core.xml", "docProps/app.xml")}
    parts["docProps/custom.xml"] = (
        '<?xml version="1.0"?><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'custom-properties"><property name="Reviewer"><vt:lpwstr>' + samples.AUTHOR + '</vt:lpwstr></property>'
        '</Properties>')
    return samples.ooxml(main_type, part, extra=parts)


def _odf_named(mimetype: str) -> bytes:
    meta = zipfile.ZipFile(io.BytesIO(samples.odt_with_properties())).read("meta.xml").decode()
    return samples.odf(mimetype, extra={"meta.xml": meta.replace("</office:meta>", "<meta:user-defined "
                                        "meta:name='Company'>" + samples.COMPANY + "</meta:user-defined>"
                                        "</office:meta>")})


@pytest.mark.parametrize("make, name", [
    (samples.pdf_with_metadata, "queja.pdf"),
    (samples.docx_with_properties, "queja.docx"),
    (lambda: _ooxml_named(samples.XLSX_MAIN, "xl/workbook.xml"), "workers.xlsx"),
    (lambda: _ooxml_named(PPTX_MAIN, "ppt/presentation.xml"), "training.pptx"),
    (samples.odt_with_properties, "queja.odt"),
    (lambda: _odf_named("application/vnd.oasis.opendocument.spreadsheet"), "workers.ods"),
    (lambda: _odf_named("application/vnd.oasis.opendocument.presentation"), "training.odp"),
])
def test_every_allowed_document_type_of_an_anonymous_post_is_served_without_its_authors_name(
        upload, post_with, url, login_as, make, name):
    sent = make()
    assert samples.AUTHOR.encode() in sent or samples.AUTHOR.encode() in _unpacked(sent)
    document = upload("supplier", sent, f"{samples.AUTHOR} {name}")
    post_with("supplier", [document], anonymous=True)
    served = login_as("member").get(url(document))
    assert served.status_code == 200 and samples.AUTHOR not in served.headers["Content-Disposition"]
    for blob in (served.data, _unpacked(served.data)):
        assert samples.AUTHOR.encode() not in blob and samples.COMPANY.encode() not in blob


def _unpacked(data: bytes) -> bytes:
    if not data.startswith(b"PK"):
        return b""
    archive = zipfile.ZipFile(io.BytesIO(data))
    return b"".join(archive.read(entry) for entry in archive.namelist())


def test_the_composer_says_what_a_document_keeps(login_as):
    page = login_as("supplier").get("/t/grievance/new").get_data(as_text=True)
    assert "names on its comments and tracked changes" in page
