"""Connecting: by session cookie or API token; everyone else is refused; suspension cuts off at once."""
from __future__ import annotations

from community.actions.accounts import set_suspended
from community.extensions import db, socketio
from community.models import Organisation
from tests.realtime.support import drain, joined


def test_anonymous_connection_is_refused(app, world):
    sock = socketio.test_client(app)
    assert not sock.is_connected()
    http = app.test_client()  # a browser that never signed in, cookies and all
    assert not socketio.test_client(app, flask_test_client=http).is_connected()


def test_session_cookie_connects_and_joins_the_personal_room(app, world, socket_for, act):
    sock = socket_for("supplier")
    assert sock.is_connected()
    ack = sock.emit("join", {"room": f"user:{world.ids['supplier']}"}, callback=True)
    assert ack["ok"] is True
    ack = sock.emit("join", {"room": f"user:{world.ids['supplier2']}"}, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "forbidden"


def test_token_auth(app, world, token_socket):
    sock = token_socket("member")
    assert sock.is_connected()
    joined(sock, "topic:members-lounge")
    assert not token_socket(secret="rt_not-a-real-token").is_connected()
    assert not token_socket(secret="").is_connected()
    assert not socketio.test_client(app, auth={"token": 12345}).is_connected()
    assert not socketio.test_client(app, auth="just a string").is_connected()


def test_pending_suspended_and_removed_organisations_are_refused(app, world, token_socket):
    assert not token_socket("pending").is_connected()
    assert not token_socket("suspended").is_connected()
    with app.app_context():
        secret_holder = world.user("supplier2")
        from community.actions.accounts import issue_token
        secret = issue_token(secret_holder, "x")
        db.session.scalar(db.select(Organisation).where(Organisation.name == "Rubber Works")).removed = True
        db.session.commit()
    assert not token_socket(secret=secret).is_connected()


def test_an_ended_session_is_refused(app, world, login_as):
    http = login_as("supplier")
    with app.app_context():
        from community.actions.sessions import sign_out_everywhere
        sign_out_everywhere(world.user("supplier"))
    assert not socketio.test_client(app, flask_test_client=http).is_connected()


def test_suspension_disconnects_at_once(app, world, login_as, token_socket, make_thread, act):
    thread_id = make_thread("member")
    http = login_as("supplier")
    victim = socketio.test_client(app, flask_test_client=http)
    by_token = token_socket("supplier")
    bystander = token_socket("member")
    joined(victim, f"thread:{thread_id}")
    assert victim.is_connected() and by_token.is_connected()
    act(lambda: set_suspended(world.user("admin"), world.user("supplier"), True, reason="test"))
    assert not victim.is_connected() and not by_token.is_connected()
    assert "session.ended" in [item["name"] for item in victim.queue]
    assert bystander.is_connected()
    # neither the old session cookie nor the token lets them back in
    assert not socketio.test_client(app, flask_test_client=http).is_connected()
    with app.app_context():
        from community.actions.accounts import issue_token
        secret = issue_token(world.user("supplier"), "after")
    assert not token_socket(secret=secret).is_connected()


def test_a_socket_whose_user_lost_access_is_cut_on_its_next_event(app, world, token_socket, make_thread):
    """Suspended elsewhere (e.g. by another worker): the next event is refused and the socket closed."""
    thread_id = make_thread("member")
    sock = token_socket("supplier2")
    with app.app_context():
        world.user("supplier2").state = "suspended"
        db.session.commit()
    ack = sock.emit("join", {"room": f"thread:{thread_id}"}, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "unauthorized"
    assert not sock.is_connected()


def test_disconnect_is_clean(app, world, socket_for, make_thread):
    thread_id = make_thread("member")
    a, b = socket_for("supplier"), socket_for("member")
    joined(a, f"thread:{thread_id}")
    joined(b, f"thread:{thread_id}")
    drain(b)
    a.disconnect()
    presence = [p for name, p in drain(b) if name == "presence"]
    assert presence and presence[-1]["count"] == 1
