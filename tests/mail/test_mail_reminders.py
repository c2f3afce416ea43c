"""Bookmark reminders through a real SMTP server: the server's email round sends them when
due (and only then, once), `flask mail reminders` does the same from cron, and the email is in
its reader's words with an unsubscribe link that stops reminders only."""
from __future__ import annotations

from datetime import timedelta

from community.actions.bookmarks import save_bookmark
from community.extensions import db
from community.jobs import run_sender_once
from community.models import NotificationPreference, Thread, utcnow
from tests.mail.support import new_thread


def _bookmark(app, world, who, thread_id, minutes=5, note="call the agency"):
    with app.app_context():
        due = utcnow() + timedelta(minutes=minutes)
        save_bookmark(world.user(who), thread=db.session.get(Thread, thread_id), note=note, remind_at=due)
        return due


def test_the_email_round_sends_a_reminder_when_it_is_due(mail_app, world, smtp):
    app = mail_app
    thread_id = new_thread(app, world, "member", "grievance", "Agency fees in Kuala Lumpur")
    due = _bookmark(app, world, "supplier", thread_id)

    run_sender_once(app, now=due - timedelta(minutes=1))
    assert smtp.inbox.messages == []
    report = run_sender_once(app, now=due)
    assert report.sent == 1, report.errors
    [mail] = smtp.inbox.to("supplier@example.com")
    assert mail.subject == "Reminder: Agency fees in Kuala Lumpur. Your note: call the agency"
    assert f"http://roundtable.test/threads/{thread_id}" in mail.text
    assert "Opening words of the thread." in mail.text
    assert "asked to be reminded" in mail.text

    run_sender_once(app, now=due + timedelta(minutes=2))
    assert len(smtp.inbox.messages) == 1  # once

    # its unsubscribe link stops reminders, and nothing else
    link = str(mail.message["List-Unsubscribe"])[1:-1]
    client = app.test_client()
    assert client.post(link.replace("http://roundtable.test", ""), data={"scope": "reminders"}).status_code == 200
    with app.app_context():
        pref = db.session.get(NotificationPreference, world.ids["supplier"])
        assert (pref.email_reminders, pref.email_replies, pref.email_mentions) == (False, True, True)


def test_the_cli_sends_due_reminders(mail_app, world, smtp):
    app = mail_app
    thread_id = new_thread(app, world, "member", "grievance", "Overtime caps")
    _bookmark(app, world, "supplier", thread_id, minutes=1, note="")
    with app.app_context():
        from community.models import Bookmark

        db.session.execute(db.update(Bookmark).values(remind_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["mail", "reminders"])
    assert result.exit_code == 0, result.output
    assert "Sent 1 reminder(s)." in result.output and "Email: sent 1" in result.output
    assert smtp.inbox.to("supplier@example.com")[0].subject == "Reminder: Overtime caps"
