"""Immediate emails (mentions, answers, replies) through a real SMTP server on 127.0.0.1."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.actions.moderation import moderate_post
from community.actions.notifications import notify
from community.extensions import db
from community.models import Notification, OutboxEmail, Post
from tests.mail.support import REAL_NAME, new_thread, outbox, rename_supplier, reply_as, send


def test_mention_from_an_anonymous_post_is_emailed_without_the_authors_name(mail_app, world, smtp):
    app = mail_app
    rename_supplier(app, world)
    thread_id = new_thread(app, world, "member", "grievance", "Late wages at the dye house")
    post_id = reply_as(app, world, "supplier", thread_id,
                       "@member the **wages** were paid 3 weeks late again.", anonymous=True)

    assert smtp.inbox.messages == []  # queued, not sent, by the action
    report = send(app)
    assert report.sent == 1, report.errors

    [mail] = smtp.inbox.to("member@example.com")
    msg = mail.message
    assert msg.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in msg.iter_parts()] == ["text/plain", "text/html"]
    assert mail.subject == "Anonymous supplier mentioned you in “Late wages at the dye house”"
    assert msg["To"].addresses[0].addr_spec == "member@example.com"
    assert msg["From"] == app.config["MAIL_FROM"]
    assert msg["Message-ID"] and msg["Date"]
    assert msg["Auto-Submitted"] == "auto-generated"

    # RFC 8058 one-click unsubscribe: the same signed link in the headers and both bodies.
    header = str(msg["List-Unsubscribe"])
    assert header.startswith("<http://roundtable.test/unsubscribe/") and header.endswith(">")
    link = header[1:-1]
    assert f"\r\nList-Unsubscribe: <{link}>\r\n".encode() in mail.raw  # literal, not RFC 2047-encoded
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in mail.text and link in mail.html

    for body in (mail.text, mail.html):
        assert "Anonymous supplier" in body
        assert "wages were paid 3 weeks late again" in body
        assert f"http://roundtable.test/threads/{thread_id}#post-{post_id}" in body
        assert "http://roundtable.test/settings/notifications" in body
    # Nowhere: not the name, not the organisation, not the address.
    for secret in (REAL_NAME, "Priya", "Textiles", "supplier@example.com"):
        assert secret not in mail.everything, secret
        assert secret.encode() not in mail.raw, secret


def test_answer_to_my_question_is_emailed_to_the_asker(mail_app, world, smtp):
    app = mail_app
    thread_id = new_thread(app, world, "supplier", "grievance", "How do we set up a hotline?", kind="question")
    reply_as(app, world, "member", thread_id, "Start with a free phone number and a *clear* policy.")
    send(app)

    [mail] = smtp.inbox.to("supplier@example.com")
    assert mail.subject == "Member answered your question “How do we set up a hotline?”"
    assert "Start with a free phone number and a clear policy." in mail.text
    assert "<blockquote dir=\"auto\">Start with a free phone number and a clear policy.</blockquote>" in mail.html
    assert "Member wrote in Grievance mechanisms:" in mail.text
    assert "answered your question or replied to your post" in mail.text
    assert smtp.inbox.to("member@example.com") == []  # never about one's own post


def test_reply_to_my_post_is_emailed(mail_app, world, smtp):
    app = mail_app
    thread_id = new_thread(app, world, "member", "grievance", "Audit findings")
    first = reply_as(app, world, "supplier", thread_id, "Our findings are attached.")
    reply_as(app, world, "member2", thread_id, "Thanks, very useful.", reply_to=first)
    send(app)
    [mail] = smtp.inbox.to("supplier@example.com")
    assert mail.subject == "Member2 replied to your post in “Audit findings”"
    # The thread's author (member) got the in-app notice of nothing here: a discussion has no "answer".
    assert smtp.inbox.to("member@example.com") == []


def test_posting_through_the_page_queues_and_does_not_send(mail_app, world, smtp, login_as):
    app = mail_app
    thread_id = new_thread(app, world, "supplier", "grievance", "Question for the brands", kind="question")
    page = login_as("member").post(f"/threads/{thread_id}/reply", data={"body": "Here is an answer."})
    assert page.status_code in (302, 303)
    assert smtp.inbox.messages == []
    [row] = outbox(app)
    assert row["status"] == "queued" and row["attempts"] == 0 and row["category"] == "replies"
    with app.app_context():
        note = db.session.get(Notification, row["notification_id"])
        assert note.user_id == world.ids["supplier"] and note.kind == "answer"


def test_the_email_is_written_in_the_notifications_transaction(mail_app, world):
    """Rolled back together: a notification can never exist without its email, nor the reverse."""
    app = mail_app
    thread_id = new_thread(app, world, "supplier", "grievance", "Rollback check")
    with app.app_context():
        from community.models import Thread

        thread = db.session.get(Thread, thread_id)
        notify(world.user("member"), verb="mention", data={"actors": [], "thread": {"id": thread_id, "title": "T"}},
               url=f"/threads/{thread_id}", thread=thread)
        assert db.session.scalar(select(func.count(OutboxEmail.id))) == 1
        db.session.rollback()
        assert db.session.scalar(select(func.count(OutboxEmail.id))) == 0
        assert db.session.scalar(select(func.count(Notification.id))) == 0


def test_a_post_hidden_before_sending_is_not_emailed(mail_app, world, smtp):
    app = mail_app
    thread_id = new_thread(app, world, "member", "grievance", "Something confidential")
    post_id = reply_as(app, world, "supplier", thread_id, "@member2 here are the supplier's bank details")
    with app.app_context():
        moderate_post(world.user("moderator"), db.session.get(Post, post_id), "hide", "Confidential")
    report = send(app)
    # The mention is not sent: the post it quotes is hidden now. Its author is told of the decision.
    assert report.cancelled == 1 and report.sent == 1
    assert smtp.inbox.to("member2@example.com") == []
    [row] = outbox(app, user_id=world.ids["member2"])
    assert row["status"] == "cancelled" and "no longer visible" in row["last_error"]
    [told] = outbox(app, user_id=world.ids["supplier"])
    assert told["category"] == "moderation" and told["status"] == "sent" and "Confidential" in told["subject"]


def test_no_email_for_a_thread_the_recipient_cannot_read(mail_app, world, smtp):
    app = mail_app
    thread_id = new_thread(app, world, "member", "members-lounge", "Brands only")
    reply_as(app, world, "member2", thread_id, "@supplier you cannot read this")
    send(app)
    assert smtp.inbox.to("supplier@example.com") == []
    assert outbox(app, user_id=world.ids["supplier"]) == []


# The test server allows AUTH without TLS on purpose (127.0.0.1 only); aiosmtpd warns about it.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_smtp_login_with_credentials(app, world, auth_smtp):
    from tests.mail.conftest import configure_smtp

    configure_smtp(app, auth_smtp.port, MAIL_USERNAME="mailer", MAIL_PASSWORD="s3cret")
    thread_id = new_thread(app, world, "member", "grievance", "Authenticated sending")
    reply_as(app, world, "supplier", thread_id, "@member hello")
    assert send(app).sent == 1
    assert len(auth_smtp.inbox.to("member@example.com")) == 1

    # Without the credentials the server refuses (530): our configuration's fault, so the
    # email waits for a retry instead of failing for good.
    app.config["MAIL_USERNAME"] = ""
    reply_as(app, world, "supplier", thread_id, "@member again")
    report = send(app)
    assert report.sent == 0 and report.retrying == 1
    assert "530" in outbox(app, status="queued")[0]["last_error"]


def test_starttls_required_but_not_offered_never_sends_in_clear(mail_app, world, smtp):
    app = mail_app
    app.config["MAIL_USE_TLS"] = True  # our test server offers no STARTTLS
    thread_id = new_thread(app, world, "member", "grievance", "TLS only")
    reply_as(app, world, "supplier", thread_id, "@member secret")
    report = send(app)
    assert report.sent == 0 and report.retrying == 1
    assert smtp.inbox.messages == []
    assert "STARTTLS" in outbox(app)[0]["last_error"]


def test_console_backend_prints_the_message(app, world, capsys):
    app.config["MAIL_BACKEND"] = "console"
    thread_id = new_thread(app, world, "member", "grievance", "Development mail")
    reply_as(app, world, "supplier", thread_id, "@member printed, not sent")
    assert send(app).sent == 1
    out = capsys.readouterr().out
    assert "MAIL_BACKEND=console" in out
    assert "Subject: Supplier mentioned you in" in out
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in out
    assert outbox(app)[0]["status"] == "sent"
