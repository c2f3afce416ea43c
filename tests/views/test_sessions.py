"""Sessions are server-side facts: a row per sign-in, ended by signing out (copied cookies,
remember-me cookies and sockets die with it), listed on "Your sessions" with per-session
sign-out and "Sign out everywhere", last seen written cheaply, idle and absolute expiry."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from community import events, realtime
from community.actions import sessions
from community.extensions import db, socketio
from community.models import User, UserSession, utcnow
from tests.conftest import PASSWORD
from tests.statements import statements

CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.0 Mobile/15E148 Safari/604.1")


def text(response) -> str:
    return response.get_data(as_text=True)


def sign_in(app, email: str = "member@example.com", *, remember: bool = False, agent: str = CHROME,
            address: str = "203.0.113.7"):
    client = app.test_client()
    client.environ_base.update({"HTTP_USER_AGENT": agent, "REMOTE_ADDR": address})
    data = {"email": email, "password": PASSWORD}
    if remember:
        data["remember"] = "on"
    response = client.post("/login", data=data)
    assert response.status_code == 302, text(response)[:300]
    return client


def copy_of(app, client, *names: str):
    """Another browser holding copies of `client`'s cookies (stolen, say)."""
    thief = app.test_client()
    for name in names or ("session", "remember_token"):
        cookie = client.get_cookie(name)
        if cookie is not None:
            thief.set_cookie(name, cookie.value)
    return thief


def rows(app, email: str = "member@example.com") -> list[UserSession]:
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == email))
        found = list(db.session.scalars(select(UserSession).where(UserSession.user_id == user_id)
                                        .order_by(UserSession.id)))
        db.session.expunge_all()
        return found


def signed_in(client) -> bool:
    return client.get("/notifications").status_code == 200


# --- a row per sign-in -------------------------------------------------------------------------
def test_each_sign_in_is_a_session_row_with_device_address_and_times(app, world):
    sign_in(app, agent=CHROME, address="203.0.113.7")
    sign_in(app, agent=IPHONE, address="198.51.100.4", remember=True)
    first, second = rows(app)
    assert first.device == "Chrome 131 on Windows" and first.ip_address == "203.0.113.7"
    assert "iPhone" in second.device and second.remember is True and first.remember is False
    assert first.secret_hash and len(first.secret_hash) == 64  # only a hash of the cookie's secret
    now = utcnow()
    assert abs((first.created_at - now).total_seconds()) < 60 and first.last_seen_at >= first.created_at
    # Remember-me lasts REMEMBER_DAYS (30 by default), and no session lasts longer.
    assert timedelta(days=29) < second.expires_at - now <= timedelta(days=30)


def test_the_cookie_names_the_session_not_the_user(app, world):
    client = sign_in(app)
    (row,) = rows(app)
    with client.session_transaction() as sess:
        assert sess["_user_id"].startswith(f"{row.id}.")
        assert str(world.ids["member"]) != sess["_user_id"]


# --- signing out kills every copy ------------------------------------------------------------------
def test_sign_out_kills_a_copied_cookie_on_pages_api_and_sockets(app, world):
    browser = sign_in(app)
    thief = copy_of(app, browser, "session")
    assert signed_in(thief) and thief.get("/api/v1/me").status_code == 200
    thief_socket = socketio.test_client(app, flask_test_client=thief)
    own_socket = socketio.test_client(app, flask_test_client=browser)
    other_user = socketio.test_client(app, flask_test_client=sign_in(app, "member2@example.com"))
    try:
        assert thief_socket.is_connected() and own_socket.is_connected()
        assert browser.post("/logout").status_code == 302
        assert rows(app) == []
        # The copy is dead at once: pages, the API with the cookie, sockets (open and new).
        assert not signed_in(thief)
        assert thief.get("/api/v1/me").status_code == 401
        assert not thief_socket.is_connected() and not own_socket.is_connected()
        assert not socketio.test_client(app, flask_test_client=thief).is_connected()
        assert other_user.is_connected()  # someone else's session is not touched
    finally:
        for sock in (thief_socket, own_socket, other_user):
            if sock.is_connected():
                sock.disconnect()


def test_remember_me_lasts_the_configured_time_and_dies_with_its_session(app, world):
    browser = sign_in(app, remember=True)
    cookie = browser.get_cookie("remember_token")
    assert cookie is not None
    assert timedelta(days=29) < cookie.expires - utcnow() <= timedelta(days=30, minutes=1)
    # The remember cookie alone (the browser was closed) signs in...
    closed_and_reopened = copy_of(app, browser, "remember_token")
    assert signed_in(closed_and_reopened)
    # ...until its session is signed out: then a copy of it is worth nothing.
    stolen = copy_of(app, browser, "remember_token")
    browser.post("/logout")
    assert not signed_in(stolen)
    assert not signed_in(copy_of(app, closed_and_reopened, "remember_token"))


def test_remember_days_is_a_setting(app, world):
    app.config["REMEMBER_DAYS"] = 7
    sign_in(app, remember=True)
    (row,) = rows(app)
    assert timedelta(days=6) < row.expires_at - utcnow() <= timedelta(days=7)


def test_an_idle_session_without_remember_me_ends_and_an_expired_one_always(app, world):
    quick = sign_in(app)
    kept = sign_in(app, remember=True)
    kept_copy = copy_of(app, kept, "session")
    long_ago = utcnow() - timedelta(hours=app.config["SESSION_IDLE_HOURS"] + 1)
    with app.app_context():
        for row in db.session.scalars(select(UserSession)):
            row.last_seen_at = long_ago
        db.session.commit()
    assert not signed_in(quick)  # idle too long
    assert signed_in(kept_copy)  # remembered: idleness is fine
    with app.app_context():
        for row in db.session.scalars(select(UserSession)):
            row.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert not signed_in(kept_copy)


