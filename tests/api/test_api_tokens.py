"""Personal API tokens: named, optionally expiring, listed (never the secret) and revoked from
the settings page, the API and the CLI; a revoked or expired token is refused everywhere and
its sockets are cut; last_used_at is written at most once a minute."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from community.actions import tokens
from community.extensions import db, socketio
from community.models import ApiToken, User, utcnow
from tests.views.test_sessions import statements


def text(response) -> str:
    return response.get_data(as_text=True)


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def new_token(app, world, who="member", name="script", days=None) -> tuple[int, str]:
    with app.app_context():
        token, secret = tokens.issue(db.session.get(User, world.ids[who]), name, days)
        return token.id, secret


# --- the API ------------------------------------------------------------------------------------------
def test_get_tokens_lists_the_callers_own_without_secrets(app, client, world):
    first_id, secret = new_token(app, world, name="laptop", days=30)
    second_id, _ = new_token(app, world, name="ci")
    new_token(app, world, who="member2", name="not yours")
    response = client.get("/api/v1/tokens", headers=bearer(secret))
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    listed = response.get_json()["tokens"]
    assert [t["id"] for t in listed] == [second_id, first_id]
    assert set(listed[1]) == {"id", "name", "created_at", "last_used_at", "expires_at", "expired"}
    assert listed[1]["name"] == "laptop" and listed[1]["expires_at"].endswith("Z")
    assert listed[0]["expires_at"] is None and listed[0]["last_used_at"] is None
    assert listed[1]["last_used_at"] is not None  # this call used it
    assert secret not in text(response) and "hash" not in text(response)


def test_delete_revokes_a_token_with_204_and_it_stops_working(app, client, world):
    keep_id, keeper = new_token(app, world, name="keeper")
    gone_id, goner = new_token(app, world, name="goner")
    assert client.delete(f"/api/v1/tokens/{gone_id}", headers=bearer(keeper)).status_code == 204
    refused = client.get("/api/v1/me", headers=bearer(goner))
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "unauthorized"
    assert client.delete(f"/api/v1/tokens/{gone_id}", headers=bearer(keeper)).status_code == 404
    # Someone else's token is "not found", never revoked.
    other_id, other = new_token(app, world, who="member2")
    assert client.delete(f"/api/v1/tokens/{other_id}", headers=bearer(keeper)).status_code == 404
    assert client.get("/api/v1/me", headers=bearer(other)).status_code == 200
    # A token may revoke itself.
    assert client.delete(f"/api/v1/tokens/{keep_id}", headers=bearer(keeper)).status_code == 204
    assert client.get("/api/v1/tokens", headers=bearer(keeper)).status_code == 401


def test_an_expired_token_is_refused_with_a_clear_reason(app, client, world):
    token_id, secret = new_token(app, world, days=1)
    with app.app_context():
        db.session.get(ApiToken, token_id).expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    refused = client.get("/api/v1/me", headers=bearer(secret))
    assert refused.status_code == 401 and "expired" in refused.get_json()["error"]["message"]
    assert not socketio.test_client(app, auth={"token": secret}).is_connected()


def test_last_used_at_is_written_at_most_once_a_minute(app, client, world):
    token_id, secret = new_token(app, world)
    with statements(app, "UPDATE api_token") as writes:
        for _ in range(10):
            assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200
        assert len(writes) == 1
        with app.app_context():
            db.session.get(ApiToken, token_id).last_used_at = utcnow() - timedelta(seconds=61)
            db.session.commit()
        writes.clear()
        for _ in range(3):
            client.get("/api/v1/me", headers=bearer(secret))
        assert len(writes) == 1


# --- sockets ------------------------------------------------------------------------------------------
def test_revoking_a_token_cuts_its_sockets_and_refuses_new_ones(app, client, world):
    token_id, secret = new_token(app, world)
    _other_id, other = new_token(app, world, name="other")
    sock = socketio.test_client(app, auth={"token": secret})
    bystander = socketio.test_client(app, auth={"token": other})
    try:
        assert sock.is_connected()
        assert client.delete(f"/api/v1/tokens/{token_id}", headers=bearer(other)).status_code == 204
        assert not sock.is_connected()
        assert "session.ended" in [item["name"] for item in sock.queue]
        assert bystander.is_connected()  # the user's other token keeps its socket
        assert not socketio.test_client(app, auth={"token": secret}).is_connected()
    finally:
        for s in (sock, bystander):
            if s.is_connected():
                s.disconnect()


def test_a_socket_whose_token_expired_is_swept(app, world):
    from community import realtime

    token_id, secret = new_token(app, world, days=1)
    sock = socketio.test_client(app, auth={"token": secret})
    try:
        with app.app_context():
            assert realtime.sweep_sockets() == 0
            db.session.get(ApiToken, token_id).expires_at = utcnow() - timedelta(seconds=1)
            db.session.commit()
            assert realtime.sweep_sockets() == 1
        assert not sock.is_connected()
    finally:
        if sock.is_connected():
            sock.disconnect()


# --- the settings page -----------------------------------------------------------------------------------
def test_the_settings_page_creates_a_named_expiring_token_shown_once_and_revokes_it(app, world, login_as):
    browser = login_as("member")
    page = browser.get("/settings/tokens")
    assert page.status_code == 200 and "You have no API tokens." in text(page)
    created = browser.post("/settings/tokens", data={"name": "Supplier survey script", "expires_days": "30"})
    assert created.status_code == 201
    secret = re.search(r'id="new-token-value"[^>]* value="(rt_[^"]+)"', text(created)).group(1)
    assert "shown only this once" in text(created)
    assert browser.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    listing = text(browser.get("/settings/tokens"))
    assert "Supplier survey script" in listing and secret not in listing
    with app.app_context():
        token = db.session.scalars(select(ApiToken)).one()
        assert timedelta(days=29) < token.expires_at - utcnow() <= timedelta(days=30)
        token_id = token.id
    bad = browser.post("/settings/tokens", data={"name": "x" * 81, "expires_days": "30"})
    assert bad.status_code == 400 and "x" * 81 in text(bad)  # what was typed stays
    assert browser.post("/settings/tokens", data={"name": "n", "expires_days": "forever"}).status_code == 400
    response = browser.post(f"/settings/tokens/{token_id}/revoke")
    assert response.status_code == 302
    assert browser.get("/api/v1/me", headers=bearer(secret)).status_code == 401
    other_id, _ = new_token(app, world, who="member2")
    assert browser.post(f"/settings/tokens/{other_id}/revoke").status_code == 404


# --- the CLI --------------------------------------------------------------------------------------------------
def test_cli_token_takes_a_name_and_an_expiry_and_prints_it_last(app, client, world):
    runner = app.test_cli_runner()
    with app.app_context():
        result = runner.invoke(args=["users", "token", "--email", "member@example.com", "--name", "nightly export",
                                     "--expires-days", "7"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    assert secret.startswith("rt_")
    listed = client.get("/api/v1/tokens", headers=bearer(secret)).get_json()["tokens"]
    assert listed[0]["name"] == "nightly export"
    with app.app_context():
        token = db.session.scalars(select(ApiToken)).one()
        assert timedelta(days=6) < token.expires_at - utcnow() <= timedelta(days=7)
        bad = runner.invoke(args=["users", "token", "--email", "member@example.com", "--expires-days", "0"])
    assert bad.exit_code != 0
