"""The live-session JSON API: the CONTRACT.md endpoints and the added ones, their status
codes, error shapes, permissions and anonymity."""
from __future__ import annotations

import pytest

from community.extensions import db
from community.models.live import LiveChatMessage, LiveQuestion, LiveSession
from tests.api.helpers import assert_error
from tests.live.conftest import iso_in
from tests.live.helpers import assert_names_nobody


def schedule_body(**fields) -> dict:
    return {"title": "Ask the brands: audits", "description": "Bring your *questions*",
            "starts_at": iso_in(-1), "ends_at": iso_in(90), **fields}


def create(api, who="member", topic="grievance", **fields) -> dict:
    response = api.post(f"/topics/{topic}/live", who, json=schedule_body(**fields))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["session"]


def started(api, who="member", **fields) -> dict:
    session = create(api, who, **fields)
    response = api.post(f"/live/{session['id']}/start", who)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["session"]


def ask(api, session_id, who="supplier", **fields) -> dict:
    fields.setdefault("body", "How do we check recruitment fees?")
    response = api.post(f"/live/{session_id}/questions", who, json=fields)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["question"]


def count(in_app, model) -> int:
    from sqlalchemy import func, select

    return in_app(lambda: db.session.scalar(select(func.count()).select_from(model)))


# --- authentication ----------------------------------------------------------------------
@pytest.mark.parametrize("method,path", [
    ("GET", "/live"), ("GET", "/live/1"), ("GET", "/topics/grievance/live"),
    ("POST", "/topics/grievance/live"), ("POST", "/live/1/start"), ("POST", "/live/1/end"),
    ("POST", "/live/1/questions"), ("POST", "/live/1/questions/1/vote"), ("DELETE", "/live/1/questions/1/vote"),
    ("POST", "/live/1/questions/1/moderation"), ("POST", "/live/1/chat"), ("POST", "/live/1/chat/1/hide"),
    ("POST", "/live/1/silence"),
])
def test_every_live_endpoint_needs_a_caller(api, world, method, path):
    assert_error(api.call(method, path, json={"body": "hello"}), 401, "unauthorized")


def test_cookie_callers_need_the_csrf_token(app, world, login_as):
    from config import TestingConfig

    browser = login_as("member")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = browser.post("/api/v1/topics/grievance/live", json=schedule_body())
        assert response.status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = TestingConfig.WTF_CSRF_ENABLED


# --- scheduling -----------------------------------------------------------------------------
def test_schedule_answers_201_with_the_session(api, world):
    session = create(api, hosts=[world.ids["member2"]], approve_questions=True)
    assert session["state"] == "scheduled" and session["approve_questions"] is True
    assert session["topic"] == "grievance" and session["title"] == "Ask the brands: audits"
    assert {h["id"] for h in session["hosts"]} == {world.ids["member"], world.ids["member2"]}
    assert session["is_host"] is True and session["archive_thread_id"] is None
    assert session["starts_at"].endswith("Z")


@pytest.mark.parametrize("fields,field", [
    ({"ends_at": iso_in(-30), "starts_at": iso_in(-60)}, "ends_at"),
    ({"starts_at": iso_in(60), "ends_at": iso_in(30)}, "ends_at"),
    ({"starts_at": "tomorrow"}, "starts_at"),
    ({"ends_at": None}, "ends_at"),
    ({"hosts": ["member2"]}, "hosts"),
    ({"approve_questions": "perhaps"}, "approve_questions"),
    ({"title": 5}, "title"),
])
def test_schedule_refuses_bad_input_with_400(api, world, in_app, fields, field):
    error = assert_error(api.post("/topics/grievance/live", "member", json=schedule_body(**fields)),
                         400, "invalid")
    assert error["field"] == field
    assert count(in_app, LiveSession) == 0


def test_schedule_refuses_non_member_hosts(api, world, in_app):
    error = assert_error(api.post("/topics/grievance/live", "member",
                                  json=schedule_body(hosts=[world.ids["supplier"]])), 400, "invalid")
    assert "hosts are members" in error["message"]


@pytest.mark.parametrize("body", [None, "[]", "not json"])
def test_schedule_needs_a_json_object(api, world, body):
    assert_error(api.post("/topics/grievance/live", "member", data=body,
                          headers={"Content-Type": "application/json"}), 400, "invalid")


