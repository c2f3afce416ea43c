"""Passwords: a change ends the other sessions and sockets and (by default) revokes API tokens;
"Forgot your password?" answers the same for any email and sends a signed, single-use,
expiring link that ends every session; every path that sets a password checks its strength."""
from __future__ import annotations

import re

from sqlalchemy import select

from community.extensions import db, socketio
from community.models import ApiToken, OutboxEmail, User, UserSession
from tests.conftest import PASSWORD, login

NEW_PASSWORD = "a-brand-new-passphrase"
WEAK = "password1234"


def text(response) -> str:
    return response.get_data(as_text=True)


def emails_to(app, address: str) -> list[OutboxEmail]:
    with app.app_context():
        found = list(db.session.scalars(select(OutboxEmail).where(OutboxEmail.to_address == address)
                                        .order_by(OutboxEmail.id)))
        db.session.expunge_all()
        return found


def reset_link(app, address: str) -> str:
    body = emails_to(app, address)[-1].body_text
    match = re.search(r"http://roundtable\.test(/password/reset/\S+)", body)
    assert match, body
    return match.group(1)


def signed_in(client) -> bool:
    return client.get("/notifications").status_code == 200


# --- change -------------------------------------------------------------------------------------
def test_changing_the_password_ends_other_sessions_sockets_and_tokens(app, world, login_as, token_for):
    here, elsewhere = login_as("member"), login_as("member")
    headers = token_for("member")
    sock_here = socketio.test_client(app, flask_test_client=here)
    sock_elsewhere = socketio.test_client(app, flask_test_client=elsewhere)
    sock_token = socketio.test_client(app, auth={"token": headers["Authorization"][7:]})
    try:
        assert all(s.is_connected() for s in (sock_here, sock_elsewhere, sock_token))
        page = text(here.get("/password"))
        assert 'name="revoke_tokens" value="on" checked' in page  # revoking tokens is the default
        response = here.post("/password", data={"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD,
                                                "revoke_tokens": "on"})
        assert response.status_code == 302
        flashed = text(here.get("/password"))
        assert "1 other session was signed out." in flashed and "1 API token was revoked." in flashed
        assert signed_in(here) and sock_here.is_connected()  # this session stays
        assert not signed_in(elsewhere) and not sock_elsewhere.is_connected()
        assert here.get("/api/v1/me", headers=headers).status_code == 401
        assert not sock_token.is_connected()
    finally:
        for sock in (sock_here, sock_elsewhere, sock_token):
            if sock.is_connected():
                sock.disconnect()


