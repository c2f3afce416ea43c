"""Ending a live session drops nothing (issue #15): questions still waiting are listed in the
archive as "not reached" (the hosts may approve or decline them first; those held by watched
words wait for a host even after the end), a follow-up discussion opens under the archive in
the same topic with every unanswered question carried into it as its asker's post, askers are
told, `follow_up_thread_id` is in the session object once ended, and hosts export the
questions, votes and answers as CSV that no spreadsheet runs as a formula."""
from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from community.actions import live
from community.actions.live import export as live_export
from community.actions.posts import reply
from community.errors import Conflict, Forbidden, Invalid
from community.extensions import db
from community.models import Notification, Post, Thread
from community.models.moderation import ModerationAction, WatchedWord
from tests.live.conftest import iso_in
from tests.live.helpers import assert_names_nobody


@pytest.fixture
def ctx(app, world):
    with app.app_context():
        yield


def running(world, who="member", **kwargs):
    kwargs.setdefault("title", "Ask the brands: recruitment fees")
    kwargs.setdefault("starts_at", iso_in(-5))
    kwargs.setdefault("ends_at", iso_in(60))
    session = live.schedule(world.user(who), world.topic("grievance"), **kwargs)
    return live.start(world.user(who), session)


def posts_of(thread_id: int) -> list[Post]:
    return db.session.scalars(select(Post).where(Post.thread_id == thread_id).order_by(Post.id)).all()


# --- not reached, the archive and the follow-up -------------------------------------------------
def test_waiting_questions_end_up_in_the_archive_as_not_reached(ctx, world, emitted):
    session = running(world, approve_questions=True)
    answered = live.ask(world.user("supplier"), session, "Answered live")
    live.moderate_question(world.user("member"), session, answered, "approve")
    live.moderate_question(world.user("member"), session, answered, "answered", answer="Yes, done.")
    open_q = live.ask(world.user("supplier2"), session, "Approved, never answered")
    live.moderate_question(world.user("member"), session, open_q, "approve")
    waiting = live.ask(world.user("supplier"), session, "Still waiting at the end")
    assert waiting.state == "pending"
    emitted.clear()

    live.end(world.user("member"), session)
    assert waiting.state == "not_reached"
    (archive,) = posts_of(session.archive_thread_id)
    body = archive.body
    assert "## Not reached" in body and "Still waiting at the end" in body.split("## Not reached")[1]
    assert body.index("Answered live") < body.index("## Not reached")
    assert "Yes, done." in body
    # the follow-up: same topic, open, linked both ways
    follow_up = db.session.get(Thread, session.follow_up_thread_id)
    assert follow_up.topic_id == session.topic_id and follow_up.kind == "discussion" and not follow_up.locked
    assert f"/threads/{follow_up.id}" in body
    assert f"/threads/{session.archive_thread_id}" in posts_of(follow_up.id)[0].body
    # every question not answered live is carried there as its asker's post
    opening, *carried = posts_of(follow_up.id)
    assert opening.is_opening and opening.author_id == world.ids["member"]
    assert {p.body for p in carried} == {"Approved, never answered", "Still waiting at the end"}
    assert {p.author_id for p in carried} == {world.ids["supplier"], world.ids["supplier2"]}
    assert all(p.state == "visible" and not p.is_opening for p in carried)
    assert follow_up.reply_count == 2
    assert f"#post-{waiting.follow_up_post_id}" in body
    assert answered.follow_up_post_id is None
    # the session object says where to continue; both threads are announced after commit
    payload = live.session_payload(session)
    assert payload["follow_up_thread_id"] == follow_up.id and payload["archive_thread_id"] == archive.thread_id
    created = emitted.named("thread.created", "topic:grievance")
    assert {e.payload["thread"]["id"] for e in created} == {archive.thread_id, follow_up.id}
    assert all(e.committed for e in created)
    (state,) = emitted.named("live.state", f"live:{session.id}")
    assert state.payload["session"]["follow_up_thread_id"] == follow_up.id
    # open pages list the waiting question as not reached (data, before live.state)
    (listed,) = emitted.named("live.question", f"live:{session.id}")
    assert listed.payload["question"]["id"] == waiting.id and listed.payload["question"]["state"] == "not_reached"
    assert listed.payload["question"]["html"] and emitted.events.index(listed) < emitted.events.index(state)


def test_follow_up_thread_id_is_null_until_the_end(ctx, world):
    session = running(world)
    assert live.session_payload(session)["follow_up_thread_id"] is None
    live.end(world.user("member"), session)
    assert isinstance(live.session_payload(session)["follow_up_thread_id"], int)