def test_a_supplier_cannot_schedule(api, world, in_app):
    error = assert_error(api.post("/topics/grievance/live", "supplier", json=schedule_body()), 403, "forbidden")
    assert "members" in error["message"]
    assert count(in_app, LiveSession) == 0


def test_a_topic_without_live_sessions_is_403(api, world, in_app):
    def close():
        world.topic("grievance").allow_live = False
        db.session.commit()

    in_app(close)
    error = assert_error(api.post("/topics/grievance/live", "member", json=schedule_body()), 403, "forbidden")
    assert "live sessions" in error["message"]


def test_a_topic_the_caller_cannot_read_is_404(api, world):
    assert_error(api.post("/topics/members-lounge/live", "supplier", json=schedule_body()), 404, "not_found")
    assert_error(api.post("/topics/no-such-topic/live", "member", json=schedule_body()), 404, "not_found")


# --- listing and reading --------------------------------------------------------------------
def test_lists_show_upcoming_and_live_sessions_the_caller_may_read(api, world):
    later = create(api, starts_at=iso_in(120), ends_at=iso_in(180))
    now = started(api)
    done = started(api)
    assert api.post(f"/live/{done['id']}/end", "member").status_code == 200
    private = create(api, topic="members-lounge")

    topic_list = api.get("/topics/grievance/live", "supplier").get_json()
    assert [s["id"] for s in topic_list["sessions"]] == [now["id"], later["id"]]
    assert [s["state"] for s in topic_list["sessions"]] == ["live", "scheduled"]
    everything = api.get("/live", "supplier").get_json()
    assert private["id"] not in [s["id"] for s in everything["sessions"]]
    assert private["id"] in [s["id"] for s in api.get("/live", "member2").get_json()["sessions"]]
    assert_error(api.get("/topics/members-lounge/live", "supplier"), 404, "not_found")


def test_a_session_in_a_topic_the_caller_cannot_read_does_not_exist(api, world):
    private = started(api, topic="members-lounge")
    sid = private["id"]
    for method, path in [("GET", f"/live/{sid}"), ("POST", f"/live/{sid}/questions"), ("POST", f"/live/{sid}/chat"),
                         ("POST", f"/live/{sid}/start"), ("POST", f"/live/{sid}/end")]:
        assert_error(api.call(method, path, "supplier", json={"body": "Let me in"}), 404, "not_found")
    assert_error(api.get("/live/99999", "supplier"), 404, "not_found")
    assert_error(api.get("/live/99999999999999", "supplier"), 404, "not_found")


def test_read_a_session_with_questions_votes_and_chat(api, world):
    session = started(api)
    sid = session["id"]
    first = ask(api, sid, "supplier", body="First question")
    second = ask(api, sid, "supplier2", body="Second question")
    assert api.post(f"/live/{sid}/questions/{second['id']}/vote", "member2").status_code == 200
    assert api.post(f"/live/{sid}/chat", "supplier", json={"body": "Hello all"}).status_code == 201

    data = api.get(f"/live/{sid}", "member2").get_json()
    assert set(data) == {"session", "questions", "chat"}
    assert data["session"]["state"] == "live" and data["session"]["is_host"] is False
    assert [(q["id"], q["votes"], q["voted"]) for q in data["questions"]] == [
        (second["id"], 1, True), (first["id"], 0, False)]
    newest = api.get(f"/live/{sid}?order=newest", "supplier").get_json()["questions"]
    assert [q["id"] for q in newest] == [second["id"], first["id"]]
    assert all(q["voted"] is False for q in newest)
    assert [m["html"] for m in data["chat"]] == ["<p>Hello all</p>"]
    error = assert_error(api.get(f"/live/{sid}?order=loudest", "supplier"), 400, "invalid")
    assert error["field"] == "order"


# --- starting and ending -----------------------------------------------------------------------
@pytest.mark.parametrize("who", ["member", "member2", "moderator", "admin"])
def test_hosts_moderators_and_admins_start_and_end(api, world, who):
    session = create(api, hosts=[world.ids["member2"]])
    response = api.post(f"/live/{session['id']}/start", who)
    assert response.status_code == 200 and response.get_json()["session"]["state"] == "live"
    response = api.post(f"/live/{session['id']}/end", who)
    assert response.status_code == 200
    ended = response.get_json()["session"]
    assert ended["state"] == "ended" and isinstance(ended["archive_thread_id"], int)


