"""Watched words, site-wide (administrators) and per topic (its moderators): block with a
message naming the word (text kept, nothing stored), hold for review (queue event), replace.
Managed through the pages, which write audit rows."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.actions.posts import edit_post, reply
from community.actions.screening import add_watched_word
from community.actions.threads import get_thread
from community.errors import Forbidden, Invalid
from community.extensions import db
from community.models import Post
from community.models.moderation import WatchedWord
from tests.actions.support import start
from tests.moderation.support import audit_rows, text


@pytest.fixture
def threads(app, world) -> dict:
    with app.app_context():
        grievance, _ = start(world, "moderator", "grievance", title="Watched words thread")
        lounge, _ = start(world, "admin", "members-lounge", title="Lounge words thread")
        return {"grievance": grievance.id, "lounge": lounge.id}


def posts_in(thread_id: int) -> int:
    return db.session.scalar(select(func.count(Post.id)).where(Post.thread_id == thread_id)) or 0


# --- managing the lists through the pages --------------------------------------------------------------
def test_admin_adds_and_removes_site_wide_words(app, login_as):
    admin = login_as("admin")
    page = admin.get("/admin/words")
    assert page.status_code == 200 and "Site-wide watched words" in text(page)
    response = admin.post("/admin/words", data={"word": "bribe", "action": "block"})
    assert response.status_code == 302
    assert "“bribe” is now watched (block)." in text(admin.get("/admin/words"))
    with app.app_context():
        word = db.session.scalar(select(WatchedWord))
        assert (word.word, word.action, word.topic_id) == ("bribe", "block", None)
        row = audit_rows("add_watched_word")[0]
        assert row.topic_id is None and row.after == {"word": "bribe", "action": "block", "replacement": ""}
        word_id = word.id
    assert admin.post(f"/admin/words/{word_id}/remove").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(WatchedWord)) is None
        assert audit_rows("remove_watched_word")[0].before == {"word": "bribe", "action": "block"}


def test_refused_word_form_keeps_what_was_typed(login_as):
    response = login_as("admin").post("/admin/words", data={"word": "x", "action": "hold",
                                                            "replacement": "KEPT-REPLACEMENT"})
    assert response.status_code == 400
    page = text(response)
    assert "The word must be at least 2 characters." in page
    assert 'value="KEPT-REPLACEMENT"' in page and 'aria-invalid="true"' in page


@pytest.mark.parametrize("persona", ["moderator", "member", "supplier"])
def test_site_wide_words_are_for_administrators_only(login_as, persona):
    c = login_as(persona)
    assert c.get("/admin/words").status_code == 403
    assert c.post("/admin/words", data={"word": "bribe", "action": "block"}).status_code == 403


def test_topic_moderators_manage_their_topics_words_only(app, login_as, world):
    moderator = login_as("moderator")
    # One topic: the index goes straight to it.
    index = moderator.get("/moderation/words")
    assert index.status_code == 302 and index.headers["Location"].endswith("/moderation/topics/grievance/words")
    assert moderator.get("/moderation/topics/grievance/words").status_code == 200
    response = moderator.post("/moderation/topics/grievance/words",
                              data={"word": "agent fee", "action": "replace", "replacement": "[fee]"})
    assert response.status_code == 302
    page = text(moderator.get("/moderation/topics/grievance/words"))
    assert "agent fee" in page and "[fee]" in page
    # Another topic's list, and the site-wide one, are out of reach.
    assert moderator.get("/moderation/topics/members-lounge/words").status_code == 404
    assert moderator.post("/moderation/topics/members-lounge/words",
                          data={"word": "secret", "action": "hold"}).status_code == 404
    with app.app_context():
        word_id = db.session.scalar(select(WatchedWord.id))
        assert audit_rows("add_watched_word")[0].topic_id == world.topic_ids["grievance"]
        with pytest.raises(Forbidden):
            add_watched_word(world.user("moderator"), "global", "block")
    # Removing it through another topic's address is refused, not applied.
    assert moderator.post(f"/moderation/topics/members-lounge/words/{word_id}/remove").status_code == 404
    assert login_as("admin").post(f"/moderation/topics/members-lounge/words/{word_id}/remove").status_code == 404
    assert moderator.post(f"/moderation/topics/grievance/words/{word_id}/remove").status_code == 302
    for persona in ("member", "supplier"):  # not theirs: not there
        assert login_as(persona).get("/moderation/topics/grievance/words").status_code == 404


# --- what the words do -------------------------------------------------------------------------------
def test_site_wide_block_names_the_word_keeps_the_text_and_stores_nothing(app, world, login_as, threads):
    with app.app_context():
        add_watched_word(world.user("admin"), "kickback", "block")
        before = posts_in(threads["lounge"])
        with pytest.raises(Invalid) as refused:
            reply(world.user("member"), get_thread(threads["lounge"]), "They asked for a KICKBACK again")
        assert "“kickback”" in refused.value.message and "Your text is kept" in refused.value.message
        assert refused.value.field == "body"
        db.session.rollback()
        assert posts_in(threads["lounge"]) == before
    # Every topic, and the page keeps what was typed.
    response = login_as("supplier").post(f"/threads/{threads['grievance']}/reply",
                                         data={"body": "MY-DRAFT mentions a kickback"})
    assert response.status_code == 400
    assert "kickback" in text(response) and "MY-DRAFT mentions a kickback" in text(response)
    with app.app_context():
        assert posts_in(threads["grievance"]) == 1


def test_block_over_the_socket_and_api(app, world, socket_for, token_for, client, threads):
    with app.app_context():
        add_watched_word(world.user("moderator"), "blacklist", "block", world.topic("grievance"))
    ack = socket_for("supplier").emit("post", {"thread_id": threads["grievance"], "body": "the blacklist"},
                                      callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "invalid" and "blacklist" in ack["error"]["message"]
    response = client.post(f"/api/v1/threads/{threads['grievance']}/posts", json={"body": "a blacklist"},
                           headers=token_for("supplier"))
    assert response.status_code == 400 and "blacklist" in response.get_json()["error"]["message"]


def test_topic_hold_holds_the_post_and_tells_the_moderators_room(app, world, emitted, threads):
    with app.app_context():
        add_watched_word(world.user("moderator"), "passport", "hold", world.topic("grievance"))
        emitted.clear()
        post = reply(world.user("supplier"), get_thread(threads["grievance"]), "They keep our Passport")
        assert post.state == "held"
        assert not emitted.named("post.created")
        queued = emitted.named("moderation.queue")
        assert [(e.room, e.payload["change"], e.payload["why"]) for e in queued] == \
            [("mods:grievance", "added", "watched word")]
        assert queued[0].payload["post"]["id"] == post.id
        # The topic's word does nothing elsewhere.
        assert reply(world.user("member"), get_thread(threads["lounge"]), "passport talk").state == "visible"
        # Moderators' own posts are never held.
        assert reply(world.user("moderator"), get_thread(threads["grievance"]), "passport").state == "visible"


def test_an_edit_that_adds_a_held_word_takes_the_post_back_for_review(app, world, emitted, threads):
    with app.app_context():
        post = reply(world.user("supplier"), get_thread(threads["grievance"]), "Innocent words")
        add_watched_word(world.user("admin"), "passport", "hold")
        emitted.clear()
        edit_post(world.user("supplier"), post, "Now about the passport")
        assert post.state == "held"
        assert [e.name for e in emitted.to(f"thread:{threads['grievance']}")] == ["post.hidden"]
        assert [e.payload["why"] for e in emitted.named("moderation.queue")] == ["watched word"]


def test_replace_rewrites_the_text_before_it_is_stored(app, world, emitted, threads):
    with app.app_context():
        add_watched_word(world.user("admin"), "scum", "replace", replacement="[removed]")
        add_watched_word(world.user("moderator"), "idiots", "replace", world.topic("grievance"))
        emitted.clear()
        post = reply(world.user("supplier"), get_thread(threads["grievance"]), "These Scum are idiots!")
        assert post.state == "visible"
        assert post.body == "These [removed] are ■■■!"
        assert "scum" not in post.html.lower() and "idiots" not in post.html
        created = emitted.named("post.created")[0]
        assert "idiots" not in created.json() and "[removed]" in created.json()
        # Only whole words: "scumbled" is left alone.
        assert reply(world.user("member"), get_thread(threads["lounge"]), "scumbled paint").body == "scumbled paint"
