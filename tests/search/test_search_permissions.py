"""Who may find what: search returns only visible posts of visible threads in topics the searcher
may read, and never gives away the author of an anonymous post."""
from __future__ import annotations

import json

import pytest

from community import search
from community.errors import Forbidden, Invalid
from community.permissions import Guardian

PERSONAS = ["admin", "member", "member2", "moderator", "supplier", "supplier2"]
EVERYONE = set(PERSONAS)
MEMBERS = {"admin", "member", "member2", "moderator"}  # the moderator works for a member brand


@pytest.fixture
def places(scene):
    """One made-up word per place a post can be; returns {word: post_id}."""
    scene.hold_word("quince")
    open_thread, open_post = scene.start("member", "grievance", "Kumquat audits", "We audit kumquat farms.")
    _lounge, lounge_post = scene.start("member", "members-lounge", "Persimmon pricing", "Persimmon talk.")
    _circle, circle_post = scene.start("supplier", "textiles-circle", "Tamarind dyes", "Tamarind colours.")
    held_post = scene.reply("supplier2", open_thread, "A quince reply waits for review.")
    held_thread, held_opening = scene.start("supplier", "grievance", "Quince thread held", "About quince.")
    # Its author may reply in their own held thread: the reply is visible, the thread is not.
    in_held_thread = scene.reply("supplier", held_thread, "Durian reply inside a held thread.")
    hidden = scene.reply("member2", open_thread, "Loquat reply a moderator hides.")
    scene.moderate("moderator", hidden, "hide")
    deleted = scene.reply("member2", open_thread, "Medlar reply its author deletes.")
    scene.delete("member2", deleted)
    return {"kumquat": open_post, "persimmon": lounge_post, "tamarind": circle_post, "quince": held_post,
            "quince-thread": held_opening, "durian": in_held_thread, "loquat": hidden, "medlar": deleted}


WHO_FINDS = {
    "kumquat": EVERYONE,
    "persimmon": MEMBERS,                      # members only
    "tamarind": {"admin", "supplier"},         # only Textiles Ltd (and the admin, who moderates all)
    "quince": set(),                           # held post: not even its author or the moderators
    "durian": set(),                           # visible post in a held thread
    "loquat": set(),                           # hidden by a moderator
    "medlar": set(),                           # deleted
}


@pytest.mark.parametrize("who", PERSONAS)
def test_the_matrix_of_who_finds_what(places, found_ids, who):
    for word, finders in WHO_FINDS.items():
        found = found_ids(who, word)
        expected = {places[word]} if who in finders else set()
        assert found == expected, (who, word, found)
    # Held threads are found by nobody, whatever word is searched.
    assert places["quince-thread"] not in found_ids(who, "quince OR durian OR thread")


def test_outsider_supplier_never_finds_the_textiles_circle(places, found_ids, find):
    assert found_ids("supplier2", "tamarind") == set()
    assert found_ids("supplier2", "tamarind", topic=None, type="thread") == set()
    assert found_ids("supplier2", "dyes OR colours OR tamarind") == set()
    with pytest.raises(Invalid):  # naming the topic says no more than a missing one
        find("supplier2", "tamarind", topic="textiles-circle")
    with pytest.raises(Invalid) as missing:
        find("supplier2", "tamarind", topic="no-such-topic")
    assert "open to you" in missing.value.message


def test_suppliers_never_find_the_members_lounge(places, found_ids, api):
    for who in ("supplier", "supplier2"):
        assert found_ids(who, "persimmon") == set()
        answer = api.get("/search?q=persimmon", who).get_json()
        assert answer == {"results": [], "resources": [], "next_cursor": None}
    assert [r["post"] for r in api.get("/search?q=persimmon", "member").get_json()["results"]] == [None]


def test_pending_and_suspended_people_cannot_search(app, world, api):
    with app.app_context():
        for who in ("pending", "suspended"):
            with pytest.raises(Forbidden):
                search.search(Guardian(world.user(who)), "kumquat")
            with pytest.raises(Forbidden):
                search.similar_questions(Guardian(world.user(who)), "kumquat audits")
        with pytest.raises(Forbidden):
            search.search(Guardian(None), "kumquat")


# --- anonymous authors ---------------------------------------------------------------------
NAME, HANDLE, ORG = "Zanele Quixote", "zquixote", "Textiles Ltd"