@pytest.mark.parametrize("who", ["supplier", "supplier2", "member2"])
def test_others_get_a_clear_403_on_start_and_end(api, world, who):
    session = create(api)
    for action in ("start", "end"):
        error = assert_error(api.post(f"/live/{session['id']}/{action}", who), 403, "forbidden")
        assert "hosts" in error["message"]


def test_start_twice_is_a_conflict(api, world):
    session = started(api)
    assert_error(api.post(f"/live/{session['id']}/start", "member"), 409, "conflict")


def test_the_archive_thread_is_readable_through_the_threads_api(api, world):
    session = started(api)
    sid = session["id"]
    question = ask(api, sid, "supplier", body="Anonymous one", anonymous=True)
    api.post(f"/live/{sid}/questions/{question['id']}/moderation", "member",
             json={"action": "answered", "answer": "Here is the answer."})
    archive_id = api.post(f"/live/{sid}/end", "member").get_json()["session"]["archive_thread_id"]
    assert api.get(f"/live/{sid}", "supplier2").get_json()["session"]["archive_thread_id"] == archive_id
    data = api.get(f"/threads/{archive_id}", "supplier2").get_json()
    assert data["thread"]["kind"] == "archive" and data["thread"]["locked"] is True
    (opening,) = data["posts"]
    assert "Here is the answer." in opening["html"] and "Anonymous supplier" in opening["html"]
    assert_names_nobody(opening["html"], _user(api, world, "supplier"))
    response = api.post(f"/threads/{archive_id}/posts", "supplier2", json={"body": "Adding to it"})
    assert response.status_code in (403, 423)


def _user(api, world, name):
    with api.client.application.app_context():
        user = world.user(name)
        db.session.expunge(user)
        return user