# --- last seen, cheaply --------------------------------------------------------------------------


def test_last_seen_is_written_at_most_once_per_interval(app, world):
    client = sign_in(app, address="203.0.113.7")
    # the loader's conditional touch (not this test's own ORM update below)
    with statements(app, "UPDATE user_session", containing="ip_address") as updates:
        for _ in range(20):
            assert client.get("/notifications").status_code == 200
        assert updates == []  # seen a moment ago: no write per request
        with app.app_context():
            row = db.session.scalars(select(UserSession)).one()
            row.last_seen_at = utcnow() - timedelta(seconds=app.config["SESSION_TOUCH_SECONDS"] + 5)
            db.session.commit()
        for _ in range(5):
            client.get("/notifications")
        assert len(updates) == 1
    (row,) = rows(app)
    assert utcnow() - row.last_seen_at < timedelta(minutes=1)


# --- "Your sessions" ------------------------------------------------------------------------------
def test_the_sessions_page_lists_devices_and_signs_one_out(app, world):
    laptop = sign_in(app, agent=CHROME, address="203.0.113.7")
    phone = sign_in(app, agent=IPHONE, address="198.51.100.4")
    phone_socket = socketio.test_client(app, flask_test_client=phone)
    laptop_socket = socketio.test_client(app, flask_test_client=laptop)
    try:
        page = text(laptop.get("/settings/sessions"))
        assert "Chrome 131 on Windows" in page and "iPhone" in page
        assert "203.0.113.7" in page and "198.51.100.4" in page
        assert page.count("this device") == 1
        laptop_row, phone_row = rows(app)
        response = laptop.post(f"/settings/sessions/{phone_row.id}/end")
        assert response.status_code == 302 and response.headers["Location"] == "/settings/sessions"
        assert not signed_in(phone) and not phone_socket.is_connected()
        assert "session.ended" in [item["name"] for item in phone_socket.queue]
        assert signed_in(laptop) and laptop_socket.is_connected()
        assert [r.id for r in rows(app)] == [laptop_row.id]
    finally:
        for sock in (phone_socket, laptop_socket):
            if sock.is_connected():
                sock.disconnect()


def test_nobody_can_end_someone_elses_session(app, world):
    sign_in(app, "member2@example.com")
    (theirs,) = rows(app, "member2@example.com")
    mine = sign_in(app)
    assert mine.post(f"/settings/sessions/{theirs.id}/end").status_code == 404
    assert len(rows(app, "member2@example.com")) == 1


def test_sign_out_everywhere_and_everywhere_else(app, world):
    first, second, third = (sign_in(app) for _ in range(3))
    response = first.post("/settings/sessions/end-others")
    assert response.status_code == 302
    assert signed_in(first) and not signed_in(second) and not signed_in(third)
    assert len(rows(app)) == 1
    fourth = sign_in(app, remember=True)
    response = first.post("/settings/sessions/end-all")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert not signed_in(first) and not signed_in(fourth)
    assert not signed_in(copy_of(app, fourth, "remember_token"))
    assert rows(app) == []


def test_sessions_pages_need_sign_in_and_post(app, client, world):
    assert client.get("/settings/sessions").status_code == 302
    assert client.post("/settings/sessions/end-all").status_code == 302
    signed = sign_in(app)
    assert signed.get("/settings/sessions/end-all").status_code == 405


# --- sockets find out even without a control message ------------------------------------------------
def test_a_socket_of_an_ended_session_is_refused_on_its_next_event_and_swept(app, world, monkeypatch):
    monkeypatch.setattr(events, "_delivery", lambda control, ready: None)  # the control message is lost
    a, b = sign_in(app), sign_in(app)
    sock_a = socketio.test_client(app, flask_test_client=a)
    sock_b = socketio.test_client(app, flask_test_client=b)
    try:
        with app.app_context():
            sessions.sign_out_everywhere(db.session.get(User, world.ids["member"]))
        assert sock_a.is_connected() and sock_b.is_connected()  # nobody told them
        ack = sock_a.emit("join", {"room": f"user:{world.ids['member']}"}, callback=True)
        assert ack["ok"] is False and ack["error"]["code"] == "unauthorized"
        assert not sock_a.is_connected()
        with app.app_context():
            assert realtime.sweep_sockets() == 1  # the idle one goes at the next sweep
        assert not sock_b.is_connected()
    finally:
        for sock in (sock_a, sock_b):
            if sock.is_connected():
                sock.disconnect()


@pytest.mark.parametrize("path", ["/settings/sessions", "/settings/tokens", "/password"])
def test_account_pages_render(app, world, path):
    page = text(sign_in(app).get(path))
    assert re.search(r"<h1[^>]*>", page)


def test_expired_sessions_are_pruned_at_sign_in_and_by_the_cli(app, world):
    sign_in(app)
    sign_in(app, "member2@example.com")
    with app.app_context():
        for row in db.session.scalars(select(UserSession)):
            row.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    sign_in(app)  # member's expired row goes with the new sign-in; member2's waits for the CLI
    assert len(rows(app)) == 1 and len(rows(app, "member2@example.com")) == 1
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["prune-sessions"])
    assert result.exit_code == 0 and "Deleted 1 expired sessions." in result.output
    assert rows(app, "member2@example.com") == [] and len(rows(app)) == 1
