"""Email preferences, the preferences page, and watching / muting topics and threads."""
from __future__ import annotations

from community.actions import watching
from community.extensions import db
from community.models import NotificationPreference, Thread, ThreadWatch, TopicWatch
from tests.mail.support import new_thread, outbox, reply_as, send
from tests.views.threads_support import start


def _levels(app, world, who):
    with app.app_context():
        uid = world.ids[who]
        topics = {w.topic_id: w.level for w in db.session.query(TopicWatch).filter_by(user_id=uid)}
        threads = {w.thread_id: w.level for w in db.session.query(ThreadWatch).filter_by(user_id=uid)}
        return topics, threads


def test_defaults_are_immediate_mentions_and_answers_and_a_weekly_digest(app, world):
    with app.app_context():
        pref = watching.preferences(world.user("member"))
        assert (pref.email_mentions, pref.email_replies, pref.digest) == (True, True, "weekly")
        assert db.session.get(NotificationPreference, world.ids["member"]) is None  # not stored until chosen


def test_never_means_nothing_is_queued_or_sent(mail_app, world, smtp, login_as):
    app = mail_app
    page = login_as("member").post("/settings/notifications", data={"action": "none"})
    assert page.status_code == 302
    thread_id = new_thread(app, world, "member", "grievance", "A question", kind="question")
    reply_as(app, world, "supplier", thread_id, "@member an answer and a mention")
    send(app)
    assert smtp.inbox.messages == []
    assert outbox(app) == []
    with app.app_context():
        pref = db.session.get(NotificationPreference, world.ids["member"])
        assert (pref.email_mentions, pref.email_replies, pref.digest) == (False, False, "never")


def test_mentions_off_replies_on(mail_app, world, smtp):
    app = mail_app
    with app.app_context():
        watching.update_preferences(world.user("member"), mentions=False, replies=True, digest="daily")
    thread_id = new_thread(app, world, "member", "grievance", "Ask away", kind="question")
    reply_as(app, world, "supplier", thread_id, "An answer")
    other = new_thread(app, world, "supplier", "grievance", "Elsewhere")
    reply_as(app, world, "supplier2", other, "@member look here")
    send(app)
    subjects = [m.subject for m in smtp.inbox.to("member@example.com")]
    assert subjects == ["Supplier answered your question “Ask away”"]


def test_a_mail_queued_before_unsubscribing_is_not_sent(mail_app, world, smtp):
    app = mail_app
    thread_id = new_thread(app, world, "member", "grievance", "Queued then stopped")
    reply_as(app, world, "supplier", thread_id, "@member hello")
    with app.app_context():
        watching.update_preferences(world.user("member"), mentions=False, replies=True, digest="weekly")
    report = send(app)
    assert report.cancelled == 1 and smtp.inbox.messages == []


def test_preferences_page_shows_and_saves(app, world, login_as):
    client = login_as("supplier")
    page = client.get("/settings/notifications")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'id="pref-mentions" name="mentions" value="on" checked' in html
    assert 'id="pref-digest-weekly" name="digest" value="weekly" checked' in html
    assert 'name="csrf_token"' in html
    assert '<label class="form-check-label" for="pref-replies">' in html

    saved = client.post("/settings/notifications", data={"replies": "on", "digest": "daily", "action": "save"},
                        follow_redirects=True)
    assert "Your email preferences are saved." in saved.get_data(as_text=True)
    with app.app_context():
        pref = db.session.get(NotificationPreference, world.ids["supplier"])
        assert (pref.email_mentions, pref.email_replies, pref.digest) == (False, True, "daily")


def test_preferences_page_refuses_a_bad_choice_and_keeps_the_form(app, world, login_as):
    page = login_as("supplier").post("/settings/notifications",
                                     data={"mentions": "on", "digest": "hourly", "action": "save"})
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "Choose a daily or weekly digest, or none." in html
    assert 'id="pref-mentions" name="mentions" value="on" checked' in html
    assert 'id="pref-replies" name="replies" value="on">' in html  # unticked, as sent


def test_preferences_page_needs_sign_in(client, world):
    page = client.get("/settings/notifications")
    assert page.status_code == 302 and "/login" in page.headers["Location"]


def test_the_user_menu_links_to_the_preferences(login_as):
    html = login_as("member").get("/").get_data(as_text=True)
    assert 'href="/settings/notifications">Email notifications</a>' in html


