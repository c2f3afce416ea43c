"""Delivery: the outbox survives a mail server that is down, retries with backoff, gives up
visibly, and never sends twice when several senders run at once. No sleeping: the sender is
called with a fake `now`."""
from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

from community.extensions import db
from community.jobs import run_sender_once
from community.mail import backoff_seconds, claim_due, queue_email, send_due
from community.models import OutboxEmail, utcnow
from tests.mail.conftest import SMTPServer, configure_smtp, free_port
from tests.mail.support import new_thread, outbox, reply_as, send


def _queue_mentions(app, world, count=1, who="member"):
    thread_id = new_thread(app, world, "supplier", "grievance", "Delivery test")
    for n in range(count):
        reply_as(app, world, "supplier2", thread_id, f"@{who} message number {n}")
    return thread_id


def _queue_plain(app, world, count):
    """`count` emails straight into the outbox (quicker than `count` posts)."""
    with app.app_context():
        member = world.user("member")
        for n in range(count):
            queue_email(member, "mentions", subject=f"Bulk {n}", template="notification",
                        context={"note": type("N", (), {"text": f"Bulk {n}"})(), "thread": None, "topic": None,
                                 "author": "", "excerpt": "", "url": "http://roundtable.test/"})
        db.session.commit()


def test_backoff_doubles_and_is_capped(app):
    with app.app_context():
        assert [backoff_seconds(n) for n in range(1, 6)] == [60, 120, 240, 480, 960]
        assert backoff_seconds(20) == app.config["MAIL_RETRY_MAX_SECONDS"]


def test_server_down_then_back_retried_with_backoff_then_sent(app, world):
    port = free_port()  # nothing listens here yet: connection refused
    configure_smtp(app, port)
    _queue_mentions(app, world)
    t0 = utcnow()

    report = send(app, t0)
    assert (report.sent, report.retrying) == (0, 1)
    [row] = outbox(app)
    assert row["status"] == "queued" and row["attempts"] == 1
    assert "ConnectionRefusedError" in row["last_error"]
    assert row["next_attempt_at"] == t0 + timedelta(minutes=1)

    assert send(app, t0 + timedelta(seconds=59)).claimed == 0  # not due yet
    t1 = t0 + timedelta(minutes=1)
    assert send(app, t1).retrying == 1
    [row] = outbox(app)
    assert row["attempts"] == 2 and row["next_attempt_at"] == t1 + timedelta(minutes=2)

    server = SMTPServer(port=port).start()  # the mail server comes back on its port
    try:
        assert send(app, t1 + timedelta(minutes=1)).claimed == 0
        report = send(app, t1 + timedelta(minutes=2))
        assert report.sent == 1, report.errors
        [mail] = server.inbox.to("member@example.com")
        assert mail.subject.startswith("Supplier2 mentioned you")
    finally:
        server.stop()
    [row] = outbox(app)
    assert row["status"] == "sent" and row["attempts"] == 3 and row["sent_at"] == t1 + timedelta(minutes=2)
    assert row["last_error"] == "" and row["claimed_by"] is None


def test_failed_after_max_attempts_and_shown_to_administrators(app, world, login_as):
    configure_smtp(app, free_port(), MAIL_MAX_ATTEMPTS=3)
    _queue_mentions(app, world)
    now = utcnow()
    for _ in range(5):
        send(app, now)
        now += timedelta(hours=5)  # beyond any backoff
    [row] = outbox(app)
    assert row["status"] == "failed" and row["attempts"] == 3
    assert "ConnectionRefusedError" in row["last_error"]

    page = login_as("admin").get("/admin/mail")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'id="email-{row["id"]}"' in html and "failed" in html
    assert "member@example.com" in html and "Supplier2 mentioned you in" in html
    assert "ConnectionRefusedError" in html
    assert '<p class="display-6 mb-0" id="count-failed">1</p>' in html
    assert "style=" not in html.split('id="main"')[1]

    assert login_as("member").get("/admin/mail").status_code == 403
    assert login_as("member").post(f"/admin/mail/{row['id']}/retry").status_code == 403

    admin = login_as("admin")
    response = admin.post(f"/admin/mail/{row['id']}/retry")
    assert response.status_code == 302
    [row] = outbox(app)
    assert row["status"] == "queued" and row["attempts"] == 0