@pytest.fixture
def anonymous_story(scene):
    """The supplier (renamed, unmistakable) asks anonymously and replies anonymously in grievance,
    and writes one post under their name."""
    scene.rename("supplier", NAME, HANDLE)
    thread, opening = scene.start("supplier", "grievance", "Overtime records request", "Papaya overtime records.",
                                  kind="question", anonymous=True)
    member_reply = scene.reply("member", thread, "Papaya: use the grievance channel.")
    anon_reply = scene.reply("supplier", thread, "Papaya follow-up, thank you.", anonymous=True)
    _named_thread, named = scene.start("supplier", "grievance", "Guava harvest notes", "Guava and papaya notes.")
    return {"thread": thread, "opening": opening, "anon_reply": anon_reply, "member_reply": member_reply,
            "named": named}


@pytest.mark.parametrize("who", PERSONAS)
def test_the_name_of_an_anonymous_author_is_not_searchable(anonymous_story, found_ids, who):
    anonymous = {anonymous_story["opening"], anonymous_story["anon_reply"]}
    for q in (NAME, "Zanele", "Quixote", HANDLE, "@" + HANDLE, ORG, "Textiles"):
        assert not found_ids(who, q) & anonymous, (who, q)
    # The named post is found by its words, never by its author's name either: names are not indexed.
    assert found_ids(who, "Zanele") == set()


def test_author_filters_always_skip_anonymous_posts(anonymous_story, found_ids):
    story = anonymous_story
    anonymous = {story["opening"], story["anon_reply"]}
    q = "papaya OR guava"
    for who in ("member", "member2", "supplier2"):
        assert found_ids(who, q, author=NAME) == {story["named"]}
        assert found_ids(who, q, author=HANDLE) == {story["named"]}
        assert found_ids(who, q, org_kind="supplier") == {story["named"]}
        assert found_ids(who, q, org_kind="member") == {story["member_reply"]}
        # Without an author filter, the anonymous posts are found by their words.
        assert anonymous <= found_ids(who, q)
    for who in ("moderator", "admin"):  # they moderate grievance: knowing who wrote it takes a logged reveal
        assert found_ids(who, q, author=NAME) == {story["named"]}
        assert found_ids(who, q, org_kind="supplier") == {story["named"]}
    # The author themself: their anonymous posts are not found by their own name either
    # (a screenshot of such a search would give them away).
    assert found_ids("supplier", q, author=NAME) == {story["named"]}


def _secrets_in(value) -> list[str]:
    blob = json.dumps(value)
    return [s for s in (NAME, HANDLE, ORG, "supplier@example.com") if s in blob]


def test_api_results_never_name_an_anonymous_author(anonymous_story, api, world):
    for who in ("member", "member2", "supplier2", "moderator", "admin"):
        answer = api.get("/search?q=papaya&type=", who).get_json()
        anonymous = [r for r in answer["results"]
                     if (r["post"] or {}).get("id") == anonymous_story["anon_reply"] or
                     (r["type"] == "thread" and r["thread"]["id"] == anonymous_story["thread"])]
        assert len(anonymous) == 2
        for result in anonymous:
            assert _secrets_in(result) == [], (who, result)
            assert result["thread"]["author"] == {"anonymous": True, "label": "Anonymous supplier"}
            if result["post"] is not None:
                assert result["post"]["author"] == {"anonymous": True, "label": "Anonymous supplier"}
                assert ("body" in result["post"]) is (who in ("moderator", "admin"))  # to moderate, not to name
    # The topic's moderator is told who wrote the reply once they reveal it, and only that one.
    assert api.post(f"/posts/{anonymous_story['anon_reply']}/reveal", "moderator",
                    json={"reason": "Checking a threat"}).status_code == 200
    answer = api.get("/search?q=papaya", "moderator").get_json()
    named = [r for r in answer["results"] if (r["post"] or {}).get("id") == anonymous_story["anon_reply"]]
    assert named and named[0]["post"]["author"]["id"] == world.ids["supplier"]
    assert all(r["thread"]["author"] == {"anonymous": True, "label": "Anonymous supplier"}
               for r in answer["results"] if r["thread"]["id"] == anonymous_story["thread"])


def test_search_page_never_names_an_anonymous_author(anonymous_story, login_as):
    # (-guava: leave out the post the supplier wrote under their name)
    page = login_as("member").get("/search?q=papaya+-guava").get_data(as_text=True)
    assert "Overtime records request" in page and "Anonymous supplier" in page
    assert NAME not in page and ORG not in page and HANDLE not in page
    moderator = login_as("moderator").get("/search?q=papaya+-guava").get_data(as_text=True)
    assert NAME not in moderator and ORG not in moderator and "Anonymous supplier" in moderator
