"""ETag / 304 for repeat readers (community/views/revalidation.py): a 304 only ever confirms the
copy this reader already holds; another reader, locale or set of permissions gets the page."""
from __future__ import annotations

from tests.views.threads_support import answer, moderate_post, start


def etag_of(response) -> str:
    assert response.status_code == 200, response.status_code
    etag = response.headers.get("ETag")
    assert etag, "no ETag"
    return etag


def test_a_repeat_read_of_an_unchanged_page_is_a_304(app, world, login_as):
    thread, _ = start(app, world, "supplier", "grievance", body="Words read twice")
    reader = login_as("member")
    reader.get("/")  # the welcome message, flashed once
    # The first visit records the reader's read mark, which the page then carries
    # (data-last-read-post-id): from the second visit on, the page is the same.
    reader.get(f"/threads/{thread}")
    first = reader.get(f"/threads/{thread}")
    etag = etag_of(first)
    # The CSRF token and the composer's client id change on every rendering: not in the ETag.
    assert etag_of(reader.get(f"/threads/{thread}")) == etag
    again = reader.get(f"/threads/{thread}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert first.headers["Cache-Control"] == "private, no-cache"
    assert "Cookie" in first.headers["Vary"]
    for path in ("/", "/t/grievance"):
        tag = etag_of(reader.get(path))
        assert reader.get(path, headers={"If-None-Match": tag}).status_code == 304


def test_a_change_to_the_thread_gives_the_page_again(app, world, login_as):
    thread, _ = start(app, world, "supplier", "grievance", body="Before")
    reader = login_as("member")
    etag = etag_of(reader.get(f"/threads/{thread}"))
    reply = answer(app, world, "supplier2", thread, "A new reply")
    fresh = reader.get(f"/threads/{thread}", headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and "A new reply" in fresh.get_data(as_text=True)
    etag = etag_of(fresh)
    moderate_post(app, world, "moderator", reply, "hide", "Off topic")
    hidden = reader.get(f"/threads/{thread}", headers={"If-None-Match": etag})
    assert hidden.status_code == 200 and "A new reply" not in hidden.get_data(as_text=True)


def test_one_readers_etag_never_gets_another_reader_a_304(app, world, login_as):
    thread, _ = start(app, world, "supplier", "grievance", body="Same words for all")
    one, other = login_as("member"), login_as("member2")
    etag = etag_of(one.get(f"/threads/{thread}"))
    # member2's page may be the same bytes: still their own ETag, never a 304 on member's.
    answer_other = other.get(f"/threads/{thread}", headers={"If-None-Match": etag})
    assert answer_other.status_code == 200 and etag_of(answer_other) != etag
    # Nor the other way round, on any revalidated page.
    for path in ("/", "/t/grievance", f"/threads/{thread}"):
        theirs = etag_of(other.get(path))
        assert one.get(path, headers={"If-None-Match": theirs}).status_code == 200
        assert other.get(path, headers={"If-None-Match": theirs}).status_code == 304


def test_permissions_and_locale_are_in_the_etag(app, world, login_as):
    thread, _ = start(app, world, "supplier", "grievance", body="Moderated words")
    reply = answer(app, world, "supplier2", thread, "Held words")
    moderate_post(app, world, "moderator", reply, "hide", "Off topic")
    moderator = login_as("moderator")
    etag = etag_of(moderator.get(f"/threads/{thread}"))
    # The same person with other permissions: no longer a moderator of the topic.
    from community.extensions import db
    from community.models import TopicModerator

    with app.app_context():
        db.session.query(TopicModerator).filter_by(user_id=world.ids["moderator"]).delete()
        db.session.commit()
    after = moderator.get(f"/threads/{thread}", headers={"If-None-Match": etag})
    assert after.status_code == 200 and "Held words" not in after.get_data(as_text=True)
    # Another language for the same reader: another page, another ETag.
    etag = etag_of(moderator.get(f"/threads/{thread}"))
    other_language = moderator.get(f"/threads/{thread}?lang=fr", headers={"If-None-Match": etag})
    assert other_language.status_code == 200
    spanish = moderator.get(f"/threads/{thread}", headers={"If-None-Match": etag, "Accept-Language": "es"})
    assert etag_of(spanish) != etag and 'lang="es"' in spanish.get_data(as_text=True)
    moderator.set_cookie("lang", "ar")  # the language picker's cookie
    arabic = moderator.get(f"/threads/{thread}", headers={"If-None-Match": etag})
    assert etag_of(arabic) != etag and 'dir="rtl"' in arabic.get_data(as_text=True)


def test_signing_out_clears_the_browsers_cache(app, world, login_as):
    reader = login_as("member")
    out = reader.post("/logout")
    assert out.status_code in (302, 303)
    assert out.headers.get("Clear-Site-Data") == '"cache"'


def test_the_etag_leaves_out_the_csrf_token_and_marked_values(app, world, login_as):
    from flask_login import login_user
    from flask_wtf.csrf import generate_csrf

    from community.views.revalidation import page_etag, volatile

    with app.test_request_context("/"):
        login_user(world.user("member"))
        token, client_id = generate_csrf(), volatile("0123456789abcdef")
        same = page_etag(f"<p>{token}</p><i>{client_id}</i>".encode())
        assert same == page_etag(b"<p></p><i></i>")
        assert same != page_etag(b"<p>other words</p><i></i>")
