"""Headers and redirects: no-store on everything signed in (but the pages people re-read, kept
private and revalidated, views/revalidation.py), HSTS in production, a CSP whose
connect-src is this site plus exactly the configured socket origins, a new CSRF token at
sign-in, and every redirect target a local path (the language picker included)."""
from __future__ import annotations

import re

import pytest

from community import _socket_sources
from tests.conftest import PASSWORD


def csp(response) -> dict[str, str]:
    parts = response.headers["Content-Security-Policy"].split(";")
    return {part.strip().split(" ", 1)[0]: part.strip() for part in parts}


def test_signed_in_pages_and_api_answers_are_not_stored(app, client, world, login_as):
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    signed = login_as("member")
    for path in ("/notifications", "/settings/sessions", "/welcome"):
        assert signed.get(path).headers.get("Cache-Control") == "no-store", path
    # Home, topic and thread pages: the browser keeps its copy for itself and asks every time.
    for path in ("/", "/t/grievance"):
        assert signed.get(path).headers.get("Cache-Control") == "private, no-cache", path
    assert signed.get("/api/v1/me").headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/me").headers["Cache-Control"] == "no-store"  # the 401 too
    # Static files keep their own caching.
    assert "no-store" not in signed.get("/static/css/app.css").headers.get("Cache-Control", "")


def test_hsts_in_production_only(app, client, world):
    from config import DevelopmentConfig, ProductionConfig

    assert "Strict-Transport-Security" not in client.get("/login").headers
    assert ProductionConfig.HSTS_SECONDS >= 180 * 86400 and DevelopmentConfig.HSTS_SECONDS == 0
    app.config["HSTS_SECONDS"] = ProductionConfig.HSTS_SECONDS
    header = client.get("/login").headers["Strict-Transport-Security"]
    assert header == f"max-age={ProductionConfig.HSTS_SECONDS}; includeSubDomains"


def test_connect_src_is_this_site_and_exactly_the_configured_socket_origins(app, client):
    own = csp(client.get("/login"))["connect-src"]
    assert own == "connect-src 'self' ws://localhost"
    assert "wss:" not in own.replace("wss://", "") and " ws: " not in own + " "
    https = csp(client.get("/login", base_url="https://roundtable.example"))["connect-src"]
    assert https == "connect-src 'self' wss://roundtable.example"
    assert _socket_sources(["https://live.example.org", "http://127.0.0.1:8080", "*", "javascript:x",
                            "https://a.example; script-src *"]) == [
        "https://live.example.org", "wss://live.example.org", "http://127.0.0.1:8080", "ws://127.0.0.1:8080"]


def test_the_configured_socket_origins_reach_the_policy(tmp_path):
    from community import create_app
    from config import TestingConfig

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = "sqlite:///" + str(tmp_path / "csp.db")
        SOCKETIO_ALLOWED_ORIGINS = ["https://live.example.org"]

    other = create_app(Config)
    directive = csp(other.test_client().get("/login"))["connect-src"]
    assert directive == "connect-src 'self' ws://localhost https://live.example.org wss://live.example.org"


def test_the_csrf_token_changes_at_sign_in(app, world):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    before = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    with client.session_transaction() as sess:
        raw_before = sess["csrf_token"]
    response = client.post("/login", data={"email": "member@example.com", "password": PASSWORD, "csrf_token": before})
    assert response.status_code == 302
    with client.session_transaction() as sess:
        assert sess.get("csrf_token") != raw_before
    page = client.get("/notifications").get_data(as_text=True)
    after = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    with client.session_transaction() as sess:
        assert sess["csrf_token"] != raw_before
    # The old (signed-out) token no longer passes on the signed-in session.
    refused = client.post("/logout", data={"csrf_token": before})
    assert refused.status_code == 400
    assert client.post("/logout", data={"csrf_token": after}).status_code == 302


BAD_TARGETS = ["//evil.example", "/\\evil.example", "https:evil.example", "https://evil.example/",
               "/%2F%2Fevil.example", "/%5Cevil.example", "/%252F%252Fevil.example", "/%2F%5Cevil.example",
               "\t//evil.example", "/\t/evil.example", "/\n/evil.example", "javascript:alert(1)", "%2F%2Fevil.example"]


@pytest.mark.parametrize("target", BAD_TARGETS)
def test_the_language_picker_only_goes_to_local_paths(client, target):
    response = client.post("/language", data={"lang": "fr", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/", target


def test_the_language_picker_goes_back_to_a_local_path(client):
    response = client.post("/language", data={"lang": "fr", "next": "/t/grievance?filter=questions"})
    assert response.headers["Location"] == "/t/grievance?filter=questions"


@pytest.mark.parametrize("target", BAD_TARGETS)
def test_other_next_parameters_only_go_to_local_paths(app, world, login_as, target):
    signed = login_as("admin")
    with app.app_context():
        from community.extensions import db
        from community.models import Topic

        slug = db.session.get(Topic, world.topic_ids["grievance"]).slug
    response = signed.post(f"/t/{slug}/watch", data={"level": "watching", "next": target})
    assert response.status_code == 302 and not re.match(r"^(/[/\\]|[a-z]+:)", response.headers["Location"]), target
