"""Live sessions through the actions: scheduling, permissions, the question queue, votes,
the chat, silencing, watchers' notifications and the archive thread."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from community.actions import live
from community.errors import Conflict, Forbidden, Invalid, NotFound, RateLimited
from community.extensions import db
from community.models import Notification, Post, Thread, utcnow
from community.models.live import LiveChatMessage, LiveQuestion, LiveSession, LiveVote
from community.models.moderation import WatchedWord
from community.models.watch import TopicWatch
from tests.live.conftest import iso_in
from tests.live.helpers import assert_names_nobody


@pytest.fixture(autouse=True)
def ctx(app, world):
    with app.app_context():
        yield


def schedule(world, who="member", topic="grievance", **kwargs) -> LiveSession:
    kwargs.setdefault("title", "Ask the brands: recruitment fees")
    kwargs.setdefault("starts_at", iso_in(-5))
    kwargs.setdefault("ends_at", iso_in(60))
    return live.schedule(world.user(who), world.topic(topic), **kwargs)


def running(world, who="member", **kwargs) -> LiveSession:
    session = schedule(world, who, **kwargs)
    return live.start(world.user(who), session)


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# --- scheduling ------------------------------------------------------------------------
def test_schedule_makes_a_session_with_the_actor_and_the_named_hosts(world, emitted):
    session = schedule(world, hosts=[world.ids["member2"]], approve_questions=True, description="Bring questions")
    assert session.state == "scheduled" and session.approve_questions
    assert session.host_ids == {world.ids["member"], world.ids["member2"]}
    payload = live.session_payload(session)
    assert payload["state"] == "scheduled" and payload["topic"] == "grievance"
    assert payload["starts_at"].endswith("Z") and payload["archive_thread_id"] is None
    states = emitted.named("live.state", "topic:grievance")
    assert states and all(e.committed for e in states)


@pytest.mark.parametrize("fields,field,words", [
    ({"starts_at": iso_in(60), "ends_at": iso_in(30)}, "ends_at", "end after it starts"),
    ({"starts_at": "2031-05-01T10:00:00Z", "ends_at": "2031-05-01T12:00:00+02:00"}, "ends_at",
     "end after it starts"),
    ({"starts_at": iso_in(-120), "ends_at": iso_in(-60)}, "ends_at", "past"),
    ({"starts_at": "next tuesday", "ends_at": iso_in(60)}, "starts_at", "date and time"),
    ({"starts_at": iso_in(10), "ends_at": "2026-13-45T99:00"}, "ends_at", "date and time"),
    ({"starts_at": "", "ends_at": iso_in(60)}, "starts_at", "required"),
    ({"starts_at": 12345, "ends_at": iso_in(60)}, "starts_at", "date and time"),
    ({"starts_at": iso_in(10), "ends_at": iso_in(60 * 13)}, "ends_at", "12 hours"),
    ({"title": ""}, "title", "at least"),
    ({"hosts": "member2"}, "hosts", "list of user ids"),
    ({"hosts": [True]}, "hosts", "list of user ids"),
])
def test_schedule_refuses_bad_input_clearly(world, fields, field, words):
    with pytest.raises(Invalid) as err:
        schedule(world, **fields)
    assert err.value.field == field
    assert words in err.value.message
    assert count(LiveSession) == 0


@pytest.mark.parametrize("host", ["supplier", "pending", "suspended"])
def test_hosts_must_be_active_members(world, host):
    with pytest.raises(Invalid) as err:
        schedule(world, hosts=[world.ids[host]])
    assert err.value.field == "hosts"
    assert count(LiveSession) == 0


def test_an_unknown_host_is_refused(world):
    with pytest.raises(Invalid):
        schedule(world, hosts=[987654])


def test_a_host_must_be_able_to_read_the_topic(world):
    # textiles-circle is open to Textiles Ltd only: a brand's staff could never host there
    with pytest.raises((Invalid, Forbidden)):
        schedule(world, "admin", topic="textiles-circle", hosts=[world.ids["member"]])


@pytest.mark.parametrize("who", ["supplier", "supplier2"])
def test_suppliers_cannot_schedule(world, who):
    with pytest.raises(Forbidden) as err:
        schedule(world, who)
    assert "members" in err.value.message


def test_admins_and_members_can_schedule(world):
    assert schedule(world, "admin").id
    assert schedule(world, "member2").id


def test_a_topic_without_live_sessions_refuses(world):
    world.topic("grievance").allow_live = False
    db.session.commit()
    with pytest.raises(Forbidden) as err:
        schedule(world)
    assert "does not host live sessions" in err.value.message


def test_a_topic_the_actor_cannot_read_is_refused(world):
    with pytest.raises((Forbidden, NotFound)):
        schedule(world, "supplier", topic="members-lounge")


# --- starting and ending ------------------------------------------------------------------
@pytest.mark.parametrize("who", ["member", "member2", "moderator", "admin"])
def test_hosts_topic_moderators_and_admins_can_start_and_end(world, who):
    session = schedule(world, hosts=[world.ids["member2"]])
    live.start(world.user(who), session)
    assert session.state == "live" and session.started_at is not None
    live.end(world.user(who), session)
    assert session.state == "ended" and session.archive_thread_id


@pytest.mark.parametrize("who", ["supplier", "supplier2", "member2"])
def test_others_get_a_clear_refusal_to_start_and_end(world, who):
    session = schedule(world)
    with pytest.raises(Forbidden) as err:
        live.start(world.user(who), session)
    assert "hosts" in err.value.message
    live.start(world.user("member"), session)
    with pytest.raises(Forbidden):
        live.end(world.user(who), session)
    assert session.state == "live"


def test_start_twice_and_end_twice_conflict(world):
    session = running(world)
    with pytest.raises(Conflict):
        live.start(world.user("member"), session)
    live.end(world.user("member"), session)
    with pytest.raises(Conflict):
        live.end(world.user("member"), session)
    with pytest.raises(Conflict):
        live.start(world.user("member"), session)


def test_start_and_end_announce_the_state_to_the_live_room_and_topic(world, emitted):
    session = schedule(world)
    emitted.clear()
    live.start(world.user("member"), session)
    for room in (f"live:{session.id}", "topic:grievance"):
        (event,) = emitted.named("live.state", room)
        assert event.payload["session"]["state"] == "live" and event.committed
    emitted.clear()
    live.end(world.user("member"), session)
    (event,) = emitted.named("live.state", f"live:{session.id}")
    assert event.payload["session"]["state"] == "ended"
    assert event.payload["session"]["archive_thread_id"] == session.archive_thread_id


# --- watchers --------------------------------------------------------------------------
def test_watchers_are_notified_on_schedule_and_start(world, emitted):
    topic = world.topic("grievance")
    for who in ("supplier", "supplier2", "member"):
        db.session.add(TopicWatch(user_id=world.ids[who], topic_id=topic.id, level="watching"))
    db.session.add(TopicWatch(user_id=world.ids["admin"], topic_id=topic.id, level="muted"))
    db.session.commit()
    session = schedule(world)
    notes = db.session.scalars(select(Notification).where(Notification.kind == "live")).all()
    # the scheduler (member) is not told about their own session; muted watchers hear nothing
    assert sorted(n.user_id for n in notes) == sorted([world.ids["supplier"], world.ids["supplier2"]])
    assert all(n.url == f"/live/{session.id}" and "scheduled" in n.text for n in notes)
    assert emitted.named("notification", f"user:{world.ids['supplier']}")
    live.start(world.user("member"), session)
    started = db.session.scalars(select(Notification).where(Notification.kind == "live",
                                                            Notification.text.contains("Live now"))).all()
    assert sorted(n.user_id for n in started) == sorted([world.ids["supplier"], world.ids["supplier2"]])


def test_watchers_who_cannot_read_the_topic_are_not_notified(world):
    topic = world.topic("members-lounge")
    db.session.add(TopicWatch(user_id=world.ids["supplier"], topic_id=topic.id, level="watching"))
    db.session.add(TopicWatch(user_id=world.ids["member2"], topic_id=topic.id, level="watching"))
    db.session.commit()
    schedule(world, topic="members-lounge")
    assert [n.user_id for n in db.session.scalars(select(Notification))] == [world.ids["member2"]]


# --- asking --------------------------------------------------------------------------
def test_ask_publishes_a_visible_question_to_the_room(world, emitted):
    session = running(world)
    question = live.ask(world.user("supplier"), session, "  How do we verify **fees**?  ")
    assert question.state == "visible" and question.body == "How do we verify **fees**?"
    assert "<strong>fees</strong>" in question.html
    (event,) = emitted.named("live.question", f"live:{session.id}")
    assert event.committed and event.payload["question"]["id"] == question.id
    assert not emitted.named("live.question", f"livehosts:{session.id}")


@pytest.mark.parametrize("body,words", [("", "empty"), ("   ", "empty"), (None, "empty"),
                                        ("x" * (live.QUESTION_MAX_CHARS + 1), "too long"),
                                        (["a list"], "must be text")])
def test_bad_questions_are_refused_clearly_and_nothing_is_stored(world, body, words):
    session = running(world)
    with pytest.raises(Invalid) as err:
        live.ask(world.user("supplier"), session, body)
    assert words in err.value.message and err.value.field == "body"
    assert count(LiveQuestion) == 0


def test_a_question_flood_is_rate_limited_with_the_text_kept(world, rate_limits):
    session = running(world)
    for n in range(3):
        live.ask(world.user("supplier"), session, f"Question number {n}")
    with pytest.raises(RateLimited) as err:
        live.ask(world.user("supplier"), session, "One more question")
    assert err.value.status == 429 and "kept" in err.value.message
    assert count(LiveQuestion) == 3
    # someone else is not slowed down by it
    live.ask(world.user("supplier2"), session, "My own question")


def test_client_id_makes_asking_idempotent_within_a_session(world):
    first, second = running(world), running(world)
    q1 = live.ask(world.user("supplier"), first, "Same question", client_id="abc")
    assert live.ask(world.user("supplier"), first, "Same question", client_id="abc").id == q1.id
    # the same client_id in another session is another question, not the first session's
    q2 = live.ask(world.user("supplier"), second, "Same question", client_id="abc")
    assert q2.id != q1.id and q2.session_id == second.id
    assert count(LiveQuestion) == 2


def test_anonymous_questions_need_a_topic_that_allows_them(world):
    session = running(world, topic="announcements")
    with pytest.raises(Forbidden):
        live.ask(world.user("supplier"), session, "Who checks this?", anonymous=True)
    assert count(LiveQuestion) == 0


def test_anonymous_questions_name_nobody_in_room_events(world, emitted):
    session = running(world)
    supplier = world.user("supplier")
    question = live.ask(supplier, session, "Our agent charges fees, what now?", anonymous=True)
    live.vote(world.user("supplier2"), session, question)
    live.moderate_question(world.user("member"), session, question, "answering")
    live.moderate_question(world.user("member"), session, question, "answered", answer="Report it.")
    room_events = emitted.to(f"live:{session.id}")
    assert room_events
    for event in room_events:
        assert_names_nobody(event.json(), supplier)
    payload = live.question_payload(question)
    assert payload["author"] == {"anonymous": True, "label": "Anonymous supplier"}


@pytest.mark.parametrize("viewer,named", [("supplier2", False), ("member2", False), (None, False),
                                          ("supplier", True), ("member", False), ("moderator", False),
                                          ("admin", False)])
def test_who_sees_behind_an_anonymous_question(world, viewer, named):
    """The asker only: moderators and administrators too need a logged reveal (below)."""
    from community.permissions import Guardian

    session = running(world)
    question = live.ask(world.user("supplier"), session, "A sensitive one", anonymous=True)
    guardian = Guardian(world.user(viewer)) if viewer else None
    author = live.question_payload(question, guardian)["author"]
    assert author["anonymous"] is True and author["label"] == "Anonymous supplier"
    assert ("name" in author) is named
    if not named:
        assert_names_nobody(str(live.question_payload(question, guardian)), world.user("supplier"))


def test_silenced_participants_cannot_ask_or_chat(world):
    session = running(world)
    live.silence(world.user("member"), session, world.user("supplier"), "Off topic")
    with pytest.raises(Forbidden) as err:
        live.ask(world.user("supplier"), session, "Still here")
    assert "silenced" in err.value.message
    with pytest.raises(Forbidden):
        live.chat(world.user("supplier"), session, "Hello?")
    assert count(LiveQuestion) == 0 and count(LiveChatMessage) == 0


def test_nobody_takes_part_in_an_ended_session(world):
    session = running(world)
    question = live.ask(world.user("supplier"), session, "Before the end")
    live.end(world.user("member"), session)
    with pytest.raises(Forbidden) as err:
        live.ask(world.user("supplier2"), session, "Too late")
    assert "ended" in err.value.message
    with pytest.raises(Forbidden):
        live.vote(world.user("supplier2"), session, question)


def test_participants_must_read_the_topic(world):
    session = running(world, topic="members-lounge")
    with pytest.raises((Forbidden, NotFound)):
        live.ask(world.user("supplier"), session, "Let me in")


# --- approval mode ----------------------------------------------------------------------
def test_with_approval_questions_wait_and_reach_only_the_hosts_room(world, emitted):
    session = running(world, approve_questions=True)
    emitted.clear()
    question = live.ask(world.user("supplier"), session, "Waiting question", anonymous=True)
    assert question.state == "pending"
    assert not emitted.to(f"live:{session.id}")
    (event,) = emitted.named("live.question", f"livehosts:{session.id}")
    # the hosts' room sees the question but, like everyone but the topic's moderators,
    # not who asked it anonymously (PRODUCT.md: Anonymous posting)
    assert event.payload["question"]["author"] == {"anonymous": True, "label": "Anonymous supplier"}
    emitted.clear()
    live.moderate_question(world.user("member"), session, question, "approve")
    assert question.state == "visible"
    (event,) = emitted.named("live.question", f"live:{session.id}")
    assert event.payload["question"]["id"] == question.id
    assert_names_nobody(event.json(), world.user("supplier"))


def test_pending_questions_are_seen_by_hosts_and_their_asker_only(world):
    from community.permissions import Guardian

    session = running(world, approve_questions=True)
    question = live.ask(world.user("supplier"), session, "Waiting question")

    def sees(who):
        return question.id in [q.id for q in live.visible_questions(session, Guardian(world.user(who)))]

    assert sees("supplier") and sees("member") and sees("moderator") and sees("admin")
    assert not sees("supplier2") and not sees("member2")


def test_hosts_questions_skip_approval(world):
    session = running(world, approve_questions=True)
    assert live.ask(world.user("member"), session, "Host question").state == "visible"


def test_rejecting_a_pending_question_never_shows_it_to_the_room(world, emitted):
    session = running(world, approve_questions=True)
    question = live.ask(world.user("supplier"), session, "Something confidential about Acme")
    emitted.clear()
    live.moderate_question(world.user("member"), session, question, "hide")
    assert question.state == "hidden"
    for event in emitted.to(f"live:{session.id}"):
        assert "confidential" not in event.json()
        assert_names_nobody(event.json(), world.user("supplier"))


def test_approve_needs_a_pending_question(world):
    session = running(world)
    question = live.ask(world.user("supplier"), session, "Visible already")
    with pytest.raises(Conflict):
        live.moderate_question(world.user("member"), session, question, "approve")


@pytest.mark.parametrize("who", ["supplier", "supplier2", "member2"])
@pytest.mark.parametrize("action", ["approve", "hide", "answering", "answered", "reopen"])
def test_only_hosts_and_moderators_moderate_questions(world, who, action):
    session = running(world, approve_questions=True)
    question = live.ask(world.user("supplier"), session, "Pending one")
    with pytest.raises(Forbidden):
        live.moderate_question(world.user(who), session, question, action, answer="An answer")
    assert question.state == "pending"


def test_an_unknown_action_is_invalid(world):
    session = running(world)
    question = live.ask(world.user("supplier"), session, "A question")
    with pytest.raises(Invalid):
        live.moderate_question(world.user("member"), session, question, "delete")


# --- votes ------------------------------------------------------------------------------
def test_votes_are_idempotent_and_can_be_taken_back(world):
    session = running(world)
    question = live.ask(world.user("supplier"), session, "Vote for me")
    voter = world.user("supplier2")
    assert live.vote(voter, session, question).votes == 1
    assert live.vote(voter, session, question).votes == 1
    assert count(LiveVote) == 1
    assert live.my_votes(session, voter) == {question.id}
    assert live.vote(world.user("member2"), session, question, True).votes == 2
    assert live.vote(voter, session, question, False).votes == 1
    assert live.vote(voter, session, question, False).votes == 1
    assert live.my_votes(session, voter) == set()
    assert count(LiveVote) == 1


def test_a_string_value_false_takes_the_vote_back(world):
    session = running(world)
    question = live.ask(world.user("supplier"), session, "Vote for me")
    live.vote(world.user("supplier2"), session, question, True)
    assert live.vote(world.user("supplier2"), session, question, "false").votes == 0


def test_votes_reorder_the_queue(world):
    from community.permissions import Guardian

    session = running(world)
    first = live.ask(world.user("supplier"), session, "First question")
    second = live.ask(world.user("supplier2"), session, "Second question")
    for who in ("member2", "admin"):
        live.vote(world.user(who), session, second)
    live.vote(world.user("member2"), session, first)
    guardian = Guardian(world.user("supplier"))
    assert [q.id for q in live.visible_questions(session, guardian, "votes")] == [second.id, first.id]
    assert [q.id for q in live.visible_questions(session, guardian, "newest")] == [second.id, first.id]
    live.vote(world.user("admin"), session, first)
    live.vote(world.user("member"), session, first)
    assert [q.id for q in live.visible_questions(session, guardian, "votes")] == [first.id, second.id]


def test_pending_and_hidden_questions_take_no_votes(world):
    session = running(world, approve_questions=True)
    question = live.ask(world.user("supplier"), session, "Pending one")
    with pytest.raises(Invalid):
        live.vote(world.user("supplier2"), session, question)
    assert count(LiveVote) == 0


def test_votes_go_out_coalesced_not_stored(world, monkeypatch):
    from community import events

    calls = []
    monkeypatch.setattr(events, "emit_coalesced", lambda *a, **kw: calls.append((a, kw)))
    session = running(world)
    question = live.ask(world.user("supplier"), session, "Vote for me")
    live.vote(world.user("supplier2"), session, question)
    ((room, key, name, payload),) = [c[0] for c in calls]
    assert room == f"live:{session.id}" and name == "live.question.updated"
    assert payload["question_id"] == question.id and payload["votes"] == 1
    from community.models import RoomEvent

    assert count(RoomEvent, RoomEvent.name == "live.question.updated") == 0


# --- answering ---------------------------------------------------------------------------
def test_only_one_question_is_answered_now_at_a_time(world, emitted):
    session = running(world)
    first = live.ask(world.user("supplier"), session, "First question")
    second = live.ask(world.user("supplier2"), session, "Second question")
    live.moderate_question(world.user("member"), session, first, "answering")
    assert first.state == "answering"
    emitted.clear()
    live.moderate_question(world.user("moderator"), session, second, "answering")
    db.session.refresh(first)
    assert (first.state, second.state) == ("visible", "answering")
    assert count(LiveQuestion, LiveQuestion.state == "answering") == 1
    updates = {(e.payload["question_id"], e.payload["question"]["state"])
               for e in emitted.named("live.question.updated", f"live:{session.id}")}
    assert updates == {(first.id, "visible"), (second.id, "answering")}


def test_answered_keeps_the_written_answer(world, emitted):
    session = running(world)
    question = live.ask(world.user("supplier"), session, "How?")
    live.moderate_question(world.user("member"), session, question, "answering")
    with pytest.raises(Invalid):
        live.moderate_question(world.user("member"), session, question, "answered", answer="  ")
    live.moderate_question(world.user("member"), session, question, "answered", answer="Like *this*.")
    assert question.state == "answered" and question.answer == "Like *this*."
    assert "<em>this</em>" in question.answer_html and question.answered_by_id == world.ids["member"]
    event = emitted.named("live.question.updated", f"live:{session.id}")[-1]
    assert event.payload["question"]["state"] == "answered"
    assert "<em>this</em>" in event.payload["question"]["answer_html"]


def test_hide_and_reopen(world, emitted):
    session = running(world)
    question = live.ask(world.user("supplier"), session, "Off topic")
    live.moderate_question(world.user("moderator"), session, question, "hide")
    assert question.state == "hidden"
    with pytest.raises(Conflict):
        live.moderate_question(world.user("moderator"), session, question, "hide")
    live.moderate_question(world.user("moderator"), session, question, "reopen")
    assert question.state == "visible"


def test_questions_cannot_be_moderated_after_the_end(world):
    session = running(world)
    question = live.ask(world.user("supplier"), session, "Late answer?")
    live.end(world.user("member"), session)
    with pytest.raises((Conflict, Forbidden, Invalid)):
        live.moderate_question(world.user("member"), session, question, "answered", answer="Too late")
    assert question.answer == ""


# --- chat -----------------------------------------------------------------------------
def test_chat_broadcasts_to_the_room(world, emitted):
    session = running(world)
    message = live.chat(world.user("supplier"), session, "Hello <script>alert(1)</script> all")
    assert "<script>" not in message.html
    (event,) = emitted.named("live.chat", f"live:{session.id}")
    assert event.committed and event.payload["message"]["id"] == message.id


def test_chat_waits_for_the_session_to_start(world):
    session = schedule(world)
    with pytest.raises(Invalid):
        live.chat(world.user("supplier"), session, "Too early")


@pytest.mark.parametrize("body", ["", "   ", "x" * (live.CHAT_MAX_CHARS + 1), 42])
def test_bad_chat_messages_are_refused(world, body):
    session = running(world)
    with pytest.raises(Invalid):
        live.chat(world.user("supplier"), session, body)
    assert count(LiveChatMessage) == 0


def test_chat_slow_mode(world):
    session = running(world)
    session.chat_slow_mode_seconds = 30
    db.session.commit()
    live.chat(world.user("supplier"), session, "First")
    with pytest.raises(RateLimited) as err:
        live.chat(world.user("supplier"), session, "Second")
    assert "Slow mode" in err.value.message and "kept" in err.value.message
    # the hosts are not slowed down; others have their own clock
    live.chat(world.user("member"), session, "Host one")
    live.chat(world.user("member"), session, "Host two")
    live.chat(world.user("supplier2"), session, "Other participant")
    # a message from a while ago does not count
    first = db.session.scalar(select(LiveChatMessage).where(LiveChatMessage.author_id == world.ids["supplier"]))
    first.created_at = utcnow() - timedelta(seconds=31)
    db.session.commit()
    live.chat(world.user("supplier"), session, "Second, later")


def test_topic_slow_mode_applies_to_the_chat(world):
    world.topic("grievance").slow_mode_seconds = 60
    db.session.commit()
    session = running(world)
    live.chat(world.user("supplier"), session, "First")
    with pytest.raises(RateLimited):
        live.chat(world.user("supplier"), session, "Second")


def test_chat_flood_is_rate_limited(world, rate_limits):
    session = running(world)
    limit = 5  # config.DEFAULT_RATE_LIMITS["chat"]: 5 in 10 seconds
    for n in range(limit):
        live.chat(world.user("supplier"), session, f"Message {n}")
    with pytest.raises(RateLimited):
        live.chat(world.user("supplier"), session, "One too many")
    assert count(LiveChatMessage) == limit


@pytest.mark.parametrize("action,raises", [("block", Invalid), ("hold", Forbidden)])
def test_watched_words_keep_messages_out_of_the_chat(world, action, raises):
    db.session.add(WatchedWord(topic_id=world.topic("grievance").id, word="bribe", action=action))
    db.session.commit()
    session = running(world)
    with pytest.raises(raises) as err:
        live.chat(world.user("supplier"), session, "Pay a Bribe to pass")
    assert err.value.message
    assert count(LiveChatMessage) == 0


def test_watched_words_replace_in_chat_and_hold_questions(world):
    db.session.add(WatchedWord(topic_id=None, word="darn", action="replace", replacement="***"))
    db.session.add(WatchedWord(topic_id=world.topic("grievance").id, word="bribe", action="hold"))
    db.session.commit()
    session = running(world)
    assert live.chat(world.user("supplier"), session, "darn it").body == "*** it"
    assert live.ask(world.user("supplier"), session, "What about a bribe?").state == "pending"


def test_hide_chat(world, emitted):
    session = running(world)
    message = live.chat(world.user("supplier"), session, "Rude words")
    emitted.clear()
    with pytest.raises(Forbidden):
        live.hide_chat(world.user("supplier2"), session, message.id)
    live.hide_chat(world.user("moderator"), session, message.id)
    assert message.hidden
    (event,) = emitted.named("live.chat.hidden", f"live:{session.id}")
    assert event.payload["message_id"] == message.id and "Rude" not in event.json()
    with pytest.raises(Conflict):
        live.hide_chat(world.user("member"), session, message.id)
    with pytest.raises(NotFound):
        live.hide_chat(world.user("member"), session, 99999)


def test_silence_rules(world):
    session = running(world, hosts=[world.ids["member2"]])
    with pytest.raises(Forbidden):
        live.silence(world.user("supplier2"), session, world.user("supplier"))
    for protected in ("member2", "moderator", "member"):
        with pytest.raises(Invalid):
            live.silence(world.user("member"), session, world.user(protected))
    live.silence(world.user("member2"), session, world.user("supplier"), "Spam")
    with pytest.raises(Conflict):
        live.silence(world.user("member"), session, world.user("supplier"))
    assert live.is_silenced(session, world.user("supplier"))
    # silenced in this session only
    other = running(world)
    live.chat(world.user("supplier"), other, "Fine here")


# --- the archive ---------------------------------------------------------------------------
def test_ending_makes_a_locked_archive_thread(world, emitted):
    session = running(world)
    live.ask(world.user("supplier"), session, "Low ranked question")
    top = live.ask(world.user("supplier2"), session, "Top ranked question", anonymous=True)
    hidden_q = live.ask(world.user("supplier"), session, "Hidden question")
    for who in ("member2", "admin"):
        live.vote(world.user(who), session, top)
    live.moderate_question(world.user("member"), session, top, "answered", answer="The **answer** to it.")
    live.moderate_question(world.user("member"), session, hidden_q, "hide")
    live.chat(world.user("supplier"), session, "Visible chat line")
    rude = live.chat(world.user("supplier2"), session, "Rude chat line")
    live.hide_chat(world.user("member"), session, rude.id)
    emitted.clear()

    live.end(world.user("member"), session)
    thread = db.session.get(Thread, session.archive_thread_id)
    assert thread.kind == "archive" and thread.locked and thread.topic_id == world.topic("grievance").id
    assert live.session_payload(session)["archive_thread_id"] == thread.id
    (opening,) = db.session.scalars(select(Post).where(Post.thread_id == thread.id)).all()
    body = opening.body
    assert body.index("Top ranked question") < body.index("Low ranked question")
    assert "The **answer** to it." in body and "<strong>answer</strong>" in opening.html
    assert "Anonymous supplier" in body
    assert_names_nobody(body.split("## Chat transcript")[0].split("Low ranked")[0], world.user("supplier2"))
    assert "Hidden question" not in body
    assert "Visible chat line" in body and "Rude chat line" not in body
    assert emitted.named("thread.created", "topic:grievance")


def test_the_archive_is_read_only(world):
    from community.actions.posts import reply

    session = running(world)
    live.end(world.user("member"), session)
    thread = db.session.get(Thread, session.archive_thread_id)
    with pytest.raises(Forbidden):
        reply(world.user("supplier"), thread, "Can I add something?")


def test_an_anonymous_askers_name_never_reaches_the_archive(world):
    session = running(world)
    question = live.ask(world.user("supplier"), session, "A sensitive one", anonymous=True)
    live.moderate_question(world.user("member"), session, question, "answered", answer="Sure.")
    live.end(world.user("member"), session)
    opening = db.session.scalar(select(Post).where(Post.thread_id == session.archive_thread_id))
    assert_names_nobody(opening.body, world.user("supplier"))
    assert_names_nobody(opening.html, world.user("supplier"))
    assert "Anonymous supplier" in opening.body


def test_upcoming_lists_scheduled_and_live_sessions_soonest_first(world):
    later = schedule(world, starts_at=iso_in(120), ends_at=iso_in(180))
    now = running(world)
    done = running(world)
    live.end(world.user("member"), done)
    assert [s.id for s in live.upcoming(world.topic("grievance"))] == [now.id, later.id]


def test_reopening_a_hidden_question_announces_it_again(world, emitted):
    session = running(world)
    question = live.ask(world.user("supplier"), session, "Hidden by mistake")
    live.moderate_question(world.user("moderator"), session, question, "hide")
    (hidden,) = emitted.named("live.question.updated", f"live:{session.id}")
    assert hidden.payload["question"] == {"id": question.id, "session_id": session.id, "state": "hidden"}
    emitted.clear()
    live.moderate_question(world.user("moderator"), session, question, "reopen")
    (event,) = emitted.named("live.question", f"live:{session.id}")
    assert event.payload["question"]["html"] == "<p>Hidden by mistake</p>"


def test_chat_cannot_be_hidden_after_the_end(world):
    session = running(world)
    message = live.chat(world.user("supplier"), session, "Said during the session")
    live.end(world.user("member"), session)
    with pytest.raises(Conflict) as err:
        live.hide_chat(world.user("member"), session, message.id)
    assert "archive" in err.value.message


def test_a_reveal_names_the_asker_to_the_revealing_moderator_only(world):
    from community.actions.moderation import reveal_author
    from community.errors import NotFound
    from community.permissions import Guardian

    session = running(world)
    question = live.ask(world.user("supplier"), session, "A sensitive one", anonymous=True)
    with pytest.raises(NotFound):  # a host who does not moderate the topic: "not there"
        reveal_author(world.user("member"), question, "I host this session")
    assert reveal_author(world.user("moderator"), question, "Named a worker in the question").id == \
        world.ids["supplier"]
    assert live.question_payload(question, Guardian(world.user("moderator")))["author"]["name"] == "Supplier"
    assert "name" not in live.question_payload(question, Guardian(world.user("admin")))["author"]