def test_watch_and_mute_buttons_on_topic_and_thread_pages(app, world, login_as):
    client = login_as("member")
    topic_page = client.get("/t/grievance").get_data(as_text=True)
    assert 'action="/t/grievance/watch"' in topic_page and 'value="watching"' in topic_page

    client.post("/t/grievance/watch", data={"level": "watching", "next": "/t/grievance"})
    topics, _ = _levels(app, world, "member")
    assert topics == {world.topic_ids["grievance"]: "watching"}
    assert "You watch this topic." in client.get("/t/grievance").get_data(as_text=True)

    thread_id = new_thread(app, world, "supplier", "grievance", "Muted soon")
    thread_page = client.get(f"/threads/{thread_id}").get_data(as_text=True)
    assert f'action="/threads/{thread_id}/watch"' in thread_page
    assert "Watched through its topic." in thread_page

    response = client.post(f"/threads/{thread_id}/watch", data={"level": "muted"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/threads/{thread_id}")
    _, threads = _levels(app, world, "member")
    assert threads == {thread_id: "muted"}
    page = client.get(f"/threads/{thread_id}").get_data(as_text=True)
    assert "You muted this thread: no email about it." in page and "Unmute" in page

    client.post(f"/threads/{thread_id}/watch", data={"level": "none"})
    client.post("/t/grievance/watch", data={"level": "none"})
    assert _levels(app, world, "member") == ({}, {})


def test_watch_is_refused_where_the_user_cannot_read(app, world, login_as):
    client = login_as("supplier")
    assert client.post("/t/members-lounge/watch", data={"level": "watching"}).status_code == 404
    thread_id = new_thread(app, world, "member", "members-lounge", "Brands only")
    assert client.post(f"/threads/{thread_id}/watch", data={"level": "watching"}).status_code == 404
    assert client.post("/t/grievance/watch", data={"level": "loud"}).status_code == 400
    assert _levels(app, world, "supplier") == ({}, {})


def test_watch_redirects_only_to_this_site(app, world, login_as):
    response = login_as("member").post("/t/grievance/watch",
                                       data={"level": "watching", "next": "https://evil.example/"})
    assert response.headers["Location"].endswith("/t/grievance")


def test_starting_a_thread_and_replying_watch_it_but_keep_a_mute(app, world):
    thread_id = new_thread(app, world, "supplier", "grievance", "My thread")
    reply_as(app, world, "member", thread_id, "A reply")
    assert _levels(app, world, "supplier")[1] == {thread_id: "watching"}
    assert _levels(app, world, "member")[1] == {thread_id: "watching"}

    with app.app_context():
        watching.set_thread_level(world.user("member2"), db.session.get(Thread, thread_id), "muted")
    reply_as(app, world, "member2", thread_id, "Replying does not unmute")
    reply_as(app, world, "member", thread_id, "A second reply is fine")
    assert _levels(app, world, "member2")[1] == {thread_id: "muted"}
    assert _levels(app, world, "member")[1] == {thread_id: "watching"}


def test_muted_thread_or_topic_sends_nothing(mail_app, world, smtp):
    app = mail_app
    thread_id = new_thread(app, world, "supplier", "grievance", "Muted thread")
    with app.app_context():
        watching.set_thread_level(world.user("member"), db.session.get(Thread, thread_id), "muted")
    reply_as(app, world, "supplier2", thread_id, "@member you muted this")

    other = new_thread(app, world, "supplier", "grievance", "In a muted topic")
    with app.app_context():
        watching.set_topic_level(world.user("member"), world.topic("grievance"), "muted")
    reply_as(app, world, "supplier2", other, "@member the topic is muted")
    send(app)
    assert smtp.inbox.to("member@example.com") == []

    # A thread watched on its own wins over its muted topic.
    with app.app_context():
        watching.set_thread_level(world.user("member"), db.session.get(Thread, other), "watching")
    reply_as(app, world, "supplier2", other, "@member now you hear")
    send(app)
    assert [m.subject for m in smtp.inbox.to("member@example.com")] == \
        ["Supplier2 mentioned you in “In a muted topic”"]


def test_the_preferences_page_lists_what_is_watched(app, world, login_as):
    thread_id = new_thread(app, world, "member", "grievance", "Watched by its author")
    with app.app_context():
        watching.set_topic_level(world.user("member"), world.topic("announcements"), "muted")
    html = login_as("member").get("/settings/notifications").get_data(as_text=True)
    assert "Watched by its author" in html and f'action="/threads/{thread_id}/watch"' in html
    assert "Announcements" in html and "Unmute" in html


def test_a_thread_page_reads_both_watch_levels_in_one_statement(app, world, login_as):
    thread_id, _ = start(app, world, "supplier", "grievance")
    reader = login_as("member")
    with app.app_context():
        thread = db.session.get(Thread, thread_id)
        assert watching.levels(world.user("member"), thread) == (None, None)
        watching.set_topic_level(world.user("member"), thread.topic, "watching")
    assert "Watched through its topic." in reader.get(f"/threads/{thread_id}").get_data(as_text=True)
    with app.app_context():
        thread = db.session.get(Thread, thread_id)
        watching.set_thread_level(world.user("member"), thread, "muted")
        assert watching.levels(world.user("member"), thread) == ("muted", "watching")
    assert "You muted this thread: no email about it." in reader.get(f"/threads/{thread_id}").get_data(as_text=True)
