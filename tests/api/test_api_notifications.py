"""The caller's notifications: list, pages, unread filter, marking read."""
from __future__ import annotations

import pytest

from tests.api.helpers import assert_error


@pytest.fixture
def five_notes(api) -> list[int]:
    """Five replies to the supplier's opening post: five notifications for the supplier."""
    made = api.start_thread("supplier")
    for n in range(5):
        api.reply("member", made["thread"]["id"], f"reply {n}", reply_to=made["post"]["id"])
    return [n["id"] for n in api.get("/notifications", "supplier").get_json()["notifications"]]


def test_list_notifications(api, five_notes):
    data = api.get("/notifications", "supplier").get_json()
    assert len(data["notifications"]) == 5 and data["unread"] == 5 and data["next_cursor"] is None
    note = data["notifications"][0]
    assert {"id", "kind", "text", "url", "thread_id", "post_id", "created_at", "read"} <= set(note)
    assert note["kind"] == "reply" and note["read"] is False and note["created_at"].endswith("Z")
    assert five_notes == sorted(five_notes, reverse=True)  # newest first
    assert api.get("/notifications", "member2").get_json()["notifications"] == []


def test_notification_cursor_walks_every_one_once(api, five_notes):
    seen, cursor, pages = [], None, 0
    while True:
        url = "/notifications?limit=2" + (f"&cursor={cursor}" if cursor else "")
        data = api.get(url, "supplier").get_json()
        seen += [n["id"] for n in data["notifications"]]
        pages += 1
        cursor = data["next_cursor"]
        if not cursor:
            break
    assert seen == five_notes and pages == 3


def test_mark_one_then_all_read(api, five_notes):
    response = api.post("/notifications/read", "supplier", json={"id": five_notes[0]})
    assert response.status_code == 200 and response.get_json() == {"marked": 1, "unread": 4}
    unread = api.get("/notifications?unread=1", "supplier").get_json()["notifications"]
    assert [n["id"] for n in unread] == five_notes[1:]
    response = api.post("/notifications/read", "supplier")  # no body: all of them
    assert response.get_json() == {"marked": 4, "unread": 0}
    assert api.get("/me", "supplier").get_json()["unread_notifications"] == 0


def test_mark_read_refusals(api, five_notes):
    assert_error(api.post("/notifications/read", "member2", json={"id": five_notes[0]}), 404, "not_found")
    assert_error(api.post("/notifications/read", "supplier", json={"id": 999999}), 404, "not_found")
    assert_error(api.post("/notifications/read", "supplier", json={"id": "first"}), 400, "invalid")
    assert_error(api.post("/notifications/read", "supplier", json=[1]), 400, "invalid")
    assert_error(api.get("/notifications?unread=maybe", "supplier"), 400, "invalid")
    assert_error(api.get("/notifications?cursor=zzz", "supplier"), 400, "invalid")
