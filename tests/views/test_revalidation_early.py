"""The validator taken BEFORE rendering (community/views/revalidation.py, community/generation.py):
a repeat read is a 304 with no template rendered, and every change that would change the page
changes the validator first (never a 304 for a page that would differ)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import template_rendered

from community.extensions import db
from community.models import DataGeneration, Post, Thread, TopicModerator, TopicSilence, User, utcnow
from community.views.language import THEME_COOKIE
from tests.views.threads_support import answer, moderate_post, moderate_thread, start


def settled(client, path: str) -> str:
    """The page's ETag once reading it writes nothing more (the first visit records the read
    mark, the first page after signing in shows the welcome): the same two times running."""
    etag = None
    for _ in range(4):
        response = client.get(path)
        assert response.status_code == 200, response.status_code
        if response.headers["ETag"] == etag:
            return etag
        etag = response.headers["ETag"]
    raise AssertionError(f"{path}: the ETag never settled")


def still_304(client, path: str, etag: str) -> None:
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304


def sent_again(client, path: str, etag: str):
    response = client.get(path, headers={"If-None-Match": etag})
    assert response.status_code == 200, f"{path}: 304 after a change"
    return response


@pytest.fixture
def page(app, world, login_as):
    thread, opening = start(app, world, "supplier", "grievance", body="Opening words read again")
    first = answer(app, world, "supplier2", thread, "The first reply")
    reader = login_as("member")
    with app.app_context():
        assert db.session.get(DataGeneration, 1) is not None  # the validator is taken before rendering
    return {"thread": thread, "opening": opening, "reply": first, "reader": reader,
            "path": f"/threads/{thread}"}


def test_a_repeat_read_renders_nothing(app, page):
    reader, path = page["reader"], page["path"]
    etag = settled(reader, path)
    rendered = []

    def record(sender, template, context, **extra):
        rendered.append(template.name)

    template_rendered.connect(record, app)
    try:
        repeat = reader.get(path, headers={"If-None-Match": etag})
    finally:
        template_rendered.disconnect(record, app)
    assert repeat.status_code == 304 and repeat.get_data() == b"" and rendered == []
    assert repeat.headers["ETag"] == etag and repeat.headers["Cache-Control"] == "private, no-cache"
    for other in ("/", "/t/grievance"):
        still_304(reader, other, settled(reader, other))


@pytest.mark.parametrize("change", ["reply", "edit", "hide", "lock", "reaction", "role", "moderator",
                                    "suspension", "mute", "other_readers_read_mark"])
def test_every_change_anywhere_sends_the_page_again(app, world, page, change):
    reader, path = page["reader"], page["path"]
    etag = settled(reader, path)
    still_304(reader, path, etag)
    with app.app_context():
        thread, reply = db.session.get(Thread, page["thread"]), db.session.get(Post, page["reply"])
        if change == "edit":
            from community.actions.posts import edit_post

            edit_post(world.user("supplier2"), reply, "The first reply, edited")
        elif change == "reaction":
            from community.actions.reactions import react

            react(world.user("member2"), reply, "helpful")
        elif change == "role":
            db.session.get(User, world.ids["member"]).role = "supplier"
            db.session.commit()
        elif change == "moderator":
            db.session.add(TopicModerator(topic_id=thread.topic_id, user_id=world.ids["member"]))
            db.session.commit()
        elif change == "suspension":
            db.session.get(User, world.ids["supplier2"]).state = "suspended"
            db.session.commit()
        elif change == "mute":
            from community.actions.watching import set_thread_level

            set_thread_level(world.user("member"), thread, "muted")
        elif change == "other_readers_read_mark":
            from community.actions.reading import mark_read

            mark_read(world.user("member2"), thread, reply.id)
    if change == "reply":
        answer(app, world, "supplier", page["thread"], "A second reply")
    elif change == "hide":
        moderate_post(app, world, "moderator", page["reply"], "hide", "Off topic")
    elif change == "lock":
        moderate_thread(app, world, "moderator", page["thread"], "lock", "Enough")
    sent_again(reader, path, etag)


def test_the_readers_own_read_mark_and_flashes_send_the_page_again(app, world, page):
    reader, path = page["reader"], page["path"]
    reader.set_cookie("rt_js", "1")  # the page's scripts record what was read: rendering writes nothing
    with app.app_context():
        thread = db.session.get(Thread, page["thread"])
        from community.actions.reading import mark_read

        mark_read(world.user("member"), thread, page["opening"])
    etag = settled(reader, path)
    with app.app_context():
        mark_read(world.user("member"), db.session.get(Thread, page["thread"]), page["reply"])
    etag = settled(reader, sent_again(reader, path, etag).request.path)
    with reader.session_transaction() as session:
        session["_flashes"] = [("message", "Saved.")]
    flashed = sent_again(reader, path, etag)
    assert "Saved." in flashed.get_data(as_text=True)
    # The flash is shown once: the next page is without it, so not the copy just sent either.
    sent_again(reader, path, flashed.headers["ETag"])


def test_locale_zone_theme_and_address_are_in_the_validator(app, world, page):
    reader, path = page["reader"], page["path"]
    etag = settled(reader, path)
    for variant in (f"{path}?page=1", f"{path}?lang=fr", f"{path}?quote={page['reply']}"):
        sent_again(reader, variant, etag)
    reader.set_cookie("lang", "ar")
    arabic = sent_again(reader, path, etag)
    assert 'dir="rtl"' in arabic.get_data(as_text=True)
    reader.delete_cookie("lang")
    assert settled(reader, path) == etag  # back to the same facts: the same validator
    reader.set_cookie(THEME_COOKIE, "dark")
    sent_again(reader, path, etag)
    reader.delete_cookie(THEME_COOKIE)
    with app.app_context():
        db.session.get(User, world.ids["member"]).timezone = "Asia/Kolkata"
        db.session.commit()
    assert 'time-zone="Asia/Kolkata"' in sent_again(reader, path, etag).get_data(as_text=True)


def test_another_reader_or_session_never_shares_a_validator(app, world, login_as, page):
    path = page["path"]
    one, other, again = page["reader"], login_as("member2"), login_as("member")
    etag = settled(one, path)
    assert settled(other, path) != etag
    sent_again(other, path, etag)
    # The same person in another session (another CSRF secret, another session id).
    sent_again(again, path, etag)
    visitor = app.test_client()
    assert visitor.get(path, headers={"If-None-Match": etag}).status_code != 304


def test_a_silence_running_out_sends_the_page_again(app, world, page):
    reader, path = page["reader"], page["path"]
    with app.app_context():
        thread = db.session.get(Thread, page["thread"])
        silence = TopicSilence(topic_id=thread.topic_id, user_id=world.ids["member"], by_id=world.ids["moderator"],
                               until=utcnow() + timedelta(seconds=2))
        db.session.add(silence)
        db.session.commit()
        silence_id = silence.id
    etag = settled(reader, path)
    # No write: only the time passes (moved here by changing nothing but `until` in place,
    # as if the clock had gone on: the row is written under the generation's nose).
    with app.app_context():
        db.session.execute(TopicSilence.__table__.update().where(TopicSilence.id == silence_id)
                           .values(until=utcnow() - timedelta(seconds=1)))
        db.session.execute(DataGeneration.__table__.update().values(number=DataGeneration.number - 1))
        db.session.commit()
    sent_again(reader, path, etag)


def test_without_a_generation_the_etag_is_taken_after_rendering(app, world, page):
    reader, path = page["reader"], page["path"]
    with app.app_context():
        # Emptied outside the session (whose commit would put the row back at once).
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DELETE FROM data_generation")
        assert db.session.get(DataGeneration, 1) is None
    etag = settled(reader, path)
    still_304(reader, path, etag)
    # The next write brings the row back with a new epoch: that validator is another one.
    answer(app, world, "supplier", page["thread"], "Back again")
    with app.app_context():
        assert db.session.get(DataGeneration, 1) is not None
    sent_again(reader, path, etag)


def nav_unread(html: str) -> str:
    """The home page's unread badge: its text, or "" when hidden."""
    badge = re.search(r'<span id="nav-unread"[^>]*>([^<]*)</span>', html)
    assert badge is not None
    return "" if " hidden" in badge.group(0) else badge.group(1)


def test_the_home_pages_cached_counts_are_never_older_than_its_validator(app, world, login_as):
    # Production caches the unread counts per process (READ_COUNTS_CACHE_SECONDS), keyed on the
    # newest ids: a thread moved away changes no id. A page labelled with a generation must not
    # show counts from before it (they would outlive the cache in a 304).
    app.config["READ_COUNTS_CACHE_SECONDS"] = 60
    reader = login_as("member")
    thread, _ = start(app, world, "supplier", "grievance", title="Something new")
    assert nav_unread(reader.get("/").get_data(as_text=True)) == "1"
    with app.app_context():
        from community.actions.moderation import moderate_thread as act

        act(world.user("admin"), db.session.get(Thread, thread), "move", "Elsewhere", topic_slug="textiles-circle")
    assert nav_unread(reader.get("/").get_data(as_text=True)) == ""
