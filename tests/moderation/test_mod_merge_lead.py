"""Merges and duplicates lead somewhere: a merged thread's old address answers 301 to its posts in
the target (page and API), with a notice; a thread closed as a duplicate shows a banner linking
to the original and carries `duplicate_of`; authors and watchers are told, with the moderator's
reason; watchers follow the merged conversation; renames reach open pages."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from community.actions.moderation import moderate_thread
from community.actions.posts import reply
from community.actions.thread_changes import rename_thread
from community.actions.watching import set_thread_level
from community.errors import Forbidden, Locked
from community.extensions import db
from community.models import Notification, Thread, ThreadWatch
from tests.actions.support import start
from tests.moderation.support import text


@pytest.fixture
def two(app, world) -> dict:
    """source (by supplier, replies by member and supplier2, watched by member2) and target (by member)."""
    with app.app_context():
        source, opening = start(world, "supplier", title="Recruitment fees in Penang")
        r1 = reply(world.user("member"), source, "We saw the same")
        r2 = reply(world.user("supplier2"), source, "Us too")
        set_thread_level(world.user("member2"), source, "watching")
        target, _ = start(world, "member", title="Recruitment fees across Malaysia")
        return {"source": source.id, "target": target.id, "opening": opening.id, "r1": r1.id, "r2": r2.id}


def _merge(app, world, ids, who="moderator", reason="Same subject, one conversation"):
    with app.app_context():
        moderate_thread(world.user(who), db.session.get(Thread, ids["source"]), "merge", reason,
                        target=ids["target"])


def _notes(verb: str) -> dict[int, Notification]:
    return {n.user_id: n for n in db.session.scalars(select(Notification).where(Notification.verb == verb))}


def test_the_old_address_leads_readers_to_the_merged_posts(app, world, login_as, two):
    _merge(app, world, two)
    for who in ("member2", "supplier", "moderator"):
        response = login_as(who).get(f"/threads/{two['source']}")
        assert response.status_code == 301, who
        location = urlsplit(response.headers["Location"])
        assert location.path == f"/threads/{two['target']}"
        assert parse_qs(location.query)["merged_from"] == [str(two["source"])]
        assert location.fragment == f"post-{two['opening']}"
        page = text(login_as(who).get(response.headers["Location"]))
        assert 'id="merge-notice"' in page
        assert "The thread “Recruitment fees in Penang” was merged into this one" in page
        assert "Same subject, one conversation" in page
        assert f'id="post-{two["r2"]}"' in page
    # The last page too; and a made-up merged_from shows no notice.
    assert login_as("member2").get(f"/threads/{two['source']}/last").status_code == 301
    assert 'id="merge-notice"' not in login_as("member2").get(f"/threads/{two['target']}?merged_from=999").get_data(
        as_text=True)


def test_readers_who_may_not_read_the_target_find_nothing(app, world, login_as, two):
    with app.app_context():
        lounge, _ = start(world, "member", "members-lounge", title="Brands only: fees")
        lounge_id = lounge.id
        moderate_thread(world.user("admin"), db.session.get(Thread, two["source"]), "merge", "", target=lounge_id)
    assert login_as("supplier2").get(f"/threads/{two['source']}").status_code == 404
    assert login_as("member2").get(f"/threads/{two['source']}").status_code == 301


def test_the_api_answers_301_with_the_merged_posts(app, world, client, token_for, two):
    _merge(app, world, two)
    response = client.get(f"/api/v1/threads/{two['source']}", headers=token_for("member2"))
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/api/v1/threads/{two['target']}")
    body = response.get_json()
    assert body["merged_into"] == two["target"] and body["thread_id"] == two["source"]
    assert body["post_ids"] == [two["opening"], two["r1"], two["r2"]]
    followed = client.get(f"/api/v1/threads/{two['source']}", headers=token_for("member2"), follow_redirects=True)
    assert followed.status_code == 200 and followed.get_json()["thread"]["id"] == two["target"]
    source = client.get(f"/api/v1/threads/{two['target']}", headers=token_for("member2")).get_json()
    assert source["thread"]["merged_into"] is None and source["thread"]["duplicate_of"] is None


def test_a_merge_of_a_merge_target_keeps_every_address_leading_on(app, world, login_as, two):
    _merge(app, world, two)
    with app.app_context():
        final, _opening = start(world, "member2", title="Fees: the one thread")
        moderate_thread(world.user("moderator"), db.session.get(Thread, two["target"]), "merge", "", target=final.id)
        assert db.session.get(Thread, two["source"]).merged_into_id == final.id
        final_id = final.id
    response = login_as("supplier").get(f"/threads/{two['source']}")
    assert response.status_code == 301 and urlsplit(response.headers["Location"]).path == f"/threads/{final_id}"


def test_authors_and_watchers_are_told_of_a_merge_and_watch_on(app, world, two):
    _merge(app, world, two)
    with app.app_context():
        told = _notes("thread_merged")
        # The thread's author, its posts' authors and its watchers; not the moderator who did it.
        assert set(told) == {world.ids[p] for p in ("supplier", "member", "supplier2", "member2")}
        note = told[world.ids["member2"]]
        assert note.url == f"/threads/{two['source']}"  # the old address, which leads on
        assert note.data["target"] == {"id": two["target"], "title": "Recruitment fees across Malaysia"}
        assert "Same subject, one conversation" in note.text and "Recruitment fees in Penang" in note.text
        watching = set(db.session.scalars(select(ThreadWatch.user_id).where(ThreadWatch.thread_id == two["target"])))
        assert {world.ids["member2"], world.ids["supplier"]} <= watching


def test_a_duplicate_shows_a_banner_and_carries_duplicate_of(app, world, login_as, client, token_for, two):
    with app.app_context():
        moderate_thread(world.user("moderator"), db.session.get(Thread, two["source"]), "duplicate",
                        "Asked already, answered there", target=two["target"])
        told = _notes("thread_duplicate")
        # Its author and its watchers (replying watches a thread).
        assert set(told) == {world.ids[p] for p in ("supplier", "member", "supplier2", "member2")}
        assert "Asked already, answered there" in told[world.ids["supplier"]].text
    page = text(login_as("supplier2").get(f"/threads/{two['source']}"))
    assert 'id="duplicate-notice"' in page and f'href="/threads/{two["target"]}" id="duplicate-link"' in page
    assert "closed as a duplicate of “Recruitment fees across Malaysia”" in page
    assert "Asked already, answered there" in page
    thread = client.get(f"/api/v1/threads/{two['source']}", headers=token_for("supplier2")).get_json()["thread"]
    assert thread["duplicate_of"] == two["target"] and thread["locked"] is True


def test_the_duplicate_banner_does_not_name_an_original_the_reader_may_not_read(app, world, login_as, two):
    with app.app_context():
        lounge, _ = start(world, "member", "members-lounge", title="Brands only: secret plans")
        moderate_thread(world.user("admin"), db.session.get(Thread, two["source"]), "duplicate", "", target=lounge.id)
    page = text(login_as("supplier2").get(f"/threads/{two['source']}"))
    assert "closed as a duplicate of another thread" in page and "secret plans" not in page


def test_merge_and_lock_reach_the_authors_own_room(app, world, emitted, two):
    with app.app_context():
        moderate_thread(world.user("moderator"), db.session.get(Thread, two["source"]), "lock", "Cooling off")
        locked = emitted.named("thread.updated", f"user:{world.ids['supplier']}")
        assert locked and locked[-1].payload["change"] == "lock" and locked[-1].payload["thread"]["locked"] is True
    emitted.clear()
    _merge(app, world, two)
    merged = emitted.named("thread.updated", f"user:{world.ids['supplier']}")
    assert merged and merged[-1].payload["change"] == "merged" and merged[-1].payload["merged_into"] == two["target"]
    in_room = emitted.named("thread.updated", f"thread:{two['source']}")[-1].payload
    assert in_room["post_ids"] == [two["opening"], two["r1"], two["r2"]]


def test_a_move_tells_open_pages_the_new_topic(app, world, emitted, two):
    with app.app_context():
        moderate_thread(world.user("admin"), db.session.get(Thread, two["target"]), "move", "", "members-lounge")
    for room in (f"thread:{two['target']}", f"user:{world.ids['member']}"):
        payload = emitted.named("thread.updated", room)[-1].payload
        assert payload["change"] == "move" and payload["topic_name"] == "Members lounge"
        assert payload["thread"]["topic"] == "members-lounge"


# --- renames ------------------------------------------------------------------------------------------
def test_a_rename_reaches_every_open_page(app, world, emitted, api_client, two):
    with app.app_context():
        thread = db.session.get(Thread, two["source"])
        emitted.clear()
        rename_thread(world.user("supplier"), thread, "Recruitment fees in Penang, 2026")
        rooms = {e.room: e.payload for e in emitted.named("thread.updated")}
        assert set(rooms) == {f"thread:{two['source']}", "topic:grievance", f"user:{world.ids['supplier']}"}
        assert all(p["change"] == "renamed" and p["thread"]["title"] == "Recruitment fees in Penang, 2026"
                   for p in rooms.values())
        with pytest.raises(Forbidden):
            rename_thread(world.user("member"), thread, "Not my thread to rename")
        thread.locked = True
        db.session.commit()
        with pytest.raises(Locked):
            rename_thread(world.user("supplier"), db.session.get(Thread, two["source"]), "Locked now")
        rename_thread(world.user("moderator"), db.session.get(Thread, two["source"]), "Fees in Penang", "Shorter")
        from tests.moderation.support import last_audit

        row = last_audit()
        assert row.action == "rename_thread" and row.before == {"title": "Recruitment fees in Penang, 2026"}
    response = api_client.patch(f"/api/v1/threads/{two['target']}", json={"title": "Fees across Malaysia"},
                                headers={**api_client.auth("member"), "Content-Type": "application/json"})
    assert response.status_code == 200 and response.get_json()["thread"]["title"] == "Fees across Malaysia"


@pytest.fixture
def api_client(client, token_for):
    client.auth = token_for
    return client
