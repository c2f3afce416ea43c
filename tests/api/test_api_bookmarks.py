"""Bookmarks through the API: POST /bookmarks (201, then 200), GET /bookmarks (paged, only what
one may still see), GET/PATCH/DELETE /bookmarks/<id> (one's own only), and an anonymous author
never findable through them."""
from __future__ import annotations

from datetime import timedelta

import pytest

from community.models import utcnow
from tests.api.helpers import assert_anonymous, assert_error


def iso(moment) -> str:
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


@pytest.fixture
def thread(api) -> dict:
    return api.start_thread("member", title="Grievance hotlines that work")


def test_save_a_post_with_a_note_and_reminder(api, thread):
    post_id = thread["post"]["id"]
    when = iso(utcnow() + timedelta(days=2))
    response = api.post("/bookmarks", "supplier", json={"post_id": post_id, "note": "share with HR", "remind_at": when})
    assert response.status_code == 201
    mark = response.get_json()["bookmark"]
    assert (mark["kind"], mark["post_id"], mark["thread_id"], mark["note"]) == ("post", post_id, thread["thread"]["id"],
                                                                              "share with HR")
    assert mark["remind_at"] == when and mark["reminded_at"] is None
    assert mark["post"]["id"] == post_id and mark["thread"]["title"] == "Grievance hotlines that work"
    assert mark["url"] == f"/posts/{post_id}"

    again = api.post("/bookmarks", "supplier", json={"post_id": post_id, "note": "changed"})
    assert again.status_code == 200
    assert again.get_json()["bookmark"]["id"] == mark["id"] and again.get_json()["bookmark"]["remind_at"] is None


def test_save_a_thread_then_list_read_change_and_remove(api, thread):
    thread_id = thread["thread"]["id"]
    made = api.post("/bookmarks", "supplier", json={"thread_id": thread_id}).get_json()["bookmark"]
    assert (made["kind"], made["post_id"], made["post"], made["url"]) == ("thread", None, None, f"/threads/{thread_id}")

    listed = api.get("/bookmarks", "supplier").get_json()
    assert [b["id"] for b in listed["bookmarks"]] == [made["id"]] and listed["next_cursor"] is None
    assert api.get(f"/bookmarks/{made['id']}", "supplier").get_json()["bookmark"]["id"] == made["id"]

    when = iso(utcnow() + timedelta(hours=3))
    changed = api.patch(f"/bookmarks/{made['id']}", "supplier", json={"remind_at": when}).get_json()["bookmark"]
    assert changed["remind_at"] == when and changed["note"] == ""
    noted = api.patch(f"/bookmarks/{made['id']}", "supplier", json={"note": "for Monday"}).get_json()["bookmark"]
    assert noted["remind_at"] == when and noted["note"] == "for Monday"
    cleared = api.patch(f"/bookmarks/{made['id']}", "supplier", json={"remind_at": None}).get_json()["bookmark"]
    assert cleared["remind_at"] is None

    assert api.delete(f"/bookmarks/{made['id']}", "supplier").get_json() == {"deleted": made["id"]}
    assert_error(api.get(f"/bookmarks/{made['id']}", "supplier"), 404, "not_found")
    assert api.get("/bookmarks", "supplier").get_json()["bookmarks"] == []


