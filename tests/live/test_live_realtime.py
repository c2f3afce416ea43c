"""Live sessions over Socket.IO: joining (snapshot, permissions, presence), live.ask,
live.vote (coalesced updates), live.chat, and what each room receives — anonymous askers
are never named in a room event."""
from __future__ import annotations

import pytest

from community import events
from tests.live.helpers import assert_names_nobody


def names_nobody(payloads, world, app, who="supplier"):
    from community.extensions import db

    with app.app_context():
        user = world.user(who)
        for payload in payloads:
            assert_names_nobody(str(payload), user)
        db.session.remove()


# --- joining -------------------------------------------------------------------------------
def test_join_answers_with_a_snapshot(make_session, live_socket, api, world):
    sid = make_session()
    api.post(f"/live/{sid}/questions", "supplier", json={"body": "Asked before you came"})
    api.post(f"/live/{sid}/chat", "supplier2", json={"body": "Chat before you came"})
    _, ack, _ = live_socket("member2", sid)
    assert ack["session"]["id"] == sid and ack["session"]["state"] == "live"
    assert ack["is_host"] is False
    assert [q["html"] for q in ack["questions"]] == ["<p>Asked before you came</p>"]
    assert ack["questions"][0]["voted"] is False
    assert [m["html"] for m in ack["chat"]] == ["<p>Chat before you came</p>"]
    _, host_ack, _ = live_socket("member", sid)
    assert host_ack["is_host"] is True