def test_askers_are_told_where_their_question_went(ctx, world):
    session = running(world)
    live.ask(world.user("supplier"), session, "First of mine")
    live.ask(world.user("supplier"), session, "Second of mine")
    live.end(world.user("member"), session)
    notes = db.session.scalars(select(Notification).where(Notification.user_id == world.ids["supplier"],
                                                          Notification.kind == "live")).all()
    assert len(notes) == 1  # one per asker, not per question
    assert "follow-up" in notes[0].text and notes[0].url.startswith(f"/threads/{session.follow_up_thread_id}#post-")


def test_a_late_answer_in_the_follow_up_reaches_the_asker(ctx, world):
    session = running(world)
    question = live.ask(world.user("supplier"), session, "Who pays the recruitment fees?")
    live.end(world.user("member"), session)
    post = db.session.get(Post, question.follow_up_post_id)
    late = reply(world.user("member"), post.thread, "The employer pays them, always.", reply_to=post.id)
    assert late.state == "visible"
    notes = db.session.scalars(select(Notification).where(Notification.user_id == world.ids["supplier"],
                                                          Notification.post_id == late.id)).all()
    assert notes, "the asker hears of the late answer"
    # and the hosts' export carries it
    rows = list(csv.reader(io.StringIO(live_export.questions_csv(world.user("member"), session).lstrip("\ufeff"))))
    (row,) = [r for r in rows[1:] if r[7] == "Who pays the recruitment fees?"]
    assert "The employer pays them, always." in row[11]
    # The follow-up link is absolute (SITE_URL, as emails' links): a spreadsheet has no site.
    assert row[12] == f"http://roundtable.test/threads/{session.follow_up_thread_id}#post-{post.id}"


def test_an_anonymous_question_stays_anonymous_in_the_follow_up(ctx, world):
    session = running(world)
    question = live.ask(world.user("supplier"), session, "A sensitive one", anonymous=True)
    live.end(world.user("member"), session)
    post = db.session.get(Post, question.follow_up_post_id)
    assert post.anonymous and post.author_id == world.ids["supplier"]
    (archive,) = posts_of(session.archive_thread_id)
    assert_names_nobody(archive.body, world.user("supplier"))
    from community.payloads import post_payload

    assert "name" not in post_payload(post, None)["author"]


def test_hosts_may_approve_or_decline_waiting_questions_as_they_end(ctx, world, emitted):
    session = running(world, approve_questions=True)
    keep = live.ask(world.user("supplier"), session, "Approve me at the end")
    drop = live.ask(world.user("supplier2"), session, "Decline me at the end")
    leave = live.ask(world.user("supplier"), session, "Leave me waiting")
    live.end(world.user("member"), session, decisions={str(keep.id): "approve", drop.id: "decline"})
    assert (keep.state, drop.state, leave.state) == ("visible", "hidden", "not_reached")
    (archive,) = posts_of(session.archive_thread_id)
    questions, not_reached = archive.body.split("## Not reached")
    assert "Approve me at the end" in questions and "Leave me waiting" in not_reached
    assert "Decline me at the end" not in archive.body
    assert db.session.scalar(select(ModerationAction).where(ModerationAction.target_id == drop.id))


@pytest.mark.parametrize("decisions, error", [
    ({"1": "maybe"}, Invalid), (["approve"], Invalid), ({"999": "approve"}, None),
])
def test_end_decisions_are_checked_and_nothing_ends_on_a_bad_one(app, world, decisions, error):
    from community.errors import NotFound

    with app.app_context():
        session = running(world, approve_questions=True)
        live.ask(world.user("supplier"), session, "Waiting")
        with pytest.raises(error or NotFound):
            live.end(world.user("member"), session, decisions=decisions)
        db.session.rollback()
        assert db.session.get(type(session), session.id).state == "live"


def test_a_decision_on_a_question_not_waiting_is_refused(ctx, world):
    session = running(world)
    visible = live.ask(world.user("supplier"), session, "Already visible")
    with pytest.raises(Conflict):
        live.end(world.user("member"), session, decisions={visible.id: "approve"})


def test_questions_held_by_watched_words_wait_for_a_host_even_after_the_end(ctx, world, emitted):
    db.session.add(WatchedWord(topic_id=world.topic("grievance").id, word="bribe", action="hold",
                               created_by_id=world.ids["moderator"]))
    db.session.commit()
    session = running(world)
    held = live.ask(world.user("supplier"), session, "Is a bribe to the agent ever fine?")
    held2 = live.ask(world.user("supplier2"), session, "Another bribe question")
    assert held.state == "pending" and held.held_by_words
    live.end(world.user("member"), session)
    assert held.state == "pending"  # never published unread
    (archive,) = posts_of(session.archive_thread_id)
    assert "bribe" not in archive.body and "2 more questions are waiting for a host's review" in archive.body
    # after the end a host decides: approved, it goes to the follow-up; declined, hidden
    with pytest.raises(Forbidden):
        live.moderate_question(world.user("supplier2"), session, held, "approve")
    live.moderate_question(world.user("member"), session, held, "approve")
    assert held.state == "not_reached" and held.follow_up_post_id
    post = db.session.get(Post, held.follow_up_post_id)
    assert post.thread_id == session.follow_up_thread_id and post.body == held.body
    assert emitted.named("post.created", f"thread:{session.follow_up_thread_id}")
    (update,) = [e for e in emitted.named("live.question.updated", f"live:{session.id}")
                 if e.payload["question_id"] == held.id]
    assert update.payload["question"]["state"] == "not_reached" and "bribe" in update.payload["question"]["html"]
    live.moderate_question(world.user("member"), session, held2, "hide")
    assert held2.state == "hidden" and held2.follow_up_post_id is None
    # anything else after the end is refused, as before
    with pytest.raises(Conflict):
        live.moderate_question(world.user("member"), session, held, "answered", answer="late")


