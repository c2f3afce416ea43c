"""The cheaper live.chat path (the session loaded light, the socket's user and its token checked
in one statement, the payload built once) keeps every rule: who may read the topic, hosts and
moderators exempt from slow mode, silenced hosts still heard, the ack equal to the room event."""
from __future__ import annotations

from community.extensions import db
from community.models.live import LiveSession


def chat(sock, sid, body):
    return sock.emit("live.chat", {"session_id": sid, "body": body}, callback=True)


def test_a_topic_open_to_listed_organisations_decides_who_may_chat(make_session, socket_for, live_socket):
    sid = make_session(host="admin", topic="textiles-circle")
    listed, _, inbox = live_socket("supplier", sid)  # textiles: listed
    ack = chat(listed, sid, "From a listed organisation")
    assert ack["ok"], ack
    event = inbox.wait_for("live.chat")
    assert event["message"] == ack["message"]  # built once: the ack is the room's payload
    assert ack["message"]["author"]["organisation"] and ack["message"]["html"] == "<p>From a listed organisation</p>"
    for outsider in ("supplier2", "member", "moderator"):  # not listed, nor moderating this topic
        refused = chat(socket_for(outsider), sid, "Let me in")
        assert refused["ok"] is False and refused["error"]["code"] == "not_found", (outsider, refused)


def test_hosts_and_moderators_skip_slow_mode_participants_do_not(make_session, socket_for, app):
    sid = make_session(host="member")
    with app.app_context():
        db.session.get(LiveSession, sid).chat_slow_mode_seconds = 30
        db.session.commit()
        db.session.remove()
    for who in ("member", "moderator"):  # the host, the topic's moderator
        sock = socket_for(who)
        assert chat(sock, sid, "One")["ok"] and chat(sock, sid, "Two")["ok"], who
    participant = socket_for("supplier")
    assert chat(participant, sid, "One")["ok"]
    slow = chat(participant, sid, "Two")
    assert slow["ok"] is False and slow["error"]["code"] == "rate_limited"


def test_no_chat_before_the_start_nor_after_the_end(make_session, socket_for, api):
    waiting = make_session(start=False)
    early = chat(socket_for("supplier"), waiting, "Too early")
    assert early["ok"] is False and early["error"]["code"] == "invalid"
    sid = make_session()
    sock = socket_for("supplier")
    assert chat(sock, sid, "Just in time")["ok"]
    assert api.post(f"/live/{sid}/end", "member", json={}).status_code == 200
    late = chat(sock, sid, "Too late")
    assert late["ok"] is False and late["error"]["code"] == "forbidden" and late["error"]["follow_up_thread_id"], late


def test_a_revoked_token_or_ended_sign_in_is_refused_on_the_next_message(make_session, socket_for, app, world):
    from datetime import timedelta

    from community.actions.accounts import issue_token
    from community.extensions import socketio
    from community.models import utcnow
    from community.models.user import ApiToken, UserSession

    sid = make_session()
    with app.app_context():
        secret = issue_token(world.user("supplier"), "chat test")
    by_token = socketio.test_client(app, auth={"token": secret})
    by_cookie = socket_for("supplier2")
    for sock in (by_token, by_cookie):
        assert chat(sock, sid, "Before")["ok"]
    with app.app_context():  # behind the socket layer's back (no control message): the next event finds out
        db.session.execute(db.delete(ApiToken).where(ApiToken.user_id == world.ids["supplier"]))
        db.session.execute(db.update(UserSession).where(UserSession.user_id == world.ids["supplier2"])
                           .values(expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    for sock in (by_token, by_cookie):
        refused = chat(sock, sid, "After")
        assert refused["ok"] is False and refused["error"]["code"] == "unauthorized", refused
        assert not sock.is_connected()