# --- questions ----------------------------------------------------------------------------
def test_ask_answers_201_and_client_id_is_idempotent(api, world, in_app):
    sid = started(api)["id"]
    first = api.post(f"/live/{sid}/questions", "supplier", json={"body": "Once only", "client_id": "c-1"})
    again = api.post(f"/live/{sid}/questions", "supplier", json={"body": "Once only", "client_id": "c-1"})
    assert first.status_code == again.status_code == 201
    assert first.get_json()["question"]["id"] == again.get_json()["question"]["id"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert first.get_json()["question"]["state"] == "visible"
    assert count(in_app, LiveQuestion) == 1


@pytest.mark.parametrize("body,status,code", [
    ({"body": ""}, 400, "invalid"),
    ({"body": "   "}, 400, "invalid"),
    ({"body": "x" * 2001}, 400, "invalid"),
    ({}, 400, "invalid"),
    ({"body": "Fine text", "anonymous": "maybe"}, 400, "invalid"),
    ({"body": "Fine text", "client_id": "x" * 65}, 400, "invalid"),
])
def test_bad_questions_get_clear_errors_and_nothing_is_stored(api, world, in_app, body, status, code):
    sid = started(api)["id"]
    error = assert_error(api.post(f"/live/{sid}/questions", "supplier", json=body), status, code)
    assert error["message"]
    assert count(in_app, LiveQuestion) == 0


def test_a_question_flood_is_429_and_stores_nothing_more(api, world, in_app, rate_limits):
    sid = started(api)["id"]
    for n in range(3):
        ask(api, sid, body=f"Question {n}")
    error = assert_error(api.post(f"/live/{sid}/questions", "supplier", json={"body": "One more"}),
                         429, "rate_limited")
    assert "kept" in error["message"]
    assert count(in_app, LiveQuestion) == 3


def test_anonymous_questions_through_the_api(api, world):
    sid = started(api)["id"]
    mine = ask(api, sid, "supplier", body="Sensitive question", anonymous=True)
    assert mine["author"]["anonymous"] is True and mine["author"]["id"] == world.ids["supplier"]
    supplier = _user(api, world, "supplier")
    # the host ("member") is not a moderator of the topic: hosts do not see who asked
    for viewer in ("supplier2", "member2", "member"):
        (seen,) = api.get(f"/live/{sid}", viewer).get_json()["questions"]
        assert seen["author"] == {"anonymous": True, "label": "Anonymous supplier"}
        assert_names_nobody(str(seen), supplier)
    for viewer in ("moderator", "admin"):  # a logged reveal first
        (seen,) = api.get(f"/live/{sid}", viewer).get_json()["questions"]
        assert seen["author"] == {"anonymous": True, "label": "Anonymous supplier"}
    response = api.post(f"/live/{sid}/questions/{mine['id']}/moderation", "member", json={"action": "answering"})
    assert response.get_json()["question"]["author"] == {"anonymous": True, "label": "Anonymous supplier"}
    # Revealing: the topic's moderators and administrators; "not there" for everyone else (hosts too).
    for viewer in ("member", "supplier2", "member2"):
        assert_error(api.post(f"/live/{sid}/questions/{mine['id']}/reveal", viewer, json={"reason": "please tell"}),
                     404, "not_found")
    assert_error(api.post(f"/live/{sid}/questions/{mine['id']}/reveal", "moderator", json={"reason": ""}),
                 400, "invalid")
    revealed = api.post(f"/live/{sid}/questions/{mine['id']}/reveal", "moderator", json={"reason": "Named a worker"})
    assert revealed.status_code == 200
    assert revealed.get_json()["author"]["id"] == world.ids["supplier"]
    assert revealed.get_json()["question_id"] == mine["id"]
    response = api.post(f"/live/{sid}/questions/{mine['id']}/moderation", "moderator", json={"action": "answered",
                                                                                          "answer": "Noted."})
    assert response.get_json()["question"]["author"]["name"] == "Supplier"
    (seen,) = api.get(f"/live/{sid}", "admin").get_json()["questions"]
    assert seen["author"] == {"anonymous": True, "label": "Anonymous supplier"}  # the admin did not reveal


def test_anonymous_questions_need_a_topic_that_allows_them(api, world):
    sid = started(api, topic="announcements")["id"]
    assert_error(api.post(f"/live/{sid}/questions", "supplier", json={"body": "Hidden me", "anonymous": True}),
                 403, "forbidden")


def test_approval_mode_through_the_api(api, world):
    sid = started(api, approve_questions=True)["id"]
    pending = ask(api, sid, "supplier", body="Please approve me")
    assert pending["state"] == "pending"
    assert [q["id"] for q in api.get(f"/live/{sid}", "supplier").get_json()["questions"]] == [pending["id"]]
    assert api.get(f"/live/{sid}", "supplier2").get_json()["questions"] == []
    assert [q["state"] for q in api.get(f"/live/{sid}", "member").get_json()["questions"]] == ["pending"]
    # others cannot vote on it, or even find it
    assert_error(api.post(f"/live/{sid}/questions/{pending['id']}/vote", "supplier2"), 404, "not_found")
    assert_error(api.post(f"/live/{sid}/questions/{pending['id']}/moderation", "supplier2",
                          json={"action": "approve"}), 404, "not_found")
    approved = api.post(f"/live/{sid}/questions/{pending['id']}/moderation", "moderator",
                        json={"action": "approve"})
    assert approved.status_code == 200 and approved.get_json()["question"]["state"] == "visible"
    assert [q["id"] for q in api.get(f"/live/{sid}", "supplier2").get_json()["questions"]] == [pending["id"]]


def test_votes_are_idempotent_and_can_be_taken_back(api, world):
    sid = started(api)["id"]
    qid = ask(api, sid)["id"]
    path = f"/live/{sid}/questions/{qid}/vote"
    for _ in range(2):
        response = api.post(path, "supplier2")
        assert response.status_code == 200
        assert response.get_json() == {"question_id": qid, "votes": 1, "voted": True}
    assert api.post(path, "member2").get_json()["votes"] == 2
    for _ in range(2):
        assert api.delete(path, "supplier2").get_json() == {"question_id": qid, "votes": 1, "voted": False}
    (seen,) = api.get(f"/live/{sid}", "supplier2").get_json()["questions"]
    assert seen["votes"] == 1 and seen["voted"] is False
    assert_error(api.post(f"/live/{sid}/questions/99999/vote", "supplier2"), 404, "not_found")


def test_a_question_of_another_session_is_404(api, world):
    one, two = started(api)["id"], started(api)["id"]
    qid = ask(api, one)["id"]
    assert_error(api.post(f"/live/{two}/questions/{qid}/vote", "supplier2"), 404, "not_found")


def test_answering_and_answered(api, world):
    sid = started(api)["id"]
    first, second = ask(api, sid, "supplier")["id"], ask(api, sid, "supplier2")["id"]
    def moderate(qid, who="member", **body):
        return api.post(f"/live/{sid}/questions/{qid}/moderation", who, json=body)
    assert moderate(first, action="answering").get_json()["question"]["state"] == "answering"
    assert moderate(second, action="answering").get_json()["question"]["state"] == "answering"
    states = {q["id"]: q["state"] for q in api.get(f"/live/{sid}", "supplier").get_json()["questions"]}
    assert states == {first: "visible", second: "answering"}
    error = assert_error(moderate(second, action="answered"), 400, "invalid")
    assert error["field"] == "answer"
    done = moderate(second, action="answered", answer="Ask for the **receipts**.").get_json()["question"]
    assert done["state"] == "answered" and "<strong>receipts</strong>" in done["answer_html"]
    assert_error(moderate(first, action="shout"), 400, "invalid")
    error = assert_error(moderate(first, who="supplier2", action="hide"), 403, "forbidden")
    assert "hosts" in error["message"]


# --- chat ------------------------------------------------------------------------------------
def test_chat_hide_and_silence(api, world, in_app):
    sid = started(api)["id"]
    response = api.post(f"/live/{sid}/chat", "supplier", json={"body": "Hello **all**"})
    assert response.status_code == 201
    message = response.get_json()["message"]
    assert message["html"] == "<p>Hello <strong>all</strong></p>" and message["hidden"] is False
    assert_error(api.post(f"/live/{sid}/chat", "supplier", json={"body": ""}), 400, "invalid")
    assert_error(api.post(f"/live/{sid}/chat/{message['id']}/hide", "supplier2"), 403, "forbidden")
    hidden = api.post(f"/live/{sid}/chat/{message['id']}/hide", "moderator")
    assert hidden.status_code == 200 and hidden.get_json()["message"]["hidden"] is True
    assert api.get(f"/live/{sid}", "supplier2").get_json()["chat"] == []
    assert_error(api.post(f"/live/{sid}/chat/99999/hide", "member"), 404, "not_found")

    assert_error(api.post(f"/live/{sid}/silence", "supplier2", json={"user_id": world.ids["supplier"]}),
                 403, "forbidden")
    assert_error(api.post(f"/live/{sid}/silence", "member", json={"user_id": "supplier"}), 400, "invalid")
    assert_error(api.post(f"/live/{sid}/silence", "member", json={"user_id": world.ids["member"]}), 400, "invalid")
    response = api.post(f"/live/{sid}/silence", "member", json={"user_id": world.ids["supplier"], "reason": "Spam"})
    assert response.status_code == 200
    assert response.get_json()["silenced"]["user_id"] == world.ids["supplier"]
    error = assert_error(api.post(f"/live/{sid}/chat", "supplier", json={"body": "Still me"}), 403, "forbidden")
    assert "silenced" in error["message"]
    assert_error(api.post(f"/live/{sid}/questions", "supplier", json={"body": "Still me"}), 403, "forbidden")
    assert api.get(f"/live/{sid}", "supplier").get_json()["session"]["can_take_part"] is False
    assert count(in_app, LiveChatMessage) == 1


def test_chat_slow_mode_and_flood_are_429(api, world, in_app):
    sid = started(api)["id"]

    def slow():
        db.session.get(LiveSession, sid).chat_slow_mode_seconds = 20
        db.session.commit()

    in_app(slow)
    assert api.post(f"/live/{sid}/chat", "supplier", json={"body": "One"}).status_code == 201
    error = assert_error(api.post(f"/live/{sid}/chat", "supplier", json={"body": "Two"}), 429, "rate_limited")
    assert "Slow mode" in error["message"]


def test_chat_with_a_blocked_word_is_refused(api, world, in_app):
    from community.models.moderation import WatchedWord

    sid = started(api)["id"]

    def watch():
        db.session.add(WatchedWord(topic_id=world.topic("grievance").id, word="kickback", action="block"))
        db.session.commit()

    in_app(watch)
    error = assert_error(api.post(f"/live/{sid}/chat", "supplier", json={"body": "A kickback?"}), 400, "invalid")
    assert "kickback" in error["message"]
    assert count(in_app, LiveChatMessage) == 0


def test_chat_before_the_start_is_refused(api, world):
    sid = create(api)["id"]
    assert_error(api.post(f"/live/{sid}/chat", "supplier", json={"body": "Early"}), 400, "invalid")