def test_a_retrying_email_is_listed_as_failing(app, world, login_as):
    configure_smtp(app, free_port())
    _queue_mentions(app, world)
    send(app)
    html = login_as("admin").get("/admin/mail").get_data(as_text=True)
    assert "retrying" in html and "ConnectionRefusedError" in html


def test_a_recipient_refused_for_good_fails_at_once(mail_app, world, smtp):
    app = mail_app
    smtp.inbox.refuse.add("member@example.com")
    _queue_mentions(app, world)
    _queue_mentions(app, world, who="member2")
    report = send(app)
    assert (report.sent, report.failed) == (1, 1)  # the other email on the same connection still went
    failed = outbox(app, status="failed")
    assert len(failed) == 1 and failed[0]["attempts"] == 1 and "550" in failed[0]["last_error"]
    assert len(smtp.inbox.to("member2@example.com")) == 1


def test_two_senders_at_once_never_send_twice(mail_app, world, smtp):
    app = mail_app
    _queue_plain(app, world, 30)
    now = utcnow()
    barrier = threading.Barrier(2)
    reports, errors = [], []

    def sender():
        with app.app_context():
            barrier.wait()
            try:
                while True:  # small batches, so the two senders really interleave
                    report = send_due(now, limit=4)
                    reports.append(report)
                    if report.claimed == 0:
                        break
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    ids = Counter(str(m.message["Message-ID"]) for m in smtp.inbox.messages)
    assert len(ids) == 30 and set(ids.values()) == {1}, ids
    assert sum(r.sent for r in reports) == 30
    assert {row["status"] for row in outbox(app)} == {"sent"}
    assert {row["attempts"] for row in outbox(app)} == {1}


def test_a_claimed_row_is_not_claimed_again_until_its_lease_runs_out(mail_app, world, smtp):
    app = mail_app
    _queue_plain(app, world, 3)
    now = utcnow()
    with app.app_context():
        mine, _ = claim_due(now, 10, "sender-a")  # sender A claims, then dies before sending
        theirs, _ = claim_due(now, 10, "sender-b")
        assert len(mine) == 3 and theirs == []
        later, _ = claim_due(now + timedelta(minutes=11), 10, "sender-b")
        assert len(later) == 3
        rows = db.session.scalars(db.select(OutboxEmail)).all()
        assert {r.claimed_by for r in rows} == {"sender-b"} and {r.attempts for r in rows} == {2}


def test_cli_send_due_and_digests(mail_app, world, smtp):
    app = mail_app
    _queue_mentions(app, world, count=2)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["mail", "send-due"])
    assert result.exit_code == 0, result.output
    assert "Email: sent 2, to retry 0, failed 0, cancelled 0." in result.output
    assert len(smtp.inbox.messages) == 2

    result = runner.invoke(args=["mail", "digests"])
    assert result.exit_code == 0, result.output
    assert "Queued 0 digest(s)." in result.output

    result = runner.invoke(args=["mail", "test", "--to", "ops@example.com"])
    assert result.exit_code == 0, result.output
    assert smtp.inbox.to("ops@example.com")[0].subject == "Roundtable test email"


def test_the_background_round_sends_and_survives_errors(mail_app, world, smtp, monkeypatch):
    app = mail_app
    _queue_mentions(app, world)
    report = run_sender_once(app, digests=True)
    assert report.sent == 1 and len(smtp.inbox.messages) == 1

    def broken(*args, **kwargs):
        raise RuntimeError("database restarting")

    monkeypatch.setattr("community.jobs.send_due", broken)
    assert run_sender_once(app) is None  # logged, not raised: the loop goes on
