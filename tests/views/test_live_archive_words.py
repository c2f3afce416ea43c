"""A live session's archive and follow-up read in the reader's language and time zone (issue #15).

The site writes both threads once, at the end, in the words of the host who ended the session
(times in UTC): that text is what search finds. Pages word the opening posts and both titles
for each reader, from the session's data (views/live_openings.py, titles.py): fixed words in
their language, dates in their zone, an anonymous asker named to nobody who may not see it.
"""
from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from community.actions import live
from community.extensions import db
from community.models import Notification, Post, Thread
from community.models.live import LiveSession
from tests.live.helpers import assert_names_nobody
from tests.views.threads_support import article, html_of, text_of

START, END, SAID = (datetime(2026, 12, 4, 23, 30, tzinfo=UTC), datetime(2026, 12, 5, 0, 20, tzinfo=UTC),
                    datetime(2026, 12, 4, 23, 45, tzinfo=UTC))


@pytest.fixture
def ended(app, world):
    """A session that ran 4 Dec 2026 23:30–5 Dec 00:20 UTC and ended: an anonymous question with
    a vote (never answered), one answered live, one still waiting at the end, a chat message."""
    with app.app_context():
        host = world.user("member")
        session = live.schedule(host, world.topic("grievance"), title="Ask the brands: recruitment fees",
                                starts_at=datetime(2030, 1, 1, tzinfo=UTC), ends_at=datetime(2030, 1, 1, 1, tzinfo=UTC),
                                approve_questions=True)
        live.start(host, session)
        secret = live.ask(world.user("supplier"), session, "Who pays the durian recruitment fees?", anonymous=True)
        live.moderate_question(host, session, secret, "approve")
        live.vote(world.user("member2"), session, secret)
        answered = live.ask(world.user("member2"), session, "Is overtime paid double?")
        live.moderate_question(host, session, answered, "approve")
        live.moderate_question(host, session, answered, "answered", answer="Yes, by law.")
        live.ask(world.user("member2"), session, "Still waiting at the end")
        message = live.chat(host, session, "Welcome, everyone")
        live.end(host, session)
        session.started_at, session.ended_at, message.created_at = START, END, SAID
        db.session.commit()
        ids = {"session": session.id, "archive": session.archive_thread_id, "follow_up": session.follow_up_thread_id}
        db.session.remove()
    return ids


def as_reader(app, world, who: str, zone: str, locale: str) -> None:
    with app.app_context():
        user = world.user(who)
        user.timezone, user.locale = zone, locale
        db.session.commit()


def opening_of(app, thread_id: int) -> int:
    with app.app_context():
        return db.session.scalar(db.select(Post.id).where(Post.thread_id == thread_id, Post.is_opening.is_(True)))


def page(client, thread_id: int) -> str:
    """The thread page in the reader's own language (their setting; ?lang= filters replies)."""
    response = client.get(f"/threads/{thread_id}")
    assert response.status_code == 200
    return html_of(response)


def test_the_archive_in_french_in_new_york(app, world, login_as, ended):
    as_reader(app, world, "member2", "America/New_York", "fr")
    html = page(login_as("member2"), ended["archive"])
    body = text_of(article(html, opening_of(app, ended["archive"])))
    # 23:30–00:20 UTC is Friday 4 Dec, 18:30–19:20 in New York; the chat at 23:45 UTC is 18:45
    assert "Archive de la session en direct Ask the brands: recruitment fees, tenue le ven. 4 déc. 2026, 18:30–19:20 " \
           "(America/New_York)" in body, body
    assert "(18:45)" in body and "UTC" not in body and "2026-12-0" not in body
    for words in ("Questions", "Non abordées", "Transcription du chat", "Réponse de Member", "Yes, by law.",
                  "Still waiting at the end", "Y répondre dans le suivi"):
        assert words in body, words
    for english in ("Live session archive", "Not reached", "Chat transcript", "held", "asked"):
        assert english not in body, english
    assert "Archive de la session en direct : Ask the brands: recruitment fees" in text_of(
        re.search(r'<h1[^>]*id="thread-title".*?</h1>', html, re.S).group(0))
    assert "<title>Archive de la session en direct : Ask the brands" in html
    # no language label on the worded post (it was "English")
    assert 'class="badge text-bg-light border post-language"' not in article(html, opening_of(app, ended["archive"]))


def test_the_archive_in_arabic_in_tokyo(app, world, login_as, ended):
    as_reader(app, world, "supplier2", "Asia/Tokyo", "ar")
    html = page(login_as("supplier2"), ended["archive"])
    body = text_of(article(html, opening_of(app, ended["archive"])))
    # Saturday 5 Dec in Tokyo, 08:30; fixed words in Arabic
    assert "السبت" in body and "ديسمبر" in body and "الجمعة" not in body, body
    assert "(Asia/Tokyo)" in body and "UTC" not in body
    for words in ("أرشيف الجلسة المباشرة", "الأسئلة", "لم تُتناول", "نص الدردشة"):
        assert words in body, words
    for english in ("Live session archive", "Questions", "Not reached", "Chat transcript", "held", "asked"):
        assert english not in body, english
    assert "أرشيف الجلسة المباشرة: Ask the brands" in text_of(
        re.search(r'<h1[^>]*id="thread-title".*?</h1>', html, re.S).group(0))