def test_the_tokens_can_be_kept_when_changing_the_password(app, world, login_as, token_for):
    here = login_as("member")
    headers = token_for("member")
    response = here.post("/password", data={"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302  # the box unticked: tokens stay
    assert "Your API tokens still work." in text(here.get("/password"))
    assert here.get("/api/v1/me", headers=headers).status_code == 200


def test_a_weak_new_password_is_refused_with_a_clear_message(app, world, login_as):
    here = login_as("member")
    response = here.post("/password", data={"current": PASSWORD, "new": WEAK, "confirm": WEAK})
    assert response.status_code == 400
    assert "too easy to guess" in text(response) and "most common passwords" in text(response)
    # Built from the person's own name or email: refused too, saying so.
    response = here.post("/password", data={"current": PASSWORD, "new": "member@example.com1",
                                            "confirm": "member@example.com1"})
    assert response.status_code == 400
    assert "your name, your email or your organisation" in text(response)


def test_guessing_the_current_password_is_limited(app, world, login_as):
    app.config.update(RATELIMIT_ENABLED=True, RATE_LIMITS={**app.config["RATE_LIMITS"], "password_check": "3/minute"})
    from community import ratelimit

    with app.test_request_context():
        ratelimit.clear_all()
    here = login_as("member")
    for _ in range(3):
        assert here.post("/password", data={"current": "wrong-guess", "new": NEW_PASSWORD,
                                            "confirm": NEW_PASSWORD}).status_code == 400
    limited = here.post("/password", data={"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    with app.test_request_context():
        ratelimit.clear_all()


# --- forgot / reset --------------------------------------------------------------------------------
def test_forgot_password_answers_the_same_whether_or_not_the_email_exists(app, client, world):
    assert 'href="/password/forgot"' in text(client.get("/login"))
    known = client.post("/password/forgot", data={"email": "member@example.com"})
    unknown = client.post("/password/forgot", data={"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"] == "/password/forgot/sent"
    assert "If an account uses that address" in text(client.get("/password/forgot/sent"))
    assert len(emails_to(app, "member@example.com")) == 1
    assert emails_to(app, "nobody@example.com") == []
    email = emails_to(app, "member@example.com")[0]
    assert email.category == "account" and email.unsubscribe_url == ""
    assert "works once, for 60 minutes" in email.body_text


def test_the_reset_link_works_once_and_ends_every_session(app, client, world, login_as, token_for):
    other_device = login_as("member")
    headers = token_for("member")
    sock = socketio.test_client(app, flask_test_client=other_device)
    try:
        client.post("/password/forgot", data={"email": "member@example.com"})
        link = reset_link(app, "member@example.com")
        page = client.get(link)
        assert page.status_code == 200 and "member@example.com" in text(page)
        assert client.get(link).status_code == 200  # opening it (a mail scanner) changes nothing
        response = client.post(link, data={"new": NEW_PASSWORD, "confirm": NEW_PASSWORD, "revoke_tokens": "on"})
        assert response.status_code == 302 and response.headers["Location"] == "/login"
        assert not signed_in(other_device) and not sock.is_connected()
        assert other_device.get("/api/v1/me", headers=headers).status_code == 401
        with app.app_context():
            assert db.session.scalar(select(db.func.count(UserSession.id))) == 0
            assert db.session.scalar(select(db.func.count(ApiToken.id))) == 0
        # Single use: the same link again is refused, and the new password works.
        again = client.get(link)
        assert again.status_code == 404 and "already used" in text(again)
        assert client.post(link, data={"new": "yet-another-passphrase-9", "confirm": "yet-another-passphrase-9"}
                           ).status_code == 404
        assert login(app.test_client(), "member@example.com", NEW_PASSWORD).status_code == 302
    finally:
        if sock.is_connected():
            sock.disconnect()


def test_a_reset_link_expires_and_a_forged_one_is_refused(app, client, world):
    client.post("/password/forgot", data={"email": "member@example.com"})
    link = reset_link(app, "member@example.com")
    app.config["PASSWORD_RESET_MINUTES"] = 0
    import time

    time.sleep(1.1)
    expired = client.get(link)
    assert expired.status_code == 400 and "expired" in text(expired)
    app.config["PASSWORD_RESET_MINUTES"] = 60
    assert client.get(link[:-3] + "abc").status_code == 404
    assert client.get("/password/reset/not-a-token").status_code == 404


def test_a_reset_link_dies_when_the_password_changes_another_way(app, client, world, login_as):
    client.post("/password/forgot", data={"email": "member@example.com"})
    link = reset_link(app, "member@example.com")
    login_as("member").post("/password", data={"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert client.get(link).status_code == 404


def test_the_reset_form_checks_strength_and_keeps_the_link(app, client, world):
    client.post("/password/forgot", data={"email": "member@example.com"})
    link = reset_link(app, "member@example.com")
    weak = client.post(link, data={"new": WEAK, "confirm": WEAK})
    assert weak.status_code == 400 and "too easy to guess" in text(weak)
    mismatch = client.post(link, data={"new": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"})
    assert mismatch.status_code == 400 and "do not match" in text(mismatch)
    assert client.post(link, data={"new": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302


def test_no_reset_email_for_suspended_or_rejected_accounts(app, client, world):
    client.post("/password/forgot", data={"email": "suspended@example.com"})
    assert emails_to(app, "suspended@example.com") == []


# --- strength on every path ------------------------------------------------------------------------
def test_strength_is_checked_on_invitations_and_the_cli(app, client, world, login_as):
    admin = login_as("admin")
    response = admin.post("/admin/invitations", data={"email": "ivy@example.com", "name": "Ivy Invitee",
                                                      "role": "supplier", "organisation": "Textiles Ltd"})
    token = re.search(r"/invite/([^\"]+)\"", text(response)).group(1)
    weak = client.post(f"/invite/{token}", data={"name": "Ivy Invitee", "password": WEAK, "confirm": WEAK})
    assert weak.status_code == 400 and "too easy to guess" in text(weak) and 'value="Ivy Invitee"' in text(weak)

    runner = app.test_cli_runner()
    with app.app_context():
        result = runner.invoke(args=["users", "create", "--email", "weak@example.com", "--name", "Wes Weak",
                                     "--password", WEAK, "--role", "member", "--org", "Brand Co"])
    assert result.exit_code != 0 and "too easy to guess" in result.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "weak@example.com")) is None
