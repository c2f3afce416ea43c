"""Account pages: sign in (messages, remember me, rate limit, ?next), registration,
approval, invitations, password change and sign out."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from community import create_app
from community.extensions import db, socketio
from community.models import Invitation, Organisation, User, utcnow
from config import TestingConfig
from tests.conftest import PASSWORD, login

NEW_PASSWORD = "a-brand-new-passphrase"


def text(response) -> str:
    """The page, with the <bdi> isolation of names dropped (tests read the words through it)."""
    return response.get_data(as_text=True).replace("<bdi>", "").replace("</bdi>", "")


# --- sign in -----------------------------------------------------------------------------------
def test_login_page_renders(client, world):
    response = client.get("/login")
    assert response.status_code == 200
    page = text(response)
    assert 'name="email"' in page and 'name="password"' in page and 'name="remember"' in page
    assert 'name="csrf_token"' in page
    assert '<label class="form-label" for="f-email">' in page


def test_first_sign_in_welcomes_a_newcomer_then_welcome_back(app, client, world):
    response = login(client, "member@example.com")
    assert response.status_code == 302
    assert response.headers["Location"] == "/welcome"
    welcome = text(client.get("/welcome"))
    assert "Welcome to Roundtable, Member." in welcome and "Welcome back" not in welcome
    # It points at the topics this person may read, with their rules.
    assert "Grievance mechanisms" in welcome and "Members lounge" in welcome
    assert "Textiles circle" not in welcome  # another organisation's hub
    client.post("/logout")
    response = login(client, "member@example.com")
    assert response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "Welcome back, Member." in text(home)


def test_the_welcome_page_shows_topic_rules(app, client, world):
    with app.app_context():
        world.topic("grievance").rules = "Be kind; no names of workers."
        db.session.commit()
    login(client, "supplier@example.com")
    page = text(client.get("/welcome"))
    assert "Rules of this topic" in page and "Be kind; no names of workers." in page


def test_login_is_case_insensitive_on_email(client, world):
    assert login(client, "  Member@Example.COM ").status_code == 302


def test_wrong_password_keeps_email_and_explains(client, world):
    response = login(client, "member@example.com", "not-the-password")
    assert response.status_code == 400
    page = text(response)
    assert "That email and password do not match an account." in page
    assert 'value="member@example.com"' in page
    assert "not-the-password" not in page


def test_unknown_email_gives_the_same_message(client, world):
    response = login(client, "nobody@example.com")
    assert response.status_code == 400
    assert "That email and password do not match an account." in text(response)


def test_pending_user_is_told_to_wait_for_approval(client, world):
    response = login(client, "pending@example.com")
    assert response.status_code == 403
    assert "awaiting approval" in text(response)
    assert 'value="pending@example.com"' in text(response)
    # not signed in
    assert client.get("/notifications").status_code == 302


def test_suspended_user_is_told_so(client, world):
    response = login(client, "suspended@example.com")
    assert response.status_code == 403
    assert "Your account is suspended" in text(response)
    assert 'value="suspended@example.com"' in text(response)


def test_empty_form_is_refused_clearly(client, world):
    response = client.post("/login", data={})
    assert response.status_code == 400
    assert "Enter your email and password." in text(response)


def test_remember_me_sets_the_remember_cookie(client, world):
    response = client.post("/login", data={"email": "member@example.com", "password": PASSWORD,
                                           "remember": "on"})
    assert response.status_code == 302
    assert client.get_cookie("remember_token") is not None


def test_without_remember_me_there_is_no_remember_cookie(client, world):
    assert login(client, "member@example.com").status_code == 302
    assert client.get_cookie("remember_token") is None


def test_next_is_followed_for_local_paths(client, world):
    response = client.post("/login?next=/notifications", data={"email": "member@example.com",
                                                               "password": PASSWORD})
    assert response.headers["Location"] == "/notifications"


def test_next_from_login_required_round_trip(client, world):
    response = client.get("/notifications")
    assert response.status_code == 302
    login_url = response.headers["Location"]
    assert login_url.startswith("/login?next=")
    page = text(client.get(login_url))
    assert 'name="next" value="/notifications"' in page
    response = client.post("/login", data={"email": "member@example.com", "password": PASSWORD,
                                           "next": "/notifications"})
    assert response.headers["Location"] == "/notifications"


def test_open_redirects_are_refused(client, world):
    login(client.application.test_client(), "member@example.com")  # no longer a newcomer
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "http:/evil.example",
                   "javascript:alert(1)", "/%0d%0aSet-Cookie:x=1".replace("%0d%0a", "\r\n"),
                   "/%2F%2Fevil.example", "/%5Cevil.example", "/%252F%252Fevil.example", "https:evil.example",
                   "/\t/evil.example", " //evil.example", "/%09/evil.example"):
        c = client.application.test_client()
        response = c.post("/login", data={"email": "member@example.com", "password": PASSWORD,
                                          "next": target})
        assert response.status_code == 302, target
        assert response.headers["Location"] == "/", target
    page = text(client.get("/login?next=https://evil.example/"))
    assert "evil.example" not in page


def test_signed_in_user_visiting_login_goes_home(login_as):
    c = login_as("member")
    response = c.get("/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_with_csrf_protection_on(tmp_path):
    class CsrfConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = "sqlite:///" + str(tmp_path / "csrf.db")
        WTF_CSRF_ENABLED = True

    app = create_app(CsrfConfig)
    try:
        with app.app_context():
            db.create_all()
            org = Organisation(name="Brand Co", kind="member", country="NL")
            user = User(email="member@example.com", name="Member", handle="member", role="member",
                        state="active", organisation=org)
            user.set_password(PASSWORD)
            db.session.add(user)
            db.session.commit()
        c = app.test_client()
        page = text(c.get("/login"))
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        refused = c.post("/login", data={"email": "member@example.com", "password": PASSWORD})
        assert refused.status_code == 400
        assert "This form expired" in text(refused) and 'value="member@example.com"' in text(refused)
        response = c.post("/login", data={"email": "member@example.com", "password": PASSWORD,
                                          "csrf_token": token})
        assert response.status_code == 302
        # Every form on the signed-in pages carries the token.
        for path in ("/password", "/logout", "/notifications"):
            body = text(c.get(path))
            assert body.count('method="post"') <= body.count('name="csrf_token"'), path
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


# --- sign out -------------------------------------------------------------------------------------
def test_logout_get_asks_and_post_signs_out(login_as):
    c = login_as("member")
    confirm = c.get("/logout")
    assert confirm.status_code == 200
    assert 'method="post"' in text(confirm) and "Sign out" in text(confirm)
    assert c.get("/notifications").status_code == 200  # GET did not sign out
    response = c.post("/logout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert "You have signed out." in text(c.get("/login"))
    assert c.get("/notifications").status_code == 302


def test_logout_cuts_the_users_live_sockets(app, login_as):
    http = login_as("member")
    sock = socketio.test_client(app, flask_test_client=http)
    other_device = socketio.test_client(app, flask_test_client=login_as("member2"))
    try:
        assert sock.is_connected()
        http.post("/logout")
        assert not sock.is_connected()
        assert other_device.is_connected()  # someone else's sockets stay
    finally:
        for s in (sock, other_device):
            if s.is_connected():
                s.disconnect()


def test_logout_when_signed_out_goes_to_login(client, world):
    response = client.post("/logout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"


# --- registration ---------------------------------------------------------------------------------
REGISTRATION = {"name": "Ana Pérez", "email": "ana@newsupplier.example", "password": "long-enough-pass",
                "confirm": "long-enough-pass", "organisation": "New Supplier SA", "org_kind": "supplier",
                "country": "MX"}


def test_registration_creates_a_pending_user_and_organisation(app, client, world):
    assert client.get("/register").status_code == 200
    response = client.post("/register", data=REGISTRATION)
    assert response.status_code == 302
    thanks = client.get(response.headers["Location"])
    assert "Thanks — an administrator will approve your account" in text(thanks)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "ana@newsupplier.example"))
        assert user.state == "pending" and user.role == "supplier"
        assert user.organisation.name == "New Supplier SA"
        assert user.organisation.kind == "supplier" and user.organisation.country == "MX"
    # Not signed in, and cannot sign in yet.
    assert client.get("/notifications").status_code == 302
    response = login(client, "ana@newsupplier.example", "long-enough-pass")
    assert response.status_code == 403 and "awaiting approval" in text(response)


def test_registration_errors_keep_what_was_typed_but_not_passwords(app, client, world):
    response = client.post("/register", data={**REGISTRATION, "confirm": "something-different"})
    assert response.status_code == 400
    page = text(response)
    assert "The two passwords do not match." in page
    for value in ("Ana Pérez", "ana@newsupplier.example", "New Supplier SA", "MX"):
        assert value in page
    assert '<option value="supplier" selected>' in page
    assert "long-enough-pass" not in page and "something-different" not in page

    response = client.post("/register", data={**REGISTRATION, "password": "short", "confirm": "short"})
    assert response.status_code == 400
    assert "at least 10 characters" in text(response)

    response = client.post("/register", data={**REGISTRATION, "password": "password1234", "confirm": "password1234"})
    assert response.status_code == 400
    assert "too easy to guess" in text(response) and "Ana Pérez" in text(response)

    with app.app_context():
        # The refused registrations left nothing behind, not even the organisation.
        assert db.session.scalar(select(Organisation).where(Organisation.name == "New Supplier SA")) is None


def test_admin_approval_lets_the_user_sign_in(app, client, world, login_as):
    client.post("/register", data=REGISTRATION)
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == REGISTRATION["email"]))
    admin = login_as("admin")
    assert "ana@newsupplier.example" in text(admin.get("/admin"))
    response = admin.post(f"/admin/users/{user_id}/approve")
    assert response.status_code == 302
    assert "is approved" in text(admin.get("/admin"))
    response = login(client, REGISTRATION["email"], REGISTRATION["password"])
    assert response.status_code == 302


# --- password ----------------------------------------------------------------------------------------
def test_password_change(app, login_as):
    c = login_as("member")
    assert c.get("/password").status_code == 200
    wrong = c.post("/password", data={"current": "nope", "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert wrong.status_code == 400
    assert "Your current password is not right." in text(wrong)
    mismatch = c.post("/password", data={"current": PASSWORD, "new": NEW_PASSWORD, "confirm": "other-other-other"})
    assert mismatch.status_code == 400 and "do not match" in text(mismatch)
    ok = c.post("/password", data={"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert ok.status_code == 302
    assert "Your password was changed." in text(c.get("/password"))
    fresh = app.test_client()
    assert login(fresh, "member@example.com", PASSWORD).status_code == 400
    assert login(fresh, "member@example.com", NEW_PASSWORD).status_code == 302


def test_password_page_needs_sign_in(client, world):
    response = client.get("/password")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


# --- invitations ----------------------------------------------------------------------------------------
def _invite(login_as, **fields) -> str:
    admin = login_as("admin")
    data = {"email": "invitee@example.com", "name": "Ivy Invitee", "role": "supplier",
            "organisation": "Textiles Ltd", "org_kind": ""} | fields
    response = admin.post("/admin/invitations", data=data)
    assert response.status_code == 201, text(response)[:500]
    match = re.search(r'value="(http://localhost/invite/([^"]+))"', text(response))
    assert match, "the invitation link is shown"
    return match.group(2)


def test_invitation_accept_signs_in(app, client, world, login_as):
    token = _invite(login_as)
    page = client.get(f"/invite/{token}")
    assert page.status_code == 200
    body = text(page)
    assert "Textiles Ltd" in body and "invitee@example.com" in body and "Supplier" in body
    assert 'value="Ivy Invitee"' in body
    response = client.post(f"/invite/{token}", data={"name": "Ivy Invitee", "password": "ivy-password-1",
                                                   "confirm": "ivy-password-1"})
    assert response.status_code == 302 and response.headers["Location"] == "/welcome"
    assert client.get("/notifications").status_code == 200  # signed in
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "invitee@example.com"))
        assert user.state == "active" and user.organisation.name == "Textiles Ltd"
    # The link works once.
    again = app.test_client().get(f"/invite/{token}")
    assert again.status_code == 409
    assert "already been used" in text(again)


def test_invitation_errors_keep_the_name(client, world, login_as):
    token = _invite(login_as)
    response = client.post(f"/invite/{token}", data={"name": "Ivy Typed", "password": "short",
                                                   "confirm": "short"})
    assert response.status_code == 400
    assert "at least 10 characters" in text(response)
    assert 'value="Ivy Typed"' in text(response)


def test_expired_and_invalid_invitations(app, client, world, login_as):
    token = _invite(login_as)
    with app.app_context():
        invitation = db.session.scalar(select(Invitation).where(Invitation.email == "invitee@example.com"))
        invitation.expires_at = utcnow() - timedelta(days=1)
        db.session.commit()
    expired = client.get(f"/invite/{token}")
    assert expired.status_code == 400
    assert "This invitation has expired" in text(expired)
    bogus = client.get("/invite/not-a-real-token")
    assert bogus.status_code == 404
    assert "not valid" in text(bogus)
    refused = client.post(f"/invite/{token}", data={"name": "X Y", "password": "ivy-password-1",
                                                  "confirm": "ivy-password-1"})
    assert refused.status_code == 400