def test_a_time_without_offset_is_the_callers_own(api, thread, in_db, world):
    in_db(lambda: setattr(world.user("supplier"), "timezone", "Asia/Kolkata"))
    local = (utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT09:00")
    mark = api.post("/bookmarks", "supplier", json={"thread_id": thread["thread"]["id"], "remind_at": local})
    assert mark.get_json()["bookmark"]["remind_at"].endswith("T03:30:00Z")


@pytest.mark.parametrize("body,field", [
    ({}, "post_id"),
    ({"post_id": 1, "thread_id": 1}, "post_id"),
    ({"post_id": "one"}, "post_id"),
    ({"thread_id": True}, "thread_id"),
    ({"THREAD": 1, "note": "x" * 501}, "note"),
    ({"THREAD": 1, "note": 5}, "note"),
    ({"THREAD": 1, "remind_at": "next week"}, "remind_at"),
    ({"THREAD": 1, "remind_at": "2020-01-01T00:00:00Z"}, "remind_at"),
    ({"THREAD": 1, "remind_at": 1767225600}, "remind_at"),
])
def test_bad_input_is_one_clear_400(api, thread, body, field):
    if "THREAD" in body:
        body = {**{k: v for k, v in body.items() if k != "THREAD"}, "thread_id": thread["thread"]["id"]}
    error = assert_error(api.post("/bookmarks", "supplier", json=body), 400, "invalid")
    assert error["field"] == field
    assert api.get("/bookmarks", "supplier").get_json()["bookmarks"] == []


def test_a_bookmark_is_its_owners_alone(api, thread):
    mark = api.post("/bookmarks", "supplier", json={"post_id": thread["post"]["id"], "note": "private"}).get_json()
    mark_id = mark["bookmark"]["id"]
    for who in ("supplier2", "moderator", "admin"):
        missing = assert_error(api.get("/bookmarks/999999", who), 404, "not_found")
        assert assert_error(api.get(f"/bookmarks/{mark_id}", who), 404, "not_found") == missing
        assert_error(api.patch(f"/bookmarks/{mark_id}", who, json={"note": "x"}), 404, "not_found")
        assert_error(api.delete(f"/bookmarks/{mark_id}", who), 404, "not_found")
        assert api.get("/bookmarks", who).get_json()["bookmarks"] == []
    assert_error(api.get("/bookmarks", None), 401, "unauthorized")


def test_nothing_out_of_sight_can_be_saved_or_shown(api, in_db, world):
    lounge = api.start_thread("member", topic="members-lounge")
    assert_error(api.post("/bookmarks", "supplier", json={"thread_id": lounge["thread"]["id"]}), 404, "not_found")
    assert_error(api.post("/bookmarks", "supplier", json={"post_id": lounge["post"]["id"]}), 404, "not_found")

    # a thread moved where its saver may not follow drops out of their list (kept for if it comes back)
    open_thread = api.start_thread("member", title="Moves to the lounge later")
    mark = api.post("/bookmarks", "supplier", json={"thread_id": open_thread["thread"]["id"]}).get_json()["bookmark"]
    moved = api.post(f"/threads/{open_thread['thread']['id']}/moderation", "admin",
                     json={"action": "move", "topic": "members-lounge"})
    assert moved.status_code == 200, moved.get_json()
    assert api.get("/bookmarks", "supplier").get_json()["bookmarks"] == []
    assert_error(api.get(f"/bookmarks/{mark['id']}", "supplier"), 404, "not_found")
    assert api.delete(f"/bookmarks/{mark['id']}", "supplier").status_code == 200  # may still be removed


def test_paging(api, thread):
    thread_id = thread["thread"]["id"]
    ids = [api.reply("member2", thread_id, f"reply {i}")["id"] for i in range(5)]
    for post_id in ids:
        api.post("/bookmarks", "supplier", json={"post_id": post_id})
    first = api.get("/bookmarks?limit=2", "supplier").get_json()
    second = api.get(f"/bookmarks?limit=2&cursor={first['next_cursor']}", "supplier").get_json()
    third = api.get(f"/bookmarks?limit=2&cursor={second['next_cursor']}", "supplier").get_json()
    seen = [b["post_id"] for page in (first, second, third) for b in page["bookmarks"]]
    assert seen == ids[::-1] and third["next_cursor"] is None
    assert_error(api.get("/bookmarks?cursor=nonsense", "supplier"), 400, "invalid")


def test_an_anonymous_author_is_not_findable_through_bookmarks(api, world):
    anon = api.start_thread("supplier", anonymous=True, title="Our auditor asked for a bribe")
    answer = api.reply("supplier", anon["thread"]["id"], "More detail, still anonymous.", anonymous=True)
    for who in ("member", "moderator", "admin"):
        api.post("/bookmarks", who, json={"thread_id": anon["thread"]["id"]})
        api.post("/bookmarks", who, json={"post_id": answer["id"]})
        assert_anonymous(api.get("/bookmarks", who).get_json(), ["Supplier", "supplier@", "Textiles"],
                         world.ids["supplier"])