def test_an_anonymous_asker_is_named_to_nobody_who_may_not_see_it(app, world, login_as, ended):
    for who in ("supplier2", "moderator"):  # a supplier; a moderator who has not revealed it
        html = page(login_as(who), ended["archive"])
        body = text_of(article(html, opening_of(app, ended["archive"])))
        assert "Who pays the durian recruitment fees?" in body and "Anonymous supplier asked (1 vote)" in body
        assert "Member2 asked (0 votes)" in body  # a named asker is named
        with app.app_context():
            assert_names_nobody(body, world.user("supplier"))
    # the asker is told it is them
    body = text_of(article(page(login_as("supplier"), ended["archive"]), opening_of(app, ended["archive"])))
    assert "Anonymous supplier (you) asked (1 vote)" in body


def test_the_follow_up_in_french_and_arabic(app, world, login_as, ended):
    as_reader(app, world, "member2", "America/New_York", "fr")
    html = page(login_as("member2"), ended["follow_up"])
    body = text_of(article(html, opening_of(app, ended["follow_up"])))
    assert "Cette discussion prolonge la session en direct Ask the brands: recruitment fees" in body, body
    assert "Archive de la session en direct : Ask the brands" in body and f'href="/threads/{ended["archive"]}"' in html
    assert "This discussion" not in body
    assert "Suivi : Ask the brands: recruitment fees" in text_of(
        re.search(r'<h1[^>]*id="thread-title".*?</h1>', html, re.S).group(0))
    # the carried questions are their askers' own words, isolated
    assert re.search(r'<div class="post-body"[^>]*dir="auto">\s*<p>Still waiting at the end</p>', html)
    as_reader(app, world, "supplier2", "Asia/Tokyo", "ar")
    html = page(login_as("supplier2"), ended["follow_up"])
    body = text_of(article(html, opening_of(app, ended["follow_up"])))
    assert "يستكمل هذا النقاش الجلسة المباشرة" in body and "The questions" not in body


def test_titles_are_worded_in_lists_and_notifications(app, world, login_as, ended):
    as_reader(app, world, "member2", "Asia/Tokyo", "fr")
    client = login_as("member2")
    topic = text_of(html_of(client.get("/t/grievance")))
    assert "Archive de la session en direct : Ask the brands" in topic and "Suivi : Ask the brands" in topic
    home = text_of(html_of(client.get("/")))
    assert "Suivi : Ask the brands" in home
    # a late answer's notice (stored as data) names the follow-up in the reader's language now
    from community import notices
    from community.actions.posts import reply

    with app.app_context():
        carried = db.session.scalar(db.select(Post).where(Post.thread_id == ended["follow_up"],
                                                          Post.author_id == world.ids["member2"]))
        late = reply(world.user("member"), carried.thread, "Only when agreed in writing.", reply_to=carried.id)
        db.session.commit()
        late_id = late.id
    with app.test_request_context("/"):
        from flask_babel import force_locale

        note = db.session.scalars(db.select(Notification).where(Notification.user_id == world.ids["member2"],
                                                                Notification.post_id == late_id)).first()
        with force_locale("fr"):
            assert "Suivi : Ask the brands" in notices.text_of(note), notices.text_of(note)
        with force_locale("ar"):
            assert "متابعة: Ask the brands" in notices.text_of(note)
            assert "متابعة: <bdi>Ask the brands" in notices.text_of(note, html=True)
    assert "Suivi : Ask the brands" in text_of(html_of(client.get("/notifications")))


def test_search_still_finds_the_archive(client, token_for, ended):
    from tests.api.helpers import Api

    results = Api(client, token_for).get("/search?q=durian", "supplier2").get_json()["results"]
    assert ended["archive"] in {r["thread"]["id"] for r in results}


def test_an_edited_archive_and_a_renamed_thread_are_shown_as_written(app, world, login_as, ended):
    from community.actions.thread_changes import rename_thread

    with app.app_context():
        rename_thread(world.user("moderator"), db.session.get(Thread, ended["follow_up"]), "Recruitment fees, continued")
        db.session.commit()
        assert db.session.get(Thread, ended["follow_up"]).title_kind is None
        assert db.session.get(LiveSession, ended["session"]).follow_up_thread_id == ended["follow_up"]
    html = page(login_as("member2"), ended["follow_up"])
    assert "Recruitment fees, continued" in text_of(re.search(r'<h1[^>]*id="thread-title".*?</h1>', html, re.S).group(0))


def test_the_moderators_pages_word_the_title_too(app, world, login_as, ended):
    """The thread tools and a post's moderation page of an archive, for a French moderator."""
    as_reader(app, world, "moderator", "Europe/Paris", "fr")
    client = login_as("moderator")
    opening = opening_of(app, ended["archive"])
    for address in (f"/moderation/threads/{ended['archive']}", f"/moderation/posts/{opening}"):
        response = client.get(address)
        assert response.status_code == 200, address
        shown = text_of(html_of(response))
        assert "Archive de la session en direct : Ask the brands: recruitment fees" in shown, address
        assert "Live session archive" not in shown, address
