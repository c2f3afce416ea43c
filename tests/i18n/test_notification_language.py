"""Notifications are stored as data (verb, actors, objects) and worded in the reader's CURRENT
language wherever they are shown: the notifications page, the API; the live toast and the email
are worded for the recipient when made. Old rows are read back from their text by the issue-15
migration (tests/i18n/test_notification_migration.py)."""
from __future__ import annotations

from community.extensions import db
from community.models import Notification
from tests.views.threads_support import answer, start


def _set_locale(app, world, who: str, locale) -> None:
    with app.app_context():
        world.user(who).locale = locale
        db.session.commit()


def _only_note(app, world, who: str) -> Notification:
    with app.app_context():
        (note,) = db.session.scalars(db.select(Notification).where(Notification.user_id == world.ids[who]))
        db.session.expunge(note)
        return note


def test_an_arabic_notification_reads_in_english_after_switching(app, world, login_as, client, token_for, tagged):
    _set_locale(app, world, "member", "ar")
    thread_id, _opening = start(app, world, "member", "grievance", "Overtime records", kind="question")
    answer(app, world, "supplier", thread_id, "We use a register.")
    note = _only_note(app, world, "member")
    assert note.verb == "answer" and note.text == "[ar]Supplier answered your question “Overtime records”"
    assert note.data == {"actors": [{"id": world.ids["supplier"], "name": "Supplier"}],
                         "thread": {"id": thread_id, "title": "Overtime records"}}
    # The reader switches to English: the page and the API word it in English now.
    page = login_as("member").get("/notifications?lang=en").get_data(as_text=True)
    assert "[en]%(name)s answered" not in page
    assert "[en]<bdi>Supplier</bdi> answered your question “<bdi>Overtime records</bdi>”" in page
    assert "[ar]" not in page.split('id="notification-')[1]
    # They save French as their language: the API (whose caller's language is their saved one) follows.
    _set_locale(app, world, "member", "fr")
    listed = client.get("/api/v1/notifications", headers=token_for("member"))
    assert listed.get_json()["notifications"][0]["text"] == "[fr]Supplier answered your question “Overtime records”"
    assert listed.get_json()["notifications"][0]["verb"] == "answer"


def test_the_real_catalogues_word_it_in_the_current_language(app, world, login_as):
    _set_locale(app, world, "member", "ar")
    thread_id, opening_id = start(app, world, "member", "grievance", "Audit findings")
    answer(app, world, "supplier", thread_id, "Answering you", reply_to=opening_id)
    stored = _only_note(app, world, "member").text
    assert "Audit findings" in stored and "replied" not in stored  # made in Arabic
    english = login_as("member").get("/notifications?lang=en").get_data(as_text=True)
    assert "<bdi>Supplier</bdi> replied to your post in “<bdi>Audit findings</bdi>”" in english
    spanish = login_as("member").get("/notifications?lang=es").get_data(as_text=True)
    assert "<bdi>Supplier</bdi> respondió a su publicación en «<bdi>Audit findings</bdi>»" in spanish


def test_an_anonymous_actor_is_a_label_in_every_language(app, world, login_as, tagged):
    thread_id, _ = start(app, world, "member", "grievance", "Late wages", kind="question")
    answer(app, world, "supplier", thread_id, "It happens here too", anonymous=True)
    note = _only_note(app, world, "member")
    assert note.data["actors"] == [{"anonymous": "supplier"}]
    page = login_as("member").get("/notifications?lang=zh").get_data(as_text=True)
    assert "[zh][zh]Anonymous supplier answered your question" in page
    assert "Textiles" not in page.split('id="notification-')[1].split("</li>")[0]


def test_a_notification_without_a_verb_shows_its_stored_text(app, world, login_as):
    with app.app_context():
        db.session.add(Notification(user_id=world.ids["member"], kind="moderation", text="Written long ago", url=""))
        db.session.commit()
    page = login_as("member").get("/notifications").get_data(as_text=True)
    assert "<bdi>Written long ago</bdi>" in page


def test_the_live_toast_is_worded_for_the_recipient(app, world, socket_for, tagged):
    _set_locale(app, world, "member", "es")
    sock = socket_for("member")
    sock.get_received()
    thread_id, opening_id = start(app, world, "member", "grievance", "Hotline")
    answer(app, world, "supplier", thread_id, "Hello", reply_to=opening_id)  # written in an English request
    pushed = [m["args"][0] for m in sock.get_received() if m["name"] == "notification"]
    assert pushed and pushed[-1]["notification"]["text"] == "[es]Supplier replied to your post in “Hotline”"
    assert pushed[-1]["notification"]["verb"] == "reply"


def test_a_hidden_posts_state_note_is_in_the_callers_language(app, world, client, token_for, tagged):
    """The author learns why in plain words in their language (the API's `state_note`)."""
    from tests.views.threads_support import moderate_post

    thread_id, _ = start(app, world, "member", "grievance", "Wages")
    post_id = answer(app, world, "supplier", thread_id, "Off topic words")
    moderate_post(app, world, "moderator", post_id, "hide", "Please give facts")
    for lang in ("es", "ar"):
        post = client.get(f"/api/v1/posts/{post_id}", headers={**token_for("supplier"), "Accept-Language": lang})
        assert post.get_json()["post"]["state_note"] == f"[{lang}]A moderator hid this post: Please give facts."
