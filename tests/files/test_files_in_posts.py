"""Files in posts on every path: the API, the socket, the forms (no JavaScript), and the post
objects and pages that list them."""
from __future__ import annotations

import io

import pytest

from tests.api.helpers import Api, assert_error
from tests.files import samples


@pytest.fixture
def api(client, token_for) -> Api:
    return Api(client, token_for)


def uploaded(api: Api, who: str, data: bytes | None = None, name: str = "photo.jpg") -> dict:
    response = api.post("/uploads", who, data={"file": (io.BytesIO(data or samples.jpeg_with_gps()), name)},
                        content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    return response.get_json()["upload"]


def test_a_thread_and_a_reply_carry_their_files_through_the_api(api, login_as):
    photo = uploaded(api, "supplier")
    made = api.start_thread("supplier", title="Dormitory photos", body="See the photo.", attachments=[photo["id"]])
    files = made["post"]["attachments"]
    assert [f["id"] for f in files] == [photo["id"]] and files[0]["url"] == photo["url"]
    assert files[0]["state"] == "active" and files[0]["kind"] == "image"

    text = uploaded(api, "member", samples.image_bytes("PNG"), "plan.png")
    answer = api.reply("member", made["thread"]["id"], "Here is the plan.", attachments=[text["id"]])
    assert [f["id"] for f in answer["attachments"]] == [text["id"]]

    read = api.get(f"/threads/{made['thread']['id']}", "supplier2").get_json()
    assert [[f["id"] for f in p["attachments"]] for p in read["posts"]] == [[photo["id"]], [text["id"]]]
    page = login_as("supplier2").get(f"/threads/{made['thread']['id']}").get_data(as_text=True)
    assert photo["url"] in page and text["url"] in page


def test_someone_elses_file_or_a_used_one_is_refused_and_nothing_is_posted(api):
    photo = uploaded(api, "supplier")
    error = assert_error(api.post("/topics/grievance/threads", "member", json={
        "title": "Not mine", "body": "Taking a file.", "attachments": [photo["id"]]}), 400, "invalid")
    assert error["field"] == "attachments"
    made = api.start_thread("supplier", body="Mine.", attachments=[photo["id"]])
    again = api.post(f"/threads/{made['thread']['id']}/posts", "supplier",
                     json={"body": "Again", "attachments": [photo["id"]]})
    assert_error(again, 400, "invalid")
    assert_error(api.post(f"/threads/{made['thread']['id']}/posts", "supplier",
                          json={"body": "Bad", "attachments": "1"}), 400, "invalid")
    threads = api.get("/topics/grievance/threads", "member").get_json()["threads"]
    assert [t["title"] for t in threads if t["title"] == "Not mine"] == []


def test_an_anonymous_post_lists_its_files_under_neutral_names(api):
    photo = uploaded(api, "supplier", name="Maria Lopez dormitory.jpg")
    made = api.start_thread("supplier", body="Anonymous photo.", anonymous=True, attachments=[photo["id"]])
    shown = made["post"]["attachments"][0]
    assert shown["name"] == f"image-{photo['id']}.jpg" and "Maria" not in shown["url"]


def test_a_reply_over_the_socket_carries_its_files_to_the_room(api, socket_for):
    made = api.start_thread("member", body="Send your photos.")
    photo = uploaded(api, "supplier")
    reader = socket_for("supplier2")
    reader.emit("join", {"room": f"thread:{made['thread']['id']}"}, callback=True)
    reader.get_received()
    ack = socket_for("supplier").emit("post", {"thread_id": made["thread"]["id"], "body": "Here.",
                                               "attachments": [photo["id"]]}, callback=True)
    assert ack["ok"], ack
    assert [f["id"] for f in ack["post"]["attachments"]] == [photo["id"]]
    created = [e for e in reader.get_received() if e["name"] == "post.created"]
    assert [f["url"] for f in created[0]["args"][0]["post"]["attachments"]] == [photo["url"]]


def test_the_reply_form_takes_files_and_keeps_them_when_the_post_is_refused(api, login_as):
    made = api.start_thread("member", body="Send your photos.")
    browser = login_as("supplier")
    thread_url = f"/threads/{made['thread']['id']}"
    page = browser.get(thread_url).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'name="files"' in page and "Metadata is removed" in page
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    refused = browser.post(f"{thread_url}/reply", data={
        "csrf_token": token, "body": "", "files": (io.BytesIO(samples.jpeg_with_gps()), "dorm.jpg")},
        content_type="multipart/form-data")
    assert refused.status_code == 400
    kept = refused.get_data(as_text=True)
    assert 'name="attachments"' in kept and "dorm.jpg" in kept
    kept_id = kept.split('name="attachments" value="')[1].split('"')[0]
    posted = browser.post(f"{thread_url}/reply", data={
        "csrf_token": token, "body": "Now with text.", "attachments": kept_id,
        "files": (io.BytesIO(samples.image_bytes("PNG")), "second.png")}, content_type="multipart/form-data")
    assert posted.status_code == 302
    posts = api.get(f"/threads/{made['thread']['id']}", "supplier").get_json()["posts"]
    assert [f["name"] for f in posts[-1]["attachments"]] == ["dorm.jpg", "second.png"]


def test_a_refused_file_in_the_form_keeps_the_text(api, login_as):
    made = api.start_thread("member", body="Send your photos.")
    browser = login_as("supplier")
    thread_url = f"/threads/{made['thread']['id']}"
    token = browser.get(thread_url).get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    refused = browser.post(f"{thread_url}/reply", data={
        "csrf_token": token, "body": "My text stays.", "files": (io.BytesIO(samples.HTML_PAGE), "x.jpg")},
        content_type="multipart/form-data")
    assert refused.status_code == 415
    assert "My text stays." in refused.get_data(as_text=True)


def test_a_new_thread_form_takes_files(api, login_as):
    browser = login_as("supplier")
    page = browser.get("/t/grievance/new").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    client_id = page.split('name="client_id" value="')[1].split('"')[0]
    posted = browser.post("/t/grievance/new", data={
        "csrf_token": token, "client_id": client_id, "title": "Poster photo", "kind": "discussion",
        "body": "The grievance poster.", "files": (io.BytesIO(samples.jpeg_with_gps()), "poster.jpg")},
        content_type="multipart/form-data")
    assert posted.status_code == 302, posted.get_data(as_text=True)[:2000]
    thread_id = int(posted.headers["Location"].rstrip("/").split("/")[-1])
    post = api.get(f"/threads/{thread_id}", "member").get_json()["posts"][0]
    assert [f["name"] for f in post["attachments"]] == ["poster.jpg"]


def test_files_of_a_hidden_post_are_not_listed_to_readers(api, app, world):
    from community.actions.moderation import moderate_post
    from community.extensions import db
    from community.models import Post

    photo = uploaded(api, "supplier")
    made = api.start_thread("member", body="Photos below.")
    answer = api.reply("supplier", made["thread"]["id"], "Photo.", attachments=[photo["id"]])
    with app.app_context():
        moderate_post(world.user("moderator"), db.session.get(Post, answer["id"]), "hide", "Faces visible")
    seen = api.get(f"/posts/{answer['id']}", "supplier").get_json()["post"]
    assert [f["id"] for f in seen["attachments"]] == [photo["id"]]  # the author still sees it
    assert api.get(f"/posts/{answer['id']}", "supplier2").status_code == 404


def test_the_composers_help_is_built_from_the_settings(app, login_as):
    """Only the allowed types are named, with the per-file and per-post limits."""
    app.config.update(FILE_TYPES=["jpeg", "webp", "pdf", "docx"], FILE_MAX_BYTES=5 * 1048576,
                      FILE_POST_MAX_BYTES=12 * 1048576 + 524288, FILE_POST_MAX_COUNT=4)
    page = login_as("supplier").get("/t/grievance/new").get_data(as_text=True)
    help_text = page.split("data-attach-types>")[1].split("</span>")[0]
    assert help_text == ("Allowed: images (JPEG, WebP), PDF, office documents (DOCX). Up to 5 MB per file; "
                         "a post holds up to 4 files and 12.5 MB in all.")
    app.config.update(FILE_TYPES=["txt", "csv"])
    page = login_as("supplier").get("/t/grievance/new").get_data(as_text=True)
    help_text = page.split("data-attach-types>")[1].split("</span>")[0]
    assert help_text.startswith("Allowed: CSV, plain text. Up to 5 MB per file;")
    assert "JPEG" not in help_text and "PDF" not in help_text


def test_someone_elses_file_is_refused_on_the_socket_and_the_form_too(api, socket_for, login_as):
    made = api.start_thread("member", body="Send your photos.")
    theirs = uploaded(api, "supplier2", name="their dormitory.jpg")
    ack = socket_for("supplier").emit("post", {"thread_id": made["thread"]["id"], "body": "Taking a file.",
                                               "attachments": [theirs["id"]]}, callback=True)
    assert not ack["ok"] and ack["error"]["field"] == "attachments", ack
    browser = login_as("supplier")
    thread_url = f"/threads/{made['thread']['id']}"
    token = browser.get(thread_url).get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    refused = browser.post(f"{thread_url}/reply", data={
        "csrf_token": token, "body": "Taking a file.", "attachments": str(theirs["id"])},
        content_type="multipart/form-data")
    assert refused.status_code == 400 and "their dormitory" not in refused.get_data(as_text=True)
    posts = api.get(f"/threads/{made['thread']['id']}", "member").get_json()["posts"]
    assert [p["body"] for p in posts] == ["Send your photos."]


@pytest.mark.parametrize("ids", [[10 ** 20], [-1], [0], list(range(1, 50_001))])
def test_ids_out_of_range_or_by_the_thousand_are_a_clear_400(api, ids):
    made = api.start_thread("member", body="Send your photos.")
    answer = api.post(f"/threads/{made['thread']['id']}/posts", "supplier", json={"body": "Files.",
                                                                                "attachments": ids})
    assert assert_error(answer, 400, "invalid")["field"] == "attachments"


def test_a_file_of_the_resources_library_cannot_be_put_in_a_post(api):
    guide = uploaded(api, "member", samples.pdf(), "guide.pdf")
    made = api.post("/topics/members-lounge/resources", "member", json={
        "title": "Lounge guide", "kind": "guidance", "language": "en", "upload": guide["id"]})
    assert made.status_code == 201, made.get_json()
    answer = api.post("/topics/grievance/threads", "member", json={
        "title": "Sharing the guide", "body": "Here it is.", "anonymous": True, "attachments": [guide["id"]]})
    assert assert_error(answer, 400, "invalid")["field"] == "attachments"
