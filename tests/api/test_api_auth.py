"""API authentication: bearer tokens, the session cookie with CSRF, and refused callers."""
from __future__ import annotations

import pytest

from config import TestingConfig
from tests.api.helpers import assert_error

ENDPOINTS = [
    ("GET", "/me"),
    ("GET", "/topics"),
    ("GET", "/topics/grievance"),
    ("GET", "/topics/grievance/threads"),
    ("POST", "/topics/grievance/threads"),
    ("GET", "/threads/1"),
    ("POST", "/threads/1/posts"),
    ("POST", "/threads/1/moderation"),
    ("POST", "/threads/1/accept"),
    ("GET", "/posts/1"),
    ("PATCH", "/posts/1"),
    ("DELETE", "/posts/1"),
    ("POST", "/posts/1/flags"),
    ("POST", "/posts/1/moderation"),
    ("GET", "/notifications"),
    ("POST", "/notifications/read"),
]


@pytest.mark.parametrize("method,path", ENDPOINTS)
def test_no_credentials_is_401(api, method, path):
    response = api.call(method, path, json={"body": "hello there"})
    assert_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("method,path", ENDPOINTS)
def test_bad_token_is_401(api, method, path):
    response = api.call(method, path, headers={"Authorization": "Bearer rt_not-a-real-token"},
                        json={"body": "hello there"})
    error = assert_error(response, 401, "unauthorized")
    assert "token" in error["message"]


@pytest.mark.parametrize("header", ["Bearer", "Bearer   ", "Basic dXNlcjpwYXNz", "rt_token", ""])
def test_malformed_authorization_header_is_401(api, header):
    assert_error(api.get("/me", headers={"Authorization": header}), 401, "unauthorized")


def test_a_bad_token_is_refused_even_with_a_good_cookie(api, login_as):
    browser = login_as("supplier")
    response = browser.get("/api/v1/me", headers={"Authorization": "Bearer nope"})
    assert_error(response, 401, "unauthorized")


@pytest.mark.parametrize("who,words", [("pending", "awaiting approval"), ("suspended", "suspended")])
@pytest.mark.parametrize("method,path", [("GET", "/me"), ("GET", "/topics"),
                                         ("POST", "/topics/grievance/threads")])
def test_pending_and_suspended_are_403_with_the_reason(api, who, words, method, path):
    response = api.call(method, path, who, json={"title": "A title here", "body": "text"})
    error = assert_error(response, 403, "forbidden")
    assert words in error["message"]


def test_token_of_a_user_suspended_later_stops_working(api, in_db, world):
    assert api.get("/me", "supplier").status_code == 200
    in_db(lambda: setattr(world.user("supplier"), "state", "suspended"))
    assert_error(api.get("/me", "supplier"), 403, "forbidden")


def test_me_with_a_token(api, world):
    response = api.get("/me", "supplier")
    assert response.status_code == 200
    me = response.get_json()
    assert me["id"] == world.ids["supplier"]
    assert me["name"] == "Supplier"
    assert me["role"] == "supplier"
    assert me["organisation"]["name"] == "Textiles Ltd"
    assert me["organisation"]["kind"] == "supplier"
    assert me["moderates"] == []
    assert response.headers["Cache-Control"] == "no-store"


def test_me_lists_moderated_topics(api):
    assert api.get("/me", "moderator").get_json()["moderates"] == ["grievance"]
    admin = api.get("/me", "admin").get_json()
    assert admin["is_admin"] is True
    assert admin["moderates"] == ["announcements", "grievance", "members-lounge", "textiles-circle"]


def test_session_cookie_authenticates(login_as, world):
    browser = login_as("member")
    response = browser.get("/api/v1/me")
    assert response.status_code == 200
    assert response.get_json()["id"] == world.ids["member"]
    # TestingConfig turns CSRF off, so a cookie POST works here without the header.
    made = browser.post("/api/v1/topics/grievance/threads",
                        json={"title": "Cookie thread title", "body": "From the page."})
    assert made.status_code == 201, made.get_json()


# --- CSRF with the cookie, on an app where CSRF is on ----------------------------
@pytest.fixture
def csrf_app(tmp_path):
    from community import create_app
    from community.extensions import db
    from community.models import Organisation, Topic
    from tests.conftest import make_user

    class CsrfConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = "sqlite:///" + str(tmp_path / "csrf.db")
        WTF_CSRF_ENABLED = True

    app = create_app(CsrfConfig)
    with app.app_context():
        db.create_all()
        brand = Organisation(name="Brand Co", kind="member", country="NL")
        db.session.add(brand)
        make_user("member", "member", brand)
        db.session.add(Topic(slug="grievance", name="Grievance mechanisms", kind="theme"))
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _signed_in_with_csrf(app):
    """A client whose session cookie signs in `member`, and the CSRF token of that session.

    Built with session_transaction so the test depends on the API alone, not on the login page.
    """
    from flask import session
    from flask_wtf.csrf import generate_csrf

    from community.actions.sessions import start
    from community.extensions import db
    from community.models import User

    with app.test_request_context():
        token = generate_csrf()
        raw = session["csrf_token"]
        user_key = start(db.session.scalar(db.select(User).where(User.email == "member@example.com")), remember=False)
        db.session.commit()
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = user_key
        sess["_fresh"] = True
        sess["csrf_token"] = raw
    return client, token


def test_cookie_post_without_csrf_header_is_refused_and_succeeds_with_it(csrf_app):
    client, token = _signed_in_with_csrf(csrf_app)
    body = {"title": "Cookie thread title", "body": "From the page."}

    assert client.get("/api/v1/me").status_code == 200  # safe methods need no token

    refused = client.post("/api/v1/topics/grievance/threads", json=body)
    error = assert_error(refused, 400, "invalid")
    assert "CSRF" in error["message"]
    wrong = client.post("/api/v1/topics/grievance/threads", json=body, headers={"X-CSRFToken": "forged"})
    assert_error(wrong, 400, "invalid")
    with csrf_app.app_context():
        from community.extensions import db
        from community.models import Thread
        assert db.session.scalar(db.select(db.func.count(Thread.id))) == 0

    accepted = client.post("/api/v1/topics/grievance/threads", json=body, headers={"X-CSRFToken": token})
    assert accepted.status_code == 201, accepted.get_json()
    thread_id = accepted.get_json()["thread"]["id"]
    post_id = accepted.get_json()["post"]["id"]

    assert_error(client.patch(f"/api/v1/posts/{post_id}", json={"body": "changed"}), 400, "invalid")
    assert_error(client.delete(f"/api/v1/posts/{post_id}"), 400, "invalid")
    ok = client.patch(f"/api/v1/posts/{post_id}", json={"body": "changed"}, headers={"X-CSRFToken": token})
    assert ok.status_code == 200
    assert client.get(f"/api/v1/threads/{thread_id}").status_code == 200


def test_bearer_token_needs_no_csrf_token(csrf_app):
    from community.actions.accounts import issue_token
    from community.extensions import db
    from community.models import User

    with csrf_app.app_context():
        secret = issue_token(db.session.scalar(db.select(User).where(User.email == "member@example.com")))
    response = csrf_app.test_client().post(
        "/api/v1/topics/grievance/threads", headers={"Authorization": f"Bearer {secret}"},
        json={"title": "Script thread title", "body": "From a script."})
    assert response.status_code == 201, response.get_json()
