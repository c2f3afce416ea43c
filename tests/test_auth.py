"""Signing in, one way for pages, the API and sockets (community/auth.py): Flask-Login loads
the session cookie or a bearer token, one guard refuses the rest, one Guardian per request.
(The API's own answers are in tests/api/test_api_auth.py.)"""
from __future__ import annotations

import pytest

# Pages behind the guard, one per blueprint (and one route guarded on its own).
GUARDED = ["/", "/t/grievance", "/threads/1", "/live", "/search?q=x", "/notifications", "/moderation",
           "/admin", "/settings/notifications", "/settings/profile", "/welcome", "/settings/sessions"]


@pytest.mark.parametrize("path", GUARDED)
def test_a_visitor_is_sent_to_sign_in(client, world, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"], path


def test_a_bearer_token_signs_in_a_page(app, client, world, token_for):
    with app.app_context():
        name = world.user("supplier").name
    response = client.get("/", headers=token_for("supplier"))
    assert response.status_code == 200 and name in response.get_data(as_text=True)


def test_a_bad_token_signs_in_nobody_even_with_a_good_cookie(login_as):
    member = login_as("member")
    assert member.get("/").status_code == 200
    page = member.get("/", headers={"Authorization": "Bearer not-a-token"})
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    api = member.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token"})
    assert api.status_code == 401 and "not valid" in api.get_json()["error"]["message"]


def test_an_explicit_token_wins_over_the_cookie(login_as, token_for, world):
    member = login_as("member")
    me = member.get("/api/v1/me", headers=token_for("supplier")).get_json()
    assert me["id"] == world.ids["supplier"]
    assert member.get("/api/v1/me").get_json()["id"] == world.ids["member"]


def test_a_removed_organisations_staff_are_told_why_on_pages_and_the_api(app, login_as, token_for, world):
    from community.extensions import db
    from community.models import Organisation

    member = login_as("member")
    headers = token_for("member")
    with app.app_context():
        db.session.get(Organisation, world.user("member").organisation_id).removed = True
        db.session.commit()
    page = member.get("/t/grievance")
    assert page.status_code == 403 and "no longer part of Roundtable" in page.get_data(as_text=True)
    api = member.get("/api/v1/topics", headers=headers)
    assert api.status_code == 403 and "no longer part of Roundtable" in api.get_json()["error"]["message"]


def test_one_guardian_per_request(app, world, login_as):
    """Pages, the API helpers and templates get the same Guardian object."""
    from flask import g

    from community.api.common import guardian as api_guardian
    from community.auth import current_guardian
    from community.views.helpers import guardian as page_guardian

    login_as("member")
    with app.test_request_context("/"):
        first = current_guardian()
        assert page_guardian() is first and api_guardian() is first and g.guardian is first
        assert first.user is None  # nobody signed in on this request
