"""Topics, thread lists (order, filters, cursors), starting threads and reading one thread."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from community.extensions import db
from community.models import Post, Thread
from tests.api.helpers import assert_error


# --- topics ------------------------------------------------------------------------
@pytest.mark.parametrize("who,expected", [
    ("supplier", {"grievance", "announcements", "textiles-circle"}),
    ("supplier2", {"grievance", "announcements"}),
    ("member", {"grievance", "announcements", "members-lounge"}),
    ("admin", {"grievance", "announcements", "members-lounge", "textiles-circle"}),
])
def test_topics_lists_only_readable_topics(api, who, expected):
    response = api.get("/topics", who)
    assert response.status_code == 200
    data = response.get_json()
    assert {t["slug"] for t in data["topics"]} == expected
    assert data["next_cursor"] is None
    for topic in data["topics"]:
        assert {"slug", "name", "kind", "settings"} <= set(topic)
        assert topic["kind"] in ("theme", "hub")
        assert "visibility" in topic["settings"] and "allow_anonymous" in topic["settings"]


def test_topic_flags_for_the_caller(api):
    topics = {t["slug"]: t for t in api.get("/topics", "supplier").get_json()["topics"]}
    assert topics["grievance"]["can_post_anonymously"] is True
    assert topics["announcements"]["can_start_thread"] is False
    assert topics["grievance"]["moderator"] is False
    mod = {t["slug"]: t for t in api.get("/topics", "moderator").get_json()["topics"]}
    assert mod["grievance"]["moderator"] is True and mod["announcements"]["moderator"] is False


def test_single_topic(api):
    response = api.get("/topics/grievance", "supplier")
    assert response.status_code == 200
    assert response.get_json()["topic"]["name"] == "Grievance mechanisms"


@pytest.mark.parametrize("who,slug", [("supplier2", "textiles-circle"), ("supplier", "members-lounge"),
                                      ("supplier", "no-such-topic")])
@pytest.mark.parametrize("suffix", ["", "/threads"])
def test_private_and_unknown_topics_are_404(api, who, slug, suffix):
    error = assert_error(api.get(f"/topics/{slug}{suffix}", who), 404, "not_found")
    assert error["message"] == "That topic does not exist."


@pytest.mark.parametrize("who,slug", [("supplier2", "textiles-circle"), ("supplier", "members-lounge"),
                                      ("supplier", "no-such-topic")])
def test_starting_a_thread_in_a_private_topic_is_404(api, who, slug):
    response = api.post(f"/topics/{slug}/threads", who, json={"title": "A fine title", "body": "text"})
    assert_error(response, 404, "not_found")


# --- starting threads -----------------------------------------------------------------
def test_start_thread(api, world, in_db):
    response = api.post("/topics/grievance/threads", "supplier", json={
        "title": "How do we audit subcontractors?", "body": "We use *two* auditors.",
        "kind": "question", "tags": ["audits", "Sub Contractors"]})
    assert response.status_code == 201
    data = response.get_json()
    thread, post = data["thread"], data["post"]
    assert thread["topic"] == "grievance" and thread["kind"] == "question"
    assert thread["title"] == "How do we audit subcontractors?"
    assert thread["tags"] == ["audits", "sub-contractors"]
    assert thread["author"]["id"] == world.ids["supplier"]
    assert thread["created_at"].endswith("Z") and thread["last_activity_at"].endswith("Z")
    assert post["thread_id"] == thread["id"] and post["is_opening"] is True
    assert post["state"] == "visible" and post["reply_to"] is None
    assert post["body"] == "We use *two* auditors."  # the author sees the Markdown
    assert post["html"] == "<p>We use <em>two</em> auditors.</p>"
    assert {"id", "name", "organisation", "role"} <= set(post["author"])
    assert in_db(lambda: db.session.scalar(db.select(db.func.count(Thread.id)))) == 1


def test_start_thread_is_idempotent_with_client_id(api, in_db):
    body = {"title": "Retried thread title", "body": "Sent twice.", "client_id": "t-1"}
    first = api.post("/topics/grievance/threads", "supplier", json=body)
    again = api.post("/topics/grievance/threads", "supplier", json=body)
    assert first.status_code == again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert first.get_json()["thread"]["id"] == again.get_json()["thread"]["id"]
    assert in_db(lambda: db.session.scalar(db.select(db.func.count(Thread.id)))) == 1


@pytest.mark.parametrize("body,field", [
    ({"title": 12345, "body": "text"}, "title"),
    ({"title": "A fine title", "body": ["not", "text"]}, "body"),
    ({"title": "A fine title", "body": "text", "anonymous": "perhaps"}, "anonymous"),
    ({"title": "A fine title", "body": "text", "anonymous": 1}, "anonymous"),
    ({"title": "A fine title", "body": "text", "kind": "poll"}, "kind"),
    ({"title": "A fine title", "body": "text", "kind": ["question"]}, "kind"),
    ({"title": "A fine title", "body": "text", "tags": 5}, "tags"),
    ({"title": "A fine title", "body": "text", "client_id": 7}, "client_id"),
    ({"title": "Tiny", "body": "text"}, "title"),
    ({"body": "text"}, "title"),
    ({"title": "A fine title"}, "body"),
    ({"title": "A fine title", "body": "   "}, "body"),
])
def test_start_thread_wrong_input_is_400(api, body, field):
    error = assert_error(api.post("/topics/grievance/threads", "supplier", json=body), 400, "invalid")
    assert error.get("field") == field


def test_start_thread_oversized_body_is_400(api, app):
    limit = app.config["POST_MAX_CHARS"]
    too_long = api.post("/topics/grievance/threads", "supplier", json={"title": "A fine title", "body": "x" * (limit + 1)})
    error = assert_error(too_long, 400, "invalid")
    assert error["field"] == "body" and "too long" in error["message"]
    just_right = api.post("/topics/grievance/threads", "supplier", json={"title": "A fine title", "body": "x" * limit})
    assert just_right.status_code == 201


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b'"text"', b"42", b"null", b"", b"   "])
def test_start_thread_malformed_or_empty_body_is_400(api, raw):
    response = api.post("/topics/grievance/threads", "supplier", data=raw,
                        headers={"Content-Type": "application/json"})
    error = assert_error(response, 400, "invalid")
    assert "JSON" in error["message"]


def test_start_thread_refusals(api):
    # suppliers cannot post announcements, nor start threads where members start them
    assert_error(api.post("/topics/grievance/threads", "supplier",
                          json={"title": "Big announcement", "body": "text", "kind": "announcement"}),
                 403, "forbidden")
    assert_error(api.post("/topics/announcements/threads", "supplier",
                          json={"title": "A fine title", "body": "text"}), 403, "forbidden")
    # anonymity only where the topic allows it
    assert_error(api.post("/topics/announcements/threads", "member",
                          json={"title": "A fine title", "body": "text", "anonymous": True}), 403, "forbidden")
    assert api.post("/topics/announcements/threads", "member",
                    json={"title": "A fine title", "body": "text"}).status_code == 201


# --- thread lists -----------------------------------------------------------------------
def _walk(api, path: str, who: str, key: str, limit: int) -> list[list[int]]:
    pages, cursor = [], None
    for _ in range(50):
        sep = "&" if "?" in path else "?"
        url = f"{path}{sep}limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        response = api.get(url, who)
        assert response.status_code == 200, response.get_json()
        data = response.get_json()
        pages.append([item["id"] for item in data[key]])
        cursor = data["next_cursor"]
        if cursor is None:
            return pages
    raise AssertionError("the cursor never ended")


def test_threads_newest_activity_first(api):
    ids = [api.start_thread("supplier", title=f"Thread number {n}")["thread"]["id"] for n in range(3)]
    listed = [t["id"] for t in api.get("/topics/grievance/threads", "member").get_json()["threads"]]
    assert listed == ids[::-1]
    api.reply("member", ids[0])
    listed = [t["id"] for t in api.get("/topics/grievance/threads", "member").get_json()["threads"]]
    assert listed == [ids[0], ids[2], ids[1]]


def test_thread_cursor_walks_every_thread_once(api):
    ids = [api.start_thread("supplier", title=f"Thread number {n}")["thread"]["id"] for n in range(7)]
    pages = _walk(api, "/topics/grievance/threads", "member", "threads", 3)
    assert [len(p) for p in pages] == [3, 3, 1]
    flat = [i for p in pages for i in p]
    assert flat == ids[::-1]


def test_thread_cursor_breaks_ties_on_equal_activity_times(api, in_db):
    ids = [api.start_thread("supplier", title=f"Thread number {n}")["thread"]["id"] for n in range(5)]
    same = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
    in_db(lambda: db.session.execute(db.update(Thread).values(last_activity_at=same)))
    pages = _walk(api, "/topics/grievance/threads", "member", "threads", 2)
    flat = [i for p in pages for i in p]
    assert flat == sorted(ids, reverse=True) and len(set(flat)) == 5


def test_thread_filters(api):
    discussion = api.start_thread("supplier", title="Just discussing here")["thread"]["id"]
    answered = api.start_thread("supplier", title="Answered question?", kind="question")["thread"]["id"]
    open_q = api.start_thread("supplier", title="Open question here?", kind="question")["thread"]["id"]
    answer = api.reply("member", answered)
    assert api.post(f"/threads/{answered}/accept", "supplier", json={"post_id": answer["id"]}).status_code == 200

    def listed(query):
        return {t["id"] for t in api.get(f"/topics/grievance/threads{query}", "member2").get_json()["threads"]}

    assert listed("") == {discussion, answered, open_q}
    assert listed("?filter=questions") == {answered, open_q}
    assert listed("?filter=unanswered") == {open_q}
    pages = _walk(api, "/topics/grievance/threads?filter=questions", "member2", "threads", 1)
    assert [i for p in pages for i in p] == [answered, open_q]  # the answer made it the most active


@pytest.mark.parametrize("query", ["?filter=popular", "?limit=0", "?limit=101", "?limit=ten", "?limit=²",
                                   "?cursor=not-a-cursor", "?cursor=WzEsMl0", "?cursor=%E2%9C%93"])
def test_thread_list_bad_query_is_400(api, query):
    assert_error(api.get(f"/topics/grievance/threads{query}", "member"), 400, "invalid")


def test_a_cursor_of_another_list_is_400(api):
    thread_id = api.start_thread("supplier")["thread"]["id"]
    for n in range(3):
        api.reply("member", thread_id, f"reply {n}")
    posts_cursor = api.get(f"/threads/{thread_id}?limit=1", "member").get_json()["next_cursor"]
    assert posts_cursor
    assert_error(api.get(f"/topics/grievance/threads?cursor={posts_cursor}", "member"), 400, "invalid")


def test_held_threads_are_listed_only_to_author_and_moderators(api, in_db, world):
    in_db(lambda: setattr(world.topic("grievance"), "moderation", "all"))
    made = api.start_thread("supplier", title="Held until approved")
    assert made["thread"]["state"] == "held" and made["post"]["state"] == "held"
    thread_id = made["thread"]["id"]

    def listed(who):
        return [t["id"] for t in api.get("/topics/grievance/threads", who).get_json()["threads"]]

    assert listed("supplier") == [thread_id]
    assert listed("moderator") == [thread_id]
    assert listed("supplier2") == [] and listed("member") == []
    assert_error(api.get(f"/threads/{thread_id}", "member"), 404, "not_found")


# --- one thread -------------------------------------------------------------------------
def test_read_thread(api, world):
    made = api.start_thread("supplier", kind="question")
    thread_id = made["thread"]["id"]
    first = api.reply("member", thread_id, "First answer")
    api.reply("member2", thread_id, "Second answer", reply_to=first["id"])
    response = api.get(f"/threads/{thread_id}", "supplier2")
    assert response.status_code == 200
    data = response.get_json()
    assert data["thread"]["id"] == thread_id and data["thread"]["reply_count"] == 2
    assert [p["html"] for p in data["posts"]] == [
        "<p>We use <strong>two</strong> auditors.</p>", "<p>First answer</p>", "<p>Second answer</p>"]
    assert data["posts"][2]["reply_to"] == first["id"]
    assert data["next_cursor"] is None
    for post in data["posts"]:
        assert "body" not in post  # Markdown source only for its author and moderators
        assert {"id", "thread_id", "reply_to", "state", "html", "created_at", "edited_at", "author"} <= set(post)
    own = api.get(f"/threads/{thread_id}", "member").get_json()["posts"]
    assert own[1]["body"] == "First answer" and "body" not in own[2]
    assert all("body" in p for p in api.get(f"/threads/{thread_id}", "moderator").get_json()["posts"])


def test_posts_cursor_walks_every_post_once(api):
    thread_id = api.start_thread("supplier")["thread"]["id"]
    replies = [api.reply("member", thread_id, f"reply {n}")["id"] for n in range(11)]
    pages = _walk(api, f"/threads/{thread_id}", "member2", "posts", 5)
    assert [len(p) for p in pages] == [5, 5, 2]
    flat = [i for p in pages for i in p]
    assert flat[1:] == replies and len(set(flat)) == 12


def test_posts_invisible_to_readers_are_left_out(api, in_db, world):
    thread_id = api.start_thread("supplier")["thread"]["id"]
    visible = api.reply("member", thread_id, "visible one")["id"]
    deleted = api.reply("member", thread_id, "deleted one")["id"]
    hidden = api.reply("member2", thread_id, "hidden one")["id"]
    assert api.delete(f"/posts/{deleted}", "member").status_code == 200
    assert api.post(f"/posts/{hidden}/moderation", "moderator",
                    json={"action": "hide", "reason": "Off topic"}).status_code == 200
    in_db(lambda: setattr(world.topic("grievance"), "moderation", "all"))
    held = api.reply("supplier2", thread_id, "held one")
    assert held["state"] == "held"

    def seen(who):
        return {p["id"]: p["state"] for p in api.get(f"/threads/{thread_id}", who).get_json()["posts"]}

    reader = seen("supplier")
    assert visible in reader and not {deleted, hidden, held["id"]} & set(reader)
    assert seen("member")[deleted] == "deleted" and hidden not in seen("member")
    assert seen("member2")[hidden] == "hidden"
    assert seen("supplier2")[held["id"]] == "held"
    assert {deleted, hidden, held["id"]} <= set(seen("moderator"))
    # and one by one
    assert_error(api.get(f"/posts/{hidden}", "supplier"), 404, "not_found")
    assert api.get(f"/posts/{hidden}", "member2").status_code == 200


@pytest.mark.parametrize("who,topic", [("supplier2", "textiles-circle"), ("supplier", "members-lounge")])
def test_private_threads_and_posts_are_404_for_outsiders(api, who, topic):
    insider = "supplier" if topic == "textiles-circle" else "member"
    made = api.start_thread(insider, topic=topic)
    thread_id, post_id = made["thread"]["id"], made["post"]["id"]
    for response in (api.get(f"/threads/{thread_id}", who), api.get(f"/posts/{post_id}", who),
                     api.post(f"/threads/{thread_id}/posts", who, json={"body": "hi"}),
                     api.patch(f"/posts/{post_id}", who, json={"body": "hi"}),
                     api.delete(f"/posts/{post_id}", who),
                     api.post(f"/posts/{post_id}/flags", who, json={"reason": "spam"}),
                     api.post(f"/posts/{post_id}/moderation", who, json={"action": "hide", "reason": "x"}),
                     api.post(f"/threads/{thread_id}/moderation", who, json={"action": "lock"}),
                     api.post(f"/threads/{thread_id}/accept", who, json={"post_id": post_id})):
        error = assert_error(response, 404, "not_found")
        assert "exist" in error["message"]  # the same words as for a missing one
    listed = api.get(f"/topics/{topic}/threads", insider).get_json()["threads"]
    assert [t["id"] for t in listed] == [thread_id]


@pytest.mark.parametrize("path", ["/threads/999", "/threads/99999999999999999999999", "/threads/abc",
                                  "/threads/-1", "/posts/999", "/posts/99999999999999999999999"])
def test_unknown_ids_are_404(api, path):
    assert_error(api.get(path, "member"), 404, "not_found")


def test_thread_counts_only_one_row_per_post(api, in_db):
    thread_id = api.start_thread("supplier")["thread"]["id"]
    api.reply("member", thread_id)
    assert in_db(lambda: db.session.scalar(db.select(db.func.count(Post.id)))) == 2
