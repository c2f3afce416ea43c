"""GET /api/v1/search and /api/v1/search/similar: the answer's shape, paging, and clear errors."""
from __future__ import annotations

import pytest

from tests.api.helpers import assert_error


@pytest.fixture
def posts(scene):
    thread, opening = scene.start("supplier", "grievance", "Who pays for durian audits?", "Durian audit costs.",
                                  kind="question")
    reply = scene.reply("member", thread, "The brand pays for durian audits.")
    return {"thread": thread, "opening": opening, "reply": reply}


def test_results_have_the_contract_shape(posts, api):
    response = api.get("/search?q=durian", "member2")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    answer = response.get_json()
    assert set(answer) == {"results", "next_cursor", "resources"} and answer["next_cursor"] is None
    assert answer["resources"] == []  # no resource in any library holds "durian"
    by_type = {r["type"]: r for r in answer["results"]}
    assert set(by_type) == {"thread", "post"}
    for result in answer["results"]:
        assert set(result) >= {"type", "thread", "post", "snippet", "rank"}
        assert result["thread"]["id"] == posts["thread"] and result["thread"]["url"] == f"/threads/{posts['thread']}"
        assert "<mark>" in result["snippet"] and isinstance(result["rank"], float)
    assert by_type["thread"]["post"] is None
    post = by_type["post"]["post"]
    assert post["id"] == posts["reply"] and post["thread_id"] == posts["thread"] and post["state"] == "visible"
    assert post["author"]["name"] == "Member" and "body" not in post  # Markdown only for its author/moderators
    assert by_type["thread"]["title"] == "Who pays for <mark>durian</mark> audits?"


def test_filters_are_query_parameters(posts, api):
    def ids(query):
        response = api.get("/search?q=durian" + query, "member2")
        assert response.status_code == 200, response.get_json()
        return {(r["type"], r["thread"]["id"]) for r in response.get_json()["results"]}

    assert ids("&type=thread") == {("thread", posts["thread"])}
    assert ids("&type=post&kind=question&answered=no&topic=grievance") == {("post", posts["thread"])}
    assert ids("&answered=yes") == set()
    assert ids("&org_kind=member") == {("post", posts["thread"])}
    assert ids("&since=2000-01-01&until=2999-12-31") == {("thread", posts["thread"]), ("post", posts["thread"])}


def test_the_language_filter(scene, api):
    thread, _ = scene.start("supplier", "grievance", "Durian fees", "Durian audit fees, again.", language="en")
    spanish = scene.reply("member", thread, "Durian: la marca paga la auditoría.", language="es")

    def post_ids(query):
        response = api.get("/search?q=durian" + query, "member2")
        assert response.status_code == 200, response.get_json()
        return {(r["post"] or {}).get("id") for r in response.get_json()["results"]}

    assert post_ids("&lang=es") == {spanish}
    assert None in post_ids("&lang=en") and spanish not in post_ids("&lang=en")
    assert post_ids("&lang=fr") == set()
    refused = api.get("/search?q=durian&lang=klingon", "member2")
    assert refused.status_code == 400 and refused.get_json()["error"]["field"] == "lang"


def test_paging_with_cursors(scene, api):
    thread, _ = scene.start("member", "grievance", "Okra thread", "Okra zero.")
    for i in range(1, 7):
        scene.reply("member2", thread, f"Okra number {i}.")
    seen, cursor, pages = [], None, 0
    while True:
        response = api.get("/search?q=okra&limit=3" + (f"&cursor={cursor}" if cursor else ""), "supplier")
        answer = response.get_json()
        seen += [(r["type"], (r["post"] or {}).get("id"), r["thread"]["id"]) for r in answer["results"]]
        pages += 1
        cursor = answer["next_cursor"]
        if cursor is None:
            break
    assert pages == 3 and len(seen) == 7 and len(set(seen)) == 7


@pytest.mark.parametrize("query, field", [
    ("", "q"), ("?q=", "q"), ("?q=%20%20", "q"), ("?q=" + "x" * 201, "q"), ("?q=%21%3F%21", "q"),
    ("?q=durian&kind=poll", "kind"), ("?q=durian&answered=perhaps", "answered"),
    ("?q=durian&org_kind=ngo", "org_kind"), ("?q=durian&since=last+week", "since"),
    ("?q=durian&since=2025-02-02&until=2025-02-01", "since"), ("?q=durian&type=user", "type"),
    ("?q=durian&topic=no-such-topic", "topic"), ("?q=durian&topic=textiles-circle", "topic"),
    ("?q=durian&limit=0", "limit"), ("?q=durian&limit=101", "limit"), ("?q=durian&limit=ten", "limit"),
    ("?q=durian&cursor=garbage", "cursor"), ("?q=durian&cursor=WyJ0aHJlYWRzIiwxXQ", "cursor"),
])
def test_clear_400_errors(posts, api, query, field):
    error = assert_error(api.get("/search" + query, "supplier2"), 400, "invalid")
    assert error["field"] == field


def test_an_unreadable_topic_is_refused_like_a_missing_one(posts, api):
    private = api.get("/search?q=durian&topic=textiles-circle", "supplier2").get_json()
    missing = api.get("/search?q=durian&topic=nowhere", "supplier2").get_json()
    assert private["error"]["message"].replace("textiles-circle", "X") == missing["error"]["message"].replace("nowhere", "X")
    assert api.get("/search?q=durian&topic=textiles-circle", "supplier").status_code == 200


def test_who_may_call(posts, api, client, login_as):
    assert_error(api.get("/search?q=durian"), 401, "unauthorized")
    assert_error(api.get("/search/similar?title=durian"), 401, "unauthorized")
    # The browser's session cookie works (a GET needs no CSRF token): how suggest.js calls it.
    browser = login_as("supplier2")
    assert browser.get("/api/v1/search?q=durian").status_code == 200
    assert browser.get("/api/v1/search/similar?title=durian+audits").status_code == 200


def test_similar_questions_endpoint(posts, api, scene):
    scene.start("member", "grievance", "Durian audit schedules", "A discussion, not a question.")
    answer = api.get("/search/similar?title=Who+should+pay+for+a+durian+audit", "supplier2").get_json()
    assert [r["thread"]["id"] for r in answer["results"]] == [posts["thread"]]  # questions only
    assert answer["results"][0]["answered"] is False and answer["results"][0]["rank"] > 0
    assert api.get("/search/similar?title=", "supplier2").get_json() == {"results": []}
    assert api.get("/search/similar?title=how+do+we", "supplier2").get_json() == {"results": []}  # stop words only
    assert_error(api.get("/search/similar?title=" + "x" * 401, "supplier2"), 400, "invalid")
    assert_error(api.get("/search/similar?title=durian&limit=11", "supplier2"), 400, "invalid")
    assert_error(api.get("/search/similar?title=durian&limit=-1", "supplier2"), 400, "invalid")
    assert len(api.get("/search/similar?title=durian&limit=1", "supplier2").get_json()["results"]) == 1