def test_join_is_refused_to_those_who_cannot_read_the_topic(make_session, socket_for):
    sid = make_session(topic="members-lounge")
    sock = socket_for("supplier")
    ack = sock.emit("join", {"room": f"live:{sid}"}, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "not_found"
    ack = sock.emit("join", {"room": "live:99999"}, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "not_found"
    ack = sock.emit("live.ask", {"session_id": sid, "body": "Let me in"}, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "not_found"


@pytest.mark.parametrize("who,ok", [("member", True), ("moderator", True), ("admin", True),
                                    ("member2", False), ("supplier", False)])
def test_only_hosts_and_moderators_join_the_hosts_room(make_session, socket_for, who, ok):
    sid = make_session()
    ack = socket_for(who).emit("join", {"room": f"livehosts:{sid}"}, callback=True)
    assert ack["ok"] is ok
    if not ok:
        assert ack["error"]["code"] == "forbidden"


def test_presence_counts_people_and_names_organisations_only(make_session, live_socket, world):
    sid = make_session(topic="announcements")  # questions cannot be anonymous there
    host, _, host_inbox = live_socket("member", sid)
    live_socket("supplier", sid)
    presence = host_inbox.named("presence")[-1]
    assert presence["room"] == f"live:{sid}" and presence["count"] == 2
    assert presence["users"] == [] and presence["anonymous_room"] is False
    assert presence["organisations"] == ["Brand Co", "Textiles Ltd"]
    live_socket("supplier2", sid)
    presence = host_inbox.named("presence")[-1]
    assert presence["count"] == 3 and presence["organisation_count"] == 3
    assert "Supplier" not in str(presence)


def test_state_changes_reach_the_room(make_session, live_socket, api, world):
    sid = make_session(start=False)
    _, ack, inbox = live_socket("supplier", sid)
    assert ack["session"]["state"] == "scheduled"
    assert api.post(f"/live/{sid}/start", "member").status_code == 200
    assert inbox.wait_for("live.state")["session"]["state"] == "live"
    inbox.clear()
    archive_id = api.post(f"/live/{sid}/end", "member").get_json()["session"]["archive_thread_id"]
    state = inbox.wait_for("live.state")
    assert state["session"]["state"] == "ended" and state["session"]["archive_thread_id"] == archive_id
    assert isinstance(state["cursor"], int)


# --- asking -----------------------------------------------------------------------------------
def test_ask_over_the_socket(make_session, live_socket, world):
    sid = make_session()
    asker, _, asker_inbox = live_socket("supplier", sid)
    _, _, other = live_socket("supplier2", sid)
    ack = asker.emit("live.ask", {"session_id": sid, "body": "How do we check fees?", "client_id": "k1"},
                     callback=True)
    assert ack["ok"] is True and ack["question"]["state"] == "visible"
    event = other.wait_for("live.question")
    assert event["question"]["id"] == ack["question"]["id"] and isinstance(event["cursor"], int)
    assert asker_inbox.wait_for("live.question")["question"]["id"] == ack["question"]["id"]
    # the same client_id again: the same question, no second event
    again = asker.emit("live.ask", {"session_id": sid, "body": "How do we check fees?", "client_id": "k1"},
                       callback=True)
    assert again["question"]["id"] == ack["question"]["id"]
    assert len(other.named("live.question")) == 1
    # a session id sent as text works too
    third = asker.emit("live.ask", {"session_id": str(sid), "body": "Another one"}, callback=True)
    assert third["ok"] is True


@pytest.mark.parametrize("data,code", [
    ({"body": ""}, "invalid"),
    ({"body": "x" * 2001}, "invalid"),
    ({"body": 12}, "invalid"),
    ({"body": "ok text", "anonymous": "sometimes"}, "invalid"),
    ({"body": "ok text", "session_id": True}, "not_found"),
    ({"body": "ok text", "session_id": "nope"}, "not_found"),
])
def test_bad_questions_get_clear_acks(make_session, live_socket, data, code):
    sid = make_session()
    sock, _, inbox = live_socket("supplier", sid)
    ack = sock.emit("live.ask", {"session_id": sid, **data}, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == code and ack["error"]["message"]
    assert not inbox.named("live.question")


def test_a_question_flood_is_refused_over_the_socket(make_session, live_socket, rate_limits):
    sid = make_session()
    sock, _, _ = live_socket("supplier", sid)
    for n in range(3):
        assert sock.emit("live.ask", {"session_id": sid, "body": f"Question {n}"}, callback=True)["ok"]
    ack = sock.emit("live.ask", {"session_id": sid, "body": "Fourth"}, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "rate_limited"
    assert "kept" in ack["error"]["message"]


def test_anonymous_questions_are_never_named_in_room_events_or_snapshots(make_session, live_socket, api,
                                                                         world, app):
    sid = make_session()
    host, _, host_inbox = live_socket("member", sid, hosts_room=True)
    asker, _, _ = live_socket("supplier", sid)
    _, _, other = live_socket("supplier2", sid)
    ack = asker.emit("live.ask", {"session_id": sid, "body": "Our agent takes fees", "anonymous": True},
                     callback=True)
    assert ack["ok"] and ack["question"]["author"]["anonymous"] is True
    qid = ack["question"]["id"]
    # the asker's own ack may say who they are; nothing that goes to the room does
    other.wait_for("live.question")
    assert other.sock.emit("live.vote", {"session_id": sid, "question_id": qid}, callback=True)["ok"]
    other.wait_for("live.question.updated", where=lambda p: p.get("change") == "votes")
    for action in ({"action": "answering"}, {"action": "answered", "answer": "Report it to us."}):
        api.post(f"/live/{sid}/questions/{qid}/moderation", "member", json=action)
    other.wait_for("live.question.updated", where=lambda p: p["question"]["state"] == "answered"
                   if "question" in p else False)
    received = other.drain()
    assert {e["name"] for e in received} >= {"live.question", "live.question.updated"}
    names_nobody([e["args"][0] for e in received], world, app)
    # the snapshot of a later joiner does not name them either, nor a moderator's (that takes a reveal)
    _, snap, _ = live_socket("member2", sid)
    names_nobody(snap["questions"], world, app)
    _, host_snap, _ = live_socket("moderator", sid)
    names_nobody(host_snap["questions"], world, app)


def test_approval_mode_pending_questions_reach_only_the_hosts(make_session, live_socket, api, world, app):
    sid = make_session(approve_questions=True)
    _, _, host_inbox = live_socket("member", sid, hosts_room=True)
    asker, _, asker_inbox = live_socket("supplier", sid)
    _, _, other = live_socket("supplier2", sid)
    ack = asker.emit("live.ask", {"session_id": sid, "body": "Please approve", "anonymous": True}, callback=True)
    assert ack["ok"] and ack["question"]["state"] == "pending"
    qid = ack["question"]["id"]
    pending = host_inbox.wait_for("live.question", where=lambda p: p["room"] == f"livehosts:{sid}")
    assert pending["question"]["id"] == qid
    assert pending["question"]["author"] == {"anonymous": True, "label": "Anonymous supplier"}
    assert other.wait_for("live.question", timeout=0.2) is None
    assert asker_inbox.named("live.question") == []
    # a participant joining now does not get it in the snapshot; the asker does
    _, late_snap, _ = live_socket("member2", sid)
    assert late_snap["questions"] == []
    _, own_snap, _ = live_socket("supplier", sid)
    assert [q["id"] for q in own_snap["questions"]] == [qid]
    # approve -> live.question to the room, still anonymous
    assert api.post(f"/live/{sid}/questions/{qid}/moderation", "member",
                    json={"action": "approve"}).status_code == 200
    approved = other.wait_for("live.question")
    assert approved["question"]["id"] == qid and approved["question"]["state"] == "visible"
    names_nobody([approved], world, app)


def test_a_rejected_pending_question_never_reaches_the_room(make_session, live_socket, api):
    sid = make_session(approve_questions=True)
    asker, _, _ = live_socket("supplier", sid)
    _, _, other = live_socket("supplier2", sid)
    qid = asker.emit("live.ask", {"session_id": sid, "body": "Secret supplier list attached"},
                     callback=True)["question"]["id"]
    api.post(f"/live/{sid}/questions/{qid}/moderation", "member", json={"action": "hide"})
    other.wait_for("live.question.updated", timeout=0.2)
    assert "Secret supplier list" not in str(other.drain())


# --- votes ------------------------------------------------------------------------------------
def test_votes_over_the_socket_are_idempotent_and_arrive_coalesced(make_session, live_socket):
    sid = make_session()
    asker, _, _ = live_socket("supplier", sid)
    voter, _, inbox = live_socket("supplier2", sid)
    qid = asker.emit("live.ask", {"session_id": sid, "body": "Vote for me"}, callback=True)["question"]["id"]
    inbox.clear()
    vote = {"session_id": sid, "question_id": qid}
    first = voter.emit("live.vote", vote, callback=True)
    second = voter.emit("live.vote", vote, callback=True)
    assert first == second == {"ok": True, "question_id": qid, "votes": 1, "voted": True}
    update = inbox.wait_for("live.question.updated", timeout=0.5)
    assert update == {"room": f"live:{sid}", "question_id": qid, "votes": 1, "change": "votes", "cursor": None}
    inbox.clear()
    back = voter.emit("live.vote", {**vote, "value": False}, callback=True)
    assert back == {"ok": True, "question_id": qid, "votes": 0, "voted": False}
    assert inbox.wait_for("live.question.updated", timeout=0.5)["votes"] == 0
    # "false" as text takes it back too, and the ack says so
    voter.emit("live.vote", vote, callback=True)
    assert voter.emit("live.vote", {**vote, "value": "false"}, callback=True)["voted"] is False


def test_many_votes_in_one_tick_go_out_as_one_update(make_session, live_socket, socket_for, monkeypatch):
    monkeypatch.setattr(events, "COALESCE_SECONDS", 0.4)
    sid = make_session()
    asker, _, _ = live_socket("supplier", sid)
    _, _, watcher = live_socket("member", sid)
    qid = asker.emit("live.ask", {"session_id": sid, "body": "Vote for me"}, callback=True)["question"]["id"]
    voters = [socket_for(name) for name in ("supplier2", "member2", "admin", "moderator")]
    watcher.clear()
    for sock in voters:
        assert sock.emit("live.vote", {"session_id": sid, "question_id": qid}, callback=True)["ok"]
    assert watcher.wait_for("live.question.updated", timeout=1.0, where=lambda p: p["votes"] == 4)
    updates = watcher.named("live.question.updated")
    assert len(updates) < len(voters), updates


def test_votes_on_unknown_or_pending_questions_are_refused(make_session, live_socket):
    sid = make_session(approve_questions=True)
    asker, _, _ = live_socket("supplier", sid)
    voter, _, _ = live_socket("supplier2", sid)
    qid = asker.emit("live.ask", {"session_id": sid, "body": "Pending"}, callback=True)["question"]["id"]
    ack = voter.emit("live.vote", {"session_id": sid, "question_id": qid}, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "invalid"
    ack = voter.emit("live.vote", {"session_id": sid, "question_id": 99999}, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "not_found"


# --- answering ------------------------------------------------------------------------------
def test_answering_now_and_answered_reach_the_room(make_session, live_socket, api):
    sid = make_session()
    asker, _, _ = live_socket("supplier", sid)
    _, _, room = live_socket("supplier2", sid)
    first = asker.emit("live.ask", {"session_id": sid, "body": "First"}, callback=True)["question"]["id"]
    second = asker.emit("live.ask", {"session_id": sid, "body": "Second"}, callback=True)["question"]["id"]
    def moderate(qid, **body):
        return api.post(f"/live/{sid}/questions/{qid}/moderation", "member", json=body)
    moderate(first, action="answering")
    room.clear()
    moderate(second, action="answering")
    room.wait_for("live.question.updated", where=lambda p: p["question_id"] == second)
    states = {p["question_id"]: p["question"]["state"] for p in room.named("live.question.updated")}
    assert states == {first: "visible", second: "answering"}
    moderate(second, action="answered", answer="Check the *payslips*.")
    done = room.wait_for("live.question.updated", where=lambda p: p["question"]["state"] == "answered")
    assert "<em>payslips</em>" in done["question"]["answer_html"]


# --- chat -----------------------------------------------------------------------------------
def test_chat_over_the_socket(make_session, live_socket, api):
    sid = make_session()
    sender, _, _ = live_socket("supplier", sid)
    _, _, room = live_socket("supplier2", sid)
    ack = sender.emit("live.chat", {"session_id": sid, "body": "Hello <b>all</b>"}, callback=True)
    assert ack["ok"] and ack["message"]["author"]["name"] == "Supplier"
    event = room.wait_for("live.chat")
    assert event["message"]["id"] == ack["message"]["id"] and "<b>" not in event["message"]["html"]
    # hide -> live.chat.hidden to the room, without the text
    assert api.post(f"/live/{sid}/chat/{ack['message']['id']}/hide", "member").status_code == 200
    hidden = room.wait_for("live.chat.hidden")
    assert hidden["message_id"] == ack["message"]["id"] and "Hello" not in str(hidden)
    _, snap, _ = live_socket("member2", sid)
    assert snap["chat"] == []


def test_chat_refusals_over_the_socket(make_session, live_socket, api, app, world):
    from community.extensions import db
    from community.models.live import LiveSession
    from community.models.moderation import WatchedWord

    sid = make_session()
    with app.app_context():
        db.session.get(LiveSession, sid).chat_slow_mode_seconds = 30
        db.session.add(WatchedWord(topic_id=world.topic("grievance").id, word="bribe", action="block"))
        db.session.commit()
        db.session.remove()
    sender, _, _ = live_socket("supplier", sid)
    _, _, room = live_socket("supplier2", sid)
    blocked = sender.emit("live.chat", {"session_id": sid, "body": "Pay the bribe"}, callback=True)
    assert blocked["ok"] is False and blocked["error"]["code"] == "invalid" and "bribe" in blocked["error"]["message"]
    assert sender.emit("live.chat", {"session_id": sid, "body": "First"}, callback=True)["ok"]
    slow = sender.emit("live.chat", {"session_id": sid, "body": "Second"}, callback=True)
    assert slow["ok"] is False and slow["error"]["code"] == "rate_limited"
    empty = sender.emit("live.chat", {"session_id": sid, "body": "   "}, callback=True)
    assert empty["ok"] is False and empty["error"]["code"] == "invalid"
    api.post(f"/live/{sid}/silence", "member", json={"user_id": world.ids["supplier2"], "reason": "Spam"})
    silenced = room.sock.emit("live.chat", {"session_id": sid, "body": "Me again"}, callback=True)
    assert silenced["ok"] is False and silenced["error"]["code"] == "forbidden"
    assert [e["message"]["html"] for e in room.named("live.chat")] == ["<p>First</p>"]


def test_the_silenced_participant_is_told(make_session, live_socket, api, world):
    sid = make_session()
    _, _, inbox = live_socket("supplier", sid)
    api.post(f"/live/{sid}/silence", "member", json={"user_id": world.ids["supplier"], "reason": "Spam"})
    note = inbox.wait_for("live.silenced")
    assert note["session_id"] == sid and note["reason"] == "Spam"


def test_reconnecting_with_since_replays_what_was_missed(make_session, live_socket, socket_for, api):
    sid = make_session()
    _, ack, _ = live_socket("supplier2", sid)
    cursor = ack["cursor"]
    api.post(f"/live/{sid}/questions", "supplier", json={"body": "While you were away"})
    api.post(f"/live/{sid}/chat", "supplier", json={"body": "Chat while away"})
    again = socket_for("supplier2").emit("join", {"room": f"live:{sid}", "since": cursor}, callback=True)
    assert [m["name"] for m in again["missed"]] == ["live.question", "live.chat"]
