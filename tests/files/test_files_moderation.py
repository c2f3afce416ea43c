"""Moderating files: flags point at a file of a post, moderators hide / delete / restore it (the
audit log records it), a deleted file is served to nobody and its bytes are removed."""
from __future__ import annotations

from tests.api.helpers import Api, assert_error
from tests.files.test_files_in_posts import api, uploaded  # noqa: F401  (the fixture)


def test_a_moderator_hides_then_deletes_a_file_of_a_post(api: Api, login_as, app, stored_files):
    photo = uploaded(api, "supplier")
    made = api.start_thread("supplier", body="Photo.", attachments=[photo["id"]])
    assert_error(api.post(f"/uploads/{photo['id']}/moderation", "member", json={"action": "hide"}), 403, "forbidden")
    hidden = api.post(f"/uploads/{photo['id']}/moderation", "moderator", json={"action": "hide", "reason": "A face"})
    assert hidden.status_code == 200 and hidden.get_json()["upload"]["state"] == "hidden"
    assert login_as("member").get(photo["url"]).status_code == 404
    assert login_as("supplier").get(photo["url"]).status_code == 200  # its owner still may
    post = api.get(f"/posts/{made['post']['id']}", "member").get_json()["post"]
    assert post["attachments"] == []

    page = login_as("moderator").get(f"/threads/{made['thread']['id']}").get_data(as_text=True)
    assert f'action="/files/{photo["id"]}/moderation"' in page
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    deleted = login_as("moderator").post(f"/files/{photo['id']}/moderation", data={"csrf_token": token,
                                                                                   "action": "delete"})
    assert deleted.status_code == 302
    assert login_as("supplier").get(photo["url"]).status_code == 404
    assert not [p for p in stored_files.rglob("*") if p.is_file()]  # the bytes are gone too

    log = login_as("moderator").get("/moderation/log").get_data(as_text=True)
    assert "hide file" in log and "delete file" in log and f"file {photo['id']}" in log


def test_a_reader_flags_one_file_of_a_post(api: Api, login_as):
    photo = uploaded(api, "supplier")
    made = api.start_thread("supplier", body="Photo.", attachments=[photo["id"]])
    reader = login_as("member")
    page = reader.get(f"/threads/{made['thread']['id']}").get_data(as_text=True)
    link = f"/posts/{made['post']['id']}/flag?file={photo['id']}"
    assert link in page
    form = reader.get(link).get_data(as_text=True)
    assert "About the file photo.jpg" in form