def test_not_reached_questions_are_listed_on_the_ended_session(ctx, world):
    from community.permissions import Guardian

    session = running(world, approve_questions=True)
    live.ask(world.user("supplier"), session, "Not reached")
    assert [q.body for q in live.visible_questions(session, Guardian(world.user("supplier2")))] == []
    live.end(world.user("member"), session)
    assert [q.body for q in live.visible_questions(session, Guardian(world.user("supplier2")))] == ["Not reached"]


# --- the CSV export -------------------------------------------------------------------------------
def rows_of(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_hosts_export_questions_votes_and_answers(ctx, world):
    session = running(world, hosts=[world.ids["member2"]])
    top = live.ask(world.user("supplier"), session, "Top question")
    live.ask(world.user("supplier2"), session, "Anonymous one", anonymous=True)
    for who in ("member2", "admin"):
        live.vote(world.user(who), session, top)
    live.moderate_question(world.user("member"), session, top, "answered", answer="The answer")
    rows = rows_of(live_export.questions_csv(world.user("member2"), session))
    header, first, second = rows
    assert header[:8] == ["Rank", "Question id", "Asked at (UTC)", "Asked by", "Organisation", "State", "Votes",
                          "Question"]
    assert first[:2] == ["1", str(top.id)] and first[2].endswith("Z")
    assert first[3:8] == ["Supplier", "Textiles Ltd", "answered", "2", "Top question"]
    assert first[8:10] == ["The answer", "Member"]
    assert second[3:5] == ["Anonymous supplier", ""]
    assert_names_nobody(" ".join(second), world.user("supplier2"))


def test_only_hosts_and_moderators_export(ctx, world):
    session = running(world)
    with pytest.raises(Forbidden):
        live_export.questions_csv(world.user("supplier"), session)
    assert live_export.questions_csv(world.user("moderator"), session)


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://evil\")", "+1+2", "-2+3", "@SUM(A1)", "\tTAB", "\r=1"])
def test_cells_never_start_a_formula(ctx, world, text):
    session = running(world)
    question = live.ask(world.user("supplier"), session, "x " + text)
    question.body = text  # as stored: the action strips, a spreadsheet would not care
    db.session.commit()
    (_header, row) = rows_of(live_export.questions_csv(world.user("member"), session))
    assert row[7] == "'" + text


def test_names_that_start_a_formula_are_quoted_too(ctx, world):
    supplier = world.user("supplier")
    supplier.name = "=cmd|' /C calc'!A0"
    db.session.commit()
    session = running(world)
    live.ask(supplier, session, "Hello")
    (_header, row) = rows_of(live_export.questions_csv(world.user("member"), session))
    assert row[3] == "'=cmd|' /C calc'!A0"


def test_safe_cell():
    assert live_export.safe_cell(-3) == -3 and live_export.safe_cell("-3") == "'-3"
    assert live_export.safe_cell(None) == "" and live_export.safe_cell("a=b") == "a=b"


# --- text typed while the session ends ----------------------------------------------------------
def test_a_question_or_message_after_the_end_says_where_to_continue(ctx, world):
    from community.errors import SessionEnded

    session = running(world)
    live.end(world.user("member"), session)
    for send in (lambda: live.ask(world.user("supplier"), session, "Typed while it ended"),
                 lambda: live.chat(world.user("supplier"), session, "Typed while it ended")):
        with pytest.raises(SessionEnded) as err:
            send()
        error = err.value.as_dict()["error"]
        assert error["code"] == "forbidden" and error["field"] == "body"
        assert error["follow_up_thread_id"] == session.follow_up_thread_id
        assert "kept" in error["message"] and "follow-up" in error["message"]


def test_the_socket_ack_and_the_form_keep_the_text(app, world, socket_for, login_as):
    from tests.live.conftest import iso_in

    with app.app_context():
        session = live.schedule(world.user("member"), world.topic("grievance"), title="Ending soon",
                                starts_at=iso_in(-5), ends_at=iso_in(60))
        live.start(world.user("member"), session)
        live.end(world.user("member"), session)
        session_id, follow_up = session.id, session.follow_up_thread_id
    ack = socket_for("supplier").emit("live.chat", {"session_id": session_id, "body": "half-typed"}, callback=True)
    assert ack["ok"] is False and ack["error"]["follow_up_thread_id"] == follow_up
    page = login_as("supplier").post(f"/live/{session_id}/chat", data={"body": "half-typed words"})
    assert page.status_code == 403 and "half-typed words" in page.get_data(as_text=True)


# --- the "Live session scheduled" notification and email: dated in each watcher's zone and language ---
def test_the_scheduled_notice_and_email_date_the_session_in_each_watchers_zone(ctx, world):
    from datetime import UTC, datetime

    from community.models.mail import OutboxEmail
    from community.models.watch import TopicWatch

    topic = world.topic("grievance")
    people = {"supplier": ("Asia/Tokyo", "en"), "supplier2": ("America/New_York", "es")}
    for who, (zone, locale) in people.items():
        user = world.user(who)
        user.timezone, user.locale = zone, locale
        db.session.add(TopicWatch(user_id=user.id, topic_id=topic.id, level="watching"))
    db.session.commit()
    # 4 Dec 2027, 23:30-00:30 UTC: Sunday 5 Dec in Tokyo, Saturday 4 Dec in New York.
    live.schedule(world.user("member"), topic, title="Fees across midnight",
                  starts_at=datetime(2027, 12, 4, 23, 30, tzinfo=UTC), ends_at=datetime(2027, 12, 5, 0, 30, tzinfo=UTC))
    notes = {n.user_id: n.text for n in db.session.scalars(select(Notification).where(Notification.kind == "live"))}
    tokyo, new_york = notes[world.ids["supplier"]], notes[world.ids["supplier2"]]
    assert "Sun, 5 Dec 2027, 08:30–09:30 (Asia/Tokyo)" in tokyo, tokyo
    assert "sáb, 4 dic 2027" in new_york and "18:30–19:30 (America/New_York)" in new_york, new_york
    # "live" notifications have no email of their own (mail.CATEGORY_OF_KIND); any email made
    # from the notification takes its text, the date included.
    assert db.session.scalar(select(func.count(OutboxEmail.id))) == 0


@pytest.mark.parametrize("zone, locale, starts, ends, expected", [
    # Paris springs forward at 01:00 UTC on 28 Mar 2027: an hour from 01:30 CET to 03:30 CEST.
    ("Europe/Paris", "en", (2027, 3, 28, 0, 30), (2027, 3, 28, 1, 30), "Sun, 28 Mar 2027, 01:30–03:30 (Europe/Paris)"),
    # ...and falls back at 01:00 UTC on 31 Oct 2027: from 02:30 CEST to 02:30 CET.
    ("Europe/Paris", "fr", (2027, 10, 31, 0, 30), (2027, 10, 31, 1, 30),
     "dim. 31 oct. 2027, 02:30–02:30 (Europe/Paris)"),
    # New York: 2 a.m. EST becomes 3 a.m. EDT on 14 Mar 2027 (07:00 UTC).
    ("America/New_York", "es", (2027, 3, 14, 6, 30), (2027, 3, 14, 7, 30),
     "dom, 14 mar 2027, 1:30–3:30 (America/New_York)"),
    # Sydney's clocks go back on 4 Apr 2027 (16:00 UTC the day before): the next day there, too.
    ("Australia/Sydney", "en", (2027, 4, 3, 15, 30), (2027, 4, 3, 16, 30),
     "Sun, 4 Apr 2027, 02:30–02:30 (Australia/Sydney)"),
])
def test_the_scheduled_notice_dates_the_session_across_daylight_saving_changes(
        app, world, login_as, zone, locale, starts, ends, expected):
    """Stored for the watcher (the toast, any email made from it), and worded again on their
    notifications page: both in their zone, on the right side of the change."""
    from datetime import UTC, datetime

    from community.models.watch import TopicWatch

    with app.app_context():
        topic = world.topic("grievance")
        user = world.user("supplier")
        user.timezone, user.locale = zone, locale
        db.session.add(TopicWatch(user_id=user.id, topic_id=topic.id, level="watching"))
        db.session.commit()
        live.schedule(world.user("member"), topic, title="Fees at the change of the clocks",
                      starts_at=datetime(*starts, tzinfo=UTC), ends_at=datetime(*ends, tzinfo=UTC))
        (note,) = db.session.scalars(select(Notification).where(Notification.user_id == world.ids["supplier"]))
        assert expected in note.text, note.text
    page = login_as("supplier").get("/notifications").get_data(as_text=True)
    assert expected in page, page
