"""Administration pages: administrators only; approving, suspending, invitations, moderators."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from community.extensions import db
from community.models import Invitation, ModerationAction, Organisation, TopicModerator, User
from tests.conftest import login

ADMIN_PAGES = ["/admin", "/admin/users", "/admin/invitations", "/admin/topics", "/admin/topics/new",
               "/admin/topics/grievance/edit", "/admin/organisations", "/admin/words", "/admin/reveals"]


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize("persona", ["member", "moderator", "supplier"])
def test_admin_pages_are_403_for_non_admins(login_as, world, persona):
    c = login_as(persona)
    for path in ADMIN_PAGES:
        response = c.get(path)
        assert response.status_code == 403, path
        assert "Only administrators can do that." in text(response)
    pending_id = world.ids["pending"]
    assert c.post(f"/admin/users/{pending_id}/approve").status_code == 403
    assert c.post("/admin/invitations", data={"email": "x@example.com", "role": "member",
                                              "organisation": "Brand Co"}).status_code == 403
    assert c.post("/admin/topics/grievance/moderators", data={"email": "member@example.com"}).status_code == 403


def test_admin_pages_send_anonymous_visitors_to_sign_in(client, world):
    for path in ADMIN_PAGES:
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")


def test_admin_nav_link_only_for_admins(login_as):
    assert 'href="/admin"' in text(login_as("admin").get("/admin/users"))
    assert 'href="/admin"' not in text(login_as("member").get("/notifications"))


def test_overview_lists_pending_users_with_counts(login_as):
    page = text(login_as("admin").get("/admin"))
    assert "Awaiting approval" in page
    assert "pending@example.com" in page
    assert "Approve" in page
    assert "suspended@example.com" not in page  # only pending users are listed there


def test_approve_twice_is_a_clear_conflict(app, login_as, world):
    admin = login_as("admin")
    user_id = world.ids["pending"]
    assert admin.post(f"/admin/users/{user_id}/approve").status_code == 302
    again = admin.post(f"/admin/users/{user_id}/approve")
    assert again.status_code == 409
    assert "already active" in text(again)
    with app.app_context():
        assert db.session.get(User, user_id).state == "active"


def test_users_search_and_state_filter(login_as):
    admin = login_as("admin")
    page = text(admin.get("/admin/users?q=supplier"))
    assert "supplier@example.com" in page and "supplier2@example.com" in page
    assert "member@example.com" not in page
    page = text(admin.get("/admin/users?q=textiles"))  # by organisation too
    assert "supplier@example.com" in page and "supplier2@example.com" not in page
    page = text(admin.get("/admin/users?state=suspended"))
    assert "suspended@example.com" in page and "member@example.com" not in page
    assert "1 user" in page


def test_suspend_with_reason_then_unsuspend(app, login_as, world):
    admin = login_as("admin")
    victim = login_as("supplier2")
    assert victim.get("/notifications").status_code == 200
    uid = world.ids["supplier2"]
    response = admin.post(f"/admin/users/{uid}/suspend", data={"reason": "Repeated spam"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, uid).state == "suspended"
        entry = db.session.scalar(select(ModerationAction).where(ModerationAction.action == "suspend_user"))
        assert entry.reason == "Repeated spam"
    # Their existing session ends at once.
    assert victim.get("/notifications").status_code == 302
    assert login(app.test_client(), "supplier2@example.com").status_code == 403
    assert admin.post(f"/admin/users/{uid}/unsuspend", data={"reason": ""}).status_code == 302
    assert login(app.test_client(), "supplier2@example.com").status_code == 302


def test_suspend_errors_rerender_with_reason_kept(app, login_as, world):
    admin = login_as("admin")
    response = admin.post(f"/admin/users/{world.ids['supplier']}/suspend", data={"reason": "   "})
    assert response.status_code == 400
    assert "Give a reason for the suspension" in text(response)
    response = admin.post(f"/admin/users/{world.ids['admin']}/suspend", data={"reason": "Testing myself"})
    assert response.status_code == 400
    assert "You cannot suspend yourself." in text(response)
    response = admin.post(f"/admin/users/{world.ids['suspended']}/suspend", data={"reason": "Typed reason"})
    assert response.status_code == 409
    assert "already suspended" in text(response) and 'value="Typed reason"' in text(response)
    # Unsuspend is not a way around approval.
    response = admin.post(f"/admin/users/{world.ids['pending']}/unsuspend", data={"reason": "x"})
    assert response.status_code == 409
    with app.app_context():
        assert db.session.get(User, world.ids["pending"]).state == "pending"
    assert admin.post("/admin/users/99999/suspend", data={"reason": "x"}).status_code == 404


def test_invitation_page_shows_link_once_and_lists_invitations(app, login_as):
    admin = login_as("admin")
    assert admin.get("/admin/invitations").status_code == 200
    response = admin.post("/admin/invitations", data={
        "email": "newbrand@example.com", "name": "Nia", "role": "member",
        "organisation": "Fresh Brand", "org_kind": "member"})
    assert response.status_code == 201
    page = text(response)
    assert "http://localhost/invite/" in page
    assert "Copy this link now" in page
    with app.app_context():
        invitation = db.session.scalar(select(Invitation).where(Invitation.email == "newbrand@example.com"))
        assert invitation.role == "member" and invitation.used_at is None
        assert db.session.scalar(select(Organisation.kind).where(Organisation.name == "Fresh Brand")) == "member"
    listing = text(admin.get("/admin/invitations"))
    assert "newbrand@example.com" in listing and "Open until" in listing
    assert "http://localhost/invite/" not in listing  # the secret is not shown again


def test_invitation_errors_keep_the_form(login_as):
    admin = login_as("admin")
    response = admin.post("/admin/invitations", data={
        "email": "member@example.com", "name": "Dup", "role": "member", "organisation": "Brand Co"})
    assert response.status_code == 409
    assert "already exists" in text(response)
    response = admin.post("/admin/invitations", data={
        "email": "not-an-email", "name": "Typed Name", "role": "supplier", "organisation": "Textiles Ltd"})
    assert response.status_code == 400
    page = text(response)
    assert "valid email" in page
    assert 'value="not-an-email"' in page and 'value="Typed Name"' in page and 'value="Textiles Ltd"' in page


def test_assign_and_remove_moderators(app, login_as, world):
    admin = login_as("admin")
    page = text(admin.get("/admin/topics"))
    assert "Grievance mechanisms" in page and "moderator@example.com" in page
    response = admin.post("/admin/topics/members-lounge/moderators", data={"email": "Member2@example.com"})
    assert response.status_code == 302
    with app.app_context():
        assert world.ids["member2"] in world.topic("members-lounge").moderator_ids
    again = admin.post("/admin/topics/members-lounge/moderators", data={"email": "member2@example.com"})
    assert again.status_code == 409 and "already moderates" in text(again)
    unknown = admin.post("/admin/topics/members-lounge/moderators", data={"email": "ghost@example.com"})
    assert unknown.status_code == 400
    assert "No account has that email" in text(unknown) and 'value="ghost@example.com"' in text(unknown)
    response = admin.post(f"/admin/topics/members-lounge/moderators/{world.ids['member2']}/remove")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(TopicModerator, (world.topic_ids["members-lounge"], world.ids["member2"])) is None
    missing = admin.post(f"/admin/topics/members-lounge/moderators/{world.ids['member2']}/remove")
    assert missing.status_code == 409
    assert admin.post("/admin/topics/no-such-topic/moderators", data={"email": "x@example.com"}).status_code == 404


def test_every_admin_form_carries_the_csrf_token(login_as):
    admin = login_as("admin")
    for path in ADMIN_PAGES:
        page = text(admin.get(path))
        assert page.count('method="post"') <= page.count('name="csrf_token"'), path
        assert "style=" not in page.split('id="main"')[1] and "onclick" not in page
