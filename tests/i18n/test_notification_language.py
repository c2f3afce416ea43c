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


# --- every verb: made while its reader reads Arabic, read after they switch to English ----------
# The real catalogues: the stored text (the email's subject, the toast) is Arabic; the page and
# the API word the same notification in English once the reader's language is English.
def _arabic(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


def _notes_of(app, world, who: str, verb: str) -> list[Notification]:
    with app.app_context():
        notes = list(db.session.scalars(db.select(Notification).where(
            Notification.user_id == world.ids[who], Notification.verb == verb).order_by(Notification.id)))
        for note in notes:
            db.session.expunge(note)
        return notes


def _in_english(app, world, login_as, client, token_for, who: str, verb: str) -> tuple[str, str]:
    """(the notification's words on the page, its API text), the reader having switched to English."""
    _set_locale(app, world, who, "en")
    (note,) = _notes_of(app, world, who, verb)
    page = login_as(who).get("/notifications?lang=en").get_data(as_text=True)
    item = page.split(f'id="notification-{note.id}"')[1].split("</li>")[0]
    listed = client.get("/api/v1/notifications", headers=token_for(who)).get_json()["notifications"]
    (api,) = [n for n in listed if n["id"] == note.id]
    assert api["verb"] == verb
    return item, api["text"]


def test_reactions_are_worded_in_the_readers_language_also_when_reworded(app, world, login_as, client, token_for):
    from community.actions.reactions import react
    from community.models import Post

    thread_id, _ = start(app, world, "member", "grievance", "Agency fees", kind="question")
    post_id = answer(app, world, "supplier", thread_id, "We pay them back.")
    _set_locale(app, world, "supplier", "ar")
    with app.app_context():
        react(world.user("member"), db.session.get(Post, post_id), "helpful")
    (note,) = _notes_of(app, world, "supplier", "reaction")
    assert _arabic(note.text) and "helpful" not in note.text
    assert note.data["reaction"] == "helpful" and note.data["count"] == 1 and note.data["answer"] is True
    item, api = _in_english(app, world, login_as, client, token_for, "supplier", "reaction")
    assert "<bdi>Member</bdi> found your answer helpful" in item
    assert api == "Member found your answer helpful"
    # A second reaction while it is unread: the same notification, reworded (in Arabic), counted in data.
    _set_locale(app, world, "supplier", "ar")
    with app.app_context():
        react(world.user("member2"), db.session.get(Post, post_id), "helpful")
    (note,) = _notes_of(app, world, "supplier", "reaction")
    assert note.data["count"] == 2 and _arabic(note.text) and "2" in note.text
    item, api = _in_english(app, world, login_as, client, token_for, "supplier", "reaction")
    assert "2 people found your answer helpful" in item and api == "2 people found your answer helpful"


def test_a_reminder_and_its_email_follow_the_readers_language(app, world, login_as, client, token_for):
    from datetime import timedelta

    from community.actions.bookmarks import run_reminders, save_bookmark
    from community.models import Thread, utcnow
    from community.models.mail import OutboxEmail

    thread_id, _ = start(app, world, "member", "grievance", "Agency fees in Kuala Lumpur")
    _set_locale(app, world, "supplier", "ar")
    with app.app_context():
        due = utcnow() + timedelta(minutes=5)
        save_bookmark(world.user("supplier"), thread=db.session.get(Thread, thread_id), note="call the agency",
                      remind_at=due)
        assert run_reminders(now=due) == 1
        (email,) = db.session.scalars(db.select(OutboxEmail).where(OutboxEmail.user_id == world.ids["supplier"]))
        assert _arabic(email.subject) and "Reminder" not in email.subject  # the email: the recipient's language
    (note,) = _notes_of(app, world, "supplier", "reminder")
    assert _arabic(note.text) and note.data["note"] == "call the agency"
    item, api = _in_english(app, world, login_as, client, token_for, "supplier", "reminder")
    assert "Reminder: <bdi>Agency fees in Kuala Lumpur</bdi>. Your note: <bdi>call the agency</bdi>" in item
    assert api == "Reminder: Agency fees in Kuala Lumpur. Your note: call the agency"


def test_new_and_updated_resources_follow_the_readers_language(app, world, login_as, client, token_for):
    from community.actions.resources import add_resource, update_resource
    from community.actions.watching import set_topic_level

    _set_locale(app, world, "supplier", "ar")
    with app.app_context():
        set_topic_level(world.user("supplier"), world.topic("grievance"), "watching")
        db.session.commit()
        resource = add_resource(world.user("member"), world.topic("grievance"), {
            "title": "Guía de quejas", "kind": "guidance", "language": "es", "link": "https://example.org/guia"})
        update_resource(world.user("member"), resource, {"language": "es", "link": "https://example.org/guia-2"})
    for verb in ("resource_new", "resource_updated"):
        (note,) = _notes_of(app, world, "supplier", verb)
        assert _arabic(note.text) and note.kind == "resource" and note.data["language"] == "es"
        _set_locale(app, world, "supplier", "ar")
    item, api = _in_english(app, world, login_as, client, token_for, "supplier", "resource_new")
    assert "New resource in <bdi>Grievance mechanisms</bdi>: “<bdi>Guía de quejas</bdi>” (Español)" in item
    assert api == "New resource in Grievance mechanisms: “Guía de quejas” (Español)"
    item, api = _in_english(app, world, login_as, client, token_for, "supplier", "resource_updated")
    assert ("Updated resource in <bdi>Grievance mechanisms</bdi>: “<bdi>Guía de quejas</bdi>” (Español, version 2)"
            in item)
    assert api == "Updated resource in Grievance mechanisms: “Guía de quejas” (Español, version 2)"


def test_a_question_carried_to_the_follow_up_follows_the_readers_language(app, world, login_as, client, token_for):
    from community.actions import live
    from tests.live.conftest import iso_in

    _set_locale(app, world, "supplier", "ar")
    with app.app_context():
        session = live.schedule(world.user("member"), world.topic("grievance"), title="Recruitment fees",
                                starts_at=iso_in(-5), ends_at=iso_in(60))
        live.start(world.user("member"), session)
        live.ask(world.user("supplier"), session, "Who pays the agency?")
        live.end(world.user("member"), session)
    (note,) = _notes_of(app, world, "supplier", "live_carried")
    assert _arabic(note.text) and note.kind == "live" and note.data["session"]["title"] == "Recruitment fees"
    item, api = _in_english(app, world, login_as, client, token_for, "supplier", "live_carried")
    said = ("Your question in “{}” was not answered during the session: it continues in the follow-up "
            "discussion, where the hosts can answer it.")
    assert said.format("<bdi>Recruitment fees</bdi>") in item and api == said.format("Recruitment fees")


def test_a_scheduled_session_is_dated_in_the_readers_language_and_zone_now(app, world, login_as, client, token_for):
    """The page words it again (it used to show the stored text: the dates, wrapped in <bdi>, could
    not be read back)."""
    from datetime import UTC, datetime

    from community.actions import live
    from community.actions.watching import set_topic_level

    _set_locale(app, world, "supplier", "ar")
    with app.app_context():
        world.user("supplier").timezone = "Asia/Tokyo"
        set_topic_level(world.user("supplier"), world.topic("grievance"), "watching")
        db.session.commit()
        live.schedule(world.user("member"), world.topic("grievance"), title="Fees across midnight",
                      starts_at=datetime(2027, 12, 4, 23, 30, tzinfo=UTC), ends_at=datetime(2027, 12, 5, 0, 30, tzinfo=UTC))
    (note,) = _notes_of(app, world, "supplier", "live_scheduled")
    assert _arabic(note.text) and "(Asia/Tokyo)" in note.text
    item, api = _in_english(app, world, login_as, client, token_for, "supplier", "live_scheduled")
    said = "Live session scheduled in {}: “{}”, Sun, 5 Dec 2027, 08:30–09:30 (Asia/Tokyo)"
    assert said.format("<bdi>Grievance mechanisms</bdi>", "<bdi>Fees across midnight</bdi>") in item
    assert api == said.format("Grievance mechanisms", "Fees across midnight")
    with app.app_context():  # they move to New York: the same notification, dated there
        world.user("supplier").timezone = "America/New_York"
        db.session.commit()
    item, api = _in_english(app, world, login_as, client, token_for, "supplier", "live_scheduled")
    assert "Sat, 4 Dec 2027, 18:30–19:30 (America/New_York)" in item and "18:30–19:30 (America/New_York)" in api
