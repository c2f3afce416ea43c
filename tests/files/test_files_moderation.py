"""Moderating files: flags point at a file of a post, moderators hide / delete / restore it (the
audit log records it), a deleted file is served to nobody and its bytes are removed."""
from __future__ import annotations

import re

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


def _token(page: str) -> str:
    return page.split('name="csrf_token" value="')[1].split('"')[0]


def test_a_reader_flags_one_file_of_a_post_through_the_form_and_the_moderator_hides_it_from_the_queue(
        api: Api, login_as, app):
    photo = uploaded(api, "supplier")
    report = uploaded(api, "supplier", name="report.jpg")
    made = api.start_thread("supplier", body="Photos.", attachments=[photo["id"], report["id"]])
    post_id, thread_id = made["post"]["id"], made["thread"]["id"]
    reader = login_as("member")
    page = reader.get(f"/threads/{thread_id}").get_data(as_text=True)
    link = f"/posts/{post_id}/flag?file={photo['id']}"
    assert link in page
    form = reader.get(link).get_data(as_text=True)
    assert f'name="file" value="{photo["id"]}"' in form and "You are flagging one file of this post" in form
    sent = reader.post(f"/posts/{post_id}/flag", data={"csrf_token": _token(form), "file": str(photo["id"]),
                                                       "reason": "confidential", "note": "A worker's face"})
    assert sent.status_code == 302
    # The same reader flags the other file and the post itself: three flags, one each.
    assert api.post(f"/posts/{post_id}/flags", "member", json={"reason": "other", "note": "Names a worker",
                                                               "upload_id": report["id"]}).status_code == 201
    assert api.post(f"/posts/{post_id}/flags", "member", json={"reason": "spam"}).status_code == 201
    again = reader.post(f"/posts/{post_id}/flag", data={"csrf_token": _token(form), "file": str(photo["id"]),
                                                        "reason": "spam"})
    assert again.status_code == 409 and "already flagged this file" in again.get_data(as_text=True)
    # A file flag does not hide the post (only flags on the post itself count towards that).
    assert api.get(f"/posts/{post_id}", "supplier2").status_code == 200

    queue = login_as("moderator").get("/moderation").get_data(as_text=True)
    assert f'data-flagged-file="{photo["id"]}"' in queue and f'href="{photo["url"]}"' in queue
    assert f'data-flagged-file="{report["id"]}"' in queue
    assert f'action="/files/{photo["id"]}/moderation"' in queue  # one click from the flag
    hidden = login_as("moderator").post(f"/files/{photo['id']}/moderation", data={
        "csrf_token": _token(queue), "action": "hide", "reason": "A face", "next": "/moderation"})
    assert hidden.status_code == 302 and hidden.headers["Location"].endswith("/moderation")
    assert login_as("member").get(photo["url"]).status_code == 404
    with app.app_context():
        from community.extensions import db
        from community.models import Flag
        states = {(f.upload_id, f.status) for f in db.session.query(Flag).filter_by(post_id=post_id)}
    assert states == {(photo["id"], "upheld"), (report["id"], "open"), (None, "open")}
    notes = api.get("/notifications", "member").get_json()["notifications"]
    assert any(n["verb"] == "flag_upheld" for n in notes)
    after = login_as("moderator").get("/moderation").get_data(as_text=True)
    assert f'data-flagged-file="{photo["id"]}"' not in after  # its flag is closed; the other file's is open
    assert f'data-flagged-file="{report["id"]}"' in after


