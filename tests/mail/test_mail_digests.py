"""Daily and weekly digests of watched topics and threads, through the real SMTP server."""
from __future__ import annotations

import threading
from datetime import timedelta

from community.actions import watching
from community.actions.digests import build_digest, queue_digest, run_digests
from community.extensions import db
from community.models import NotificationPreference, OutboxEmail, Thread, TopicWatch, utcnow
from tests.mail.support import REAL_NAME, new_thread, outbox, rename_supplier, reply_as, send


def _set_digest(app, world, who, digest, last):
    with app.app_context():
        db.session.merge(NotificationPreference(user_id=world.ids[who], email_mentions=True, email_replies=True,
                                                digest=digest, last_digest_at=last))
        db.session.commit()


def _last_digest_at(app, world, who):
    with app.app_context():
        return db.session.get(NotificationPreference, world.ids[who]).last_digest_at


def _activity(app, world):
    """member watches grievance, announcements and one lounge thread; activity all around."""
    rename_supplier(app, world)
    with app.app_context():
        member = world.user("member")
        watching.set_topic_level(member, world.topic("grievance"), "watching")
        watching.set_topic_level(member, world.topic("announcements"), "watching")
        # Watched once, but the member cannot read this topic (organisation only): never in a digest.
        db.session.add(TopicWatch(user_id=member.id, topic_id=world.topic_ids["textiles-circle"], level="watching"))
        db.session.commit()
    t = {}
    t["overtime"] = new_thread(app, world, "supplier", "grievance", "Overtime is unpaid",
                               body="Nobody pays the overtime on Sundays.", anonymous=True)
    reply_as(app, world, "supplier2", t["overtime"], "Same at our plant, every week.", anonymous=True)
    reply_as(app, world, "member2", t["overtime"], "We will raise it with the auditors.")
    reply_as(app, world, "member", t["overtime"], "My own reply is not news to me.")
    t["muted"] = new_thread(app, world, "supplier2", "grievance", "A thread the member muted")
    with app.app_context():
        watching.set_thread_level(world.user("member"), db.session.get(Thread, t["muted"]), "muted")
    t["private"] = new_thread(app, world, "supplier", "textiles-circle", "Textiles only secret")
    t["news"] = new_thread(app, world, "member2", "announcements", "Brand news", body="New code of conduct.")
    with app.app_context():
        world.topic("announcements").moderation = "all"  # from now on, posts wait for a moderator
        db.session.commit()
    reply_as(app, world, "supplier", t["news"], "This reply is held for review.")
    t["lounge"] = new_thread(app, world, "member2", "members-lounge", "Lounge chat", body="Coffee at ten?")
    t["unwatched"] = new_thread(app, world, "member2", "members-lounge", "Unwatched lounge thread")
    with app.app_context():
        watching.set_thread_level(world.user("member"), db.session.get(Thread, t["lounge"]), "watching")
    return t


def test_daily_digest_has_only_readable_unmuted_news_with_anonymous_labels(mail_app, world, smtp):
    app = mail_app
    start = utcnow()
    _set_digest(app, world, "member", "daily", start - timedelta(days=1))
    t = _activity(app, world)
    now = utcnow()
    with app.app_context():
        assert run_digests(now) == 1
    assert send(app, now).sent == 1

    [mail] = smtp.inbox.to("member@example.com")
    assert mail.subject == "Your daily Roundtable digest: 3 threads with new activity"
    assert str(mail.message["List-Unsubscribe"]).startswith("<http://roundtable.test/unsubscribe/")
    text, html = mail.text, mail.html
    for body in (text, html):
        assert "Overtime is unpaid" in body and "Brand news" in body and "Lounge chat" in body
        assert "Nobody pays the overtime on Sundays." in body
        assert "Same at our plant, every week." in body
        assert "We will raise it with the auditors." in body
        assert "Anonymous supplier" in body and "Member2" in body
        assert f"http://roundtable.test/threads/{t['overtime']}" in body
    assert "New discussion by Anonymous supplier" in text
    assert "- Anonymous supplier: Same at our plant, every week." in text
    for absent in ("A thread the member muted", "Textiles only secret", "This reply is held for review.",
                   "My own reply is not news to me.", "Unwatched lounge thread",
                   REAL_NAME, "Priya", "Supplier2", "Textiles Ltd", "Rubber Works"):
        assert absent not in mail.everything, absent

    # Not due again the same day; a day later nothing new happened: nothing is sent.
    with app.app_context():
        assert run_digests(now + timedelta(hours=2)) == 0
        assert run_digests(now + timedelta(days=1)) == 0
    assert _last_digest_at(app, world, "member") == now + timedelta(days=1)