def test_a_file_flag_through_the_api(api: Api):
    photo = uploaded(api, "supplier")
    made = api.start_thread("supplier", body="Photo.", attachments=[photo["id"]])
    post_id = made["post"]["id"]
    flagged = api.post(f"/posts/{post_id}/flags", "supplier2", json={"reason": "abusive", "upload_id": photo["id"]})
    assert flagged.status_code == 201
    assert flagged.get_json()["flag"]["upload_id"] == photo["id"]
    assert_error(api.post(f"/posts/{post_id}/flags", "supplier2", json={"reason": "abusive",
                                                                        "upload_id": photo["id"]}), 409, "conflict")
    # A file of another post, or one that does not exist, is refused.
    other = uploaded(api, "member")
    api.start_thread("member", body="Mine.", attachments=[other["id"]])
    for wrong in (other["id"], 999999, "x"):
        assert_error(api.post(f"/posts/{post_id}/flags", "supplier2", json={"reason": "spam", "upload_id": wrong}),
                     400, "invalid")
    assert api.post(f"/posts/{post_id}/flags", "supplier2", json={"reason": "spam"}).status_code == 201


def test_hiding_a_resource_is_in_the_audit_log(api: Api, login_as, app):
    from tests.files.test_resources_api import add

    resource = add(api, "member", title="Outdated checklist").get_json()["resource"]
    assert api.post(f"/resources/{resource['id']}/moderation", "moderator",
                    json={"action": "hide", "reason": "Superseded"}).status_code == 200
    with app.app_context():
        from community.extensions import db
        from community.models import ModerationAction
        entry = db.session.query(ModerationAction).filter_by(target_type="resource",
                                                              target_id=resource["id"]).one()
        assert (entry.action, entry.reason, entry.before, entry.after) == (
            "hide_resource", "Superseded", {"state": "active"}, {"state": "hidden"})
    log = login_as("moderator").get("/moderation/log").get_data(as_text=True)
    assert "hide resource" in log and "Superseded" in log


def test_the_queue_card_of_a_flagged_file_shows_what_the_file_is(api: Api, login_as):
    """An image's thumbnail, a document's icon, name and size: judged without opening it; the
    thumbnail is served to the moderator by the same rule (hidden files too), to nobody else."""
    from tests.files.test_resources_api import pdf

    photo = uploaded(api, "supplier")
    report = uploaded(api, "supplier", data=pdf(), name="audit.pdf")
    made = api.start_thread("supplier", body="Photo and audit.", attachments=[photo["id"], report["id"]])
    post_id = made["post"]["id"]
    for upload in (photo, report):
        assert api.post(f"/posts/{post_id}/flags", "member", json={
            "reason": "confidential", "upload_id": upload["id"]}).status_code == 201
    moderator = login_as("moderator")
    queue = moderator.get("/moderation").get_data(as_text=True)
    thumb = f'/files/{photo["id"]}/thumbnail/'
    image_preview = queue[queue.index(f'data-flagged-file-preview="{photo["id"]}"'):]
    assert f'<img class="moderation-flag-thumb" src="{thumb}' in image_preview.split("</span>")[0]
    doc_preview = queue[queue.index(f'data-flagged-file-preview="{report["id"]}"'):].split("</span>\n    </span>")[0]
    assert "bi-file-earmark-text" in doc_preview and "bytes" in doc_preview and ">Download<" in doc_preview
    # the document is named once where it is flagged (its preview names it to screen readers only)
    assert 'visually-hidden"> <bdi>audit.pdf' in doc_preview
    seen = re.sub(r"<[^>]+>", "", re.sub(r'<span class="visually-hidden">.*?</span>', "", doc_preview))
    assert "audit.pdf" not in seen
    thumb_url = thumb + image_preview.split(thumb, 1)[1].split('"', 1)[0]
    live = moderator.get(f"/moderation/queue/items/{post_id}").get_data(as_text=True)  # a card arriving live
    assert f'data-flagged-file-preview="{photo["id"]}"' in live and thumb_url in live
    assert moderator.get(thumb_url).status_code == 200
    # Hidden, the file stays visible to the topic's moderators only, its card with it.
    assert api.post(f"/uploads/{photo['id']}/moderation", "admin", json={"action": "hide"}).status_code == 200
    assert moderator.get(thumb_url).status_code == 200
    assert login_as("member").get(thumb_url).status_code == 404