def test_weekly_schedule_starts_its_clock_then_sends_once_a_week(mail_app, world, smtp):
    app = mail_app
    now = utcnow()
    with app.app_context():
        watching.set_topic_level(world.user("member2"), world.topic("grievance"), "watching")
        assert run_digests(now) == 0  # first run: the clock starts, no digest covering the past
    assert _last_digest_at(app, world, "member2") == now
    thread_id = new_thread(app, world, "supplier", "grievance", "Weekly news")
    reply_as(app, world, "member", thread_id, "A reply in the week")
    with app.app_context():
        assert run_digests(now + timedelta(days=3)) == 0
        assert run_digests(now + timedelta(days=7)) == 1
        assert run_digests(now + timedelta(days=7)) == 0  # once
    send(app, now + timedelta(days=7))
    [mail] = smtp.inbox.to("member2@example.com")
    assert mail.subject == "Your weekly Roundtable digest: 1 thread with new activity"
    assert "Weekly news" in mail.text and "A reply in the week" in mail.text
    assert "Member: A reply in the week" in mail.text


def test_no_digest_for_never_or_when_nothing_is_watched(mail_app, world, smtp):
    app = mail_app
    now = utcnow()
    _set_digest(app, world, "member", "never", now - timedelta(days=30))
    _set_digest(app, world, "member2", "daily", now - timedelta(days=30))  # watches nothing
    with app.app_context():
        watching.set_topic_level(world.user("member"), world.topic("grievance"), "watching")
    new_thread(app, world, "supplier", "grievance", "Quiet for them")
    with app.app_context():
        assert run_digests(utcnow()) == 0
    assert outbox(app, category="digest") == []


def test_build_digest_thread_level_wins_over_the_topic(app, world):
    since = utcnow() - timedelta(minutes=1)
    loud = new_thread(app, world, "supplier", "grievance", "Watched inside a muted topic")
    quiet = new_thread(app, world, "supplier", "grievance", "Muted like its topic")
    with app.app_context():
        member = world.user("member")
        watching.set_topic_level(member, world.topic("grievance"), "muted")
        watching.set_thread_level(member, db.session.get(Thread, loud), "watching")
        digest = build_digest(member, since)
        assert [t.title for t in digest.threads] == ["Watched inside a muted topic"]
        [entry] = digest.threads
        assert entry.is_new and entry.author == "Supplier" and entry.reply_count == 0
        assert quiet not in {t.id for t in digest.threads}
        assert build_digest(member, utcnow()).empty  # nothing after now


def test_two_senders_queue_one_digest(mail_app, world):
    app = mail_app
    now = utcnow()
    _set_digest(app, world, "member", "daily", now - timedelta(days=2))
    with app.app_context():
        watching.set_topic_level(world.user("member"), world.topic("grievance"), "watching")
    new_thread(app, world, "supplier", "grievance", "Raced")
    later = utcnow()
    barrier = threading.Barrier(2)
    counts, errors = [], []

    def worker():
        with app.app_context():
            barrier.wait()
            try:
                counts.append(run_digests(later))
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

    workers = [threading.Thread(target=worker) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(30)
    assert not errors, errors
    assert sorted(counts) == [0, 1]
    assert len(outbox(app, category="digest")) == 1


def test_a_digest_words_a_live_archive_title_in_its_readers_language(app, world):
    """The site's own titles (a live session's archive) are worded in the recipient's language."""
    with app.app_context():
        member = world.user("member")
        member.locale = "fr"
        watching.set_topic_level(member, world.topic("grievance"), "watching")
        db.session.commit()
    start = utcnow()
    thread_id = new_thread(app, world, "member2", "grievance", "Live session archive: Hotlines")
    with app.app_context():
        thread = db.session.get(Thread, thread_id)
        thread.title_kind, thread.title_subject = "live_archive", "Hotlines"
        db.session.commit()
        digest = build_digest(world.user("member"), start - timedelta(minutes=1), utcnow() + timedelta(minutes=1))
        assert [str(t.title) for t in digest.threads] == ["Live session archive: Hotlines"]  # no locale yet
        queue_digest(digest, "daily")
        db.session.commit()
        email = db.session.scalars(db.select(OutboxEmail).order_by(OutboxEmail.id.desc())).first()
        assert "Archive de la session en direct : Hotlines" in email.body_text
        assert "Live session archive" not in email.body_text
