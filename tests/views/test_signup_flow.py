"""Sign-up that reaches people: the applicant hears back either way (approved, or rejected with
a reason), administrators approve or reject from the list, a rejected account cannot sign in."""
from __future__ import annotations

from sqlalchemy import select

from community.extensions import db
from community.models import ModerationAction, OutboxEmail, User
from tests.conftest import login

REGISTRATION = {"name": "Ana Pérez", "email": "ana@newsupplier.example", "password": "long-enough-pass",
                "confirm": "long-enough-pass", "organisation": "New Supplier SA", "org_kind": "supplier",
                "country": "MX"}


def text(response) -> str:
    return response.get_data(as_text=True)


def registered(app, client) -> int:
    assert client.post("/register", data=REGISTRATION).status_code == 302
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == REGISTRATION["email"]))


def mails(app, subject_part: str) -> list[OutboxEmail]:
    with app.app_context():
        found = [m for m in db.session.scalars(select(OutboxEmail).where(
            OutboxEmail.to_address == REGISTRATION["email"])) if subject_part in m.subject]
        db.session.expunge_all()
        return found


def test_the_list_offers_approve_and_reject_and_approval_emails_the_applicant(app, client, world, login_as):
    user_id = registered(app, client)
    admin = login_as("admin")
    overview = text(admin.get("/admin"))
    assert 'id="pending"' in overview
    assert f'action="/admin/users/{user_id}/approve"' in overview
    assert f'action="/admin/users/{user_id}/reject"' in overview
    assert f'action="/admin/users/{user_id}/reject"' in text(admin.get("/admin/users?state=pending"))
    assert admin.post(f"/admin/users/{user_id}/approve", data={"next": "/admin"}).status_code == 302
    (mail,) = mails(app, "approved")
    assert "/login" in mail.body_text and mail.category == "account"
    assert login(client, REGISTRATION["email"], REGISTRATION["password"]).status_code == 302


def test_rejecting_needs_a_reason_tells_the_applicant_and_is_audited(app, client, world, login_as):
    user_id = registered(app, client)
    admin = login_as("admin")
    refused = admin.post(f"/admin/users/{user_id}/reject", data={"reason": "  "})
    assert refused.status_code == 400 and "The reason cannot be empty." in text(refused)
    response = admin.post(f"/admin/users/{user_id}/reject",
                          data={"reason": "Not a supplier of any member brand.", "next": "/admin"})
    assert response.status_code == 302 and response.headers["Location"] == "/admin"
    assert "is rejected" in text(admin.get("/admin"))
    (mail,) = mails(app, "not accepted")
    assert "Not a supplier of any member brand." in mail.body_text
    with app.app_context():
        assert db.session.get(User, user_id).state == "rejected"
        row = db.session.scalars(select(ModerationAction).where(ModerationAction.action == "reject_user")).one()
        assert (row.target_user_id, row.reason) == (user_id, "Not a supplier of any member brand.")
    # Neither approve nor reject again; the person cannot sign in, and is told why.
    assert admin.post(f"/admin/users/{user_id}/approve").status_code == 409
    answer = login(client, REGISTRATION["email"], REGISTRATION["password"])
    assert answer.status_code == 403 and "not accepted" in text(answer)
    # The users list shows the state.
    assert "rejected" in text(admin.get("/admin/users?state=rejected"))


def test_only_administrators_reject(app, client, world, login_as):
    user_id = registered(app, client)
    assert login_as("moderator").post(f"/admin/users/{user_id}/reject", data={"reason": "x"}).status_code == 403
    with app.app_context():
        assert db.session.get(User, user_id).state == "pending"


def test_a_new_account_is_greeted_at_its_first_sign_in(app, client, world, login_as):
    user_id = registered(app, client)
    login_as("admin").post(f"/admin/users/{user_id}/approve")
    response = login(client, REGISTRATION["email"], REGISTRATION["password"])
    assert response.headers["Location"] == "/welcome"
    page = text(client.get("/welcome"))
    assert "Welcome to Roundtable, <bdi>Ana Pérez</bdi>." in page and "Your topics" in page
    assert "Grievance mechanisms" in page and "Members lounge" not in page  # a supplier's topics


def test_a_rejected_account_cannot_use_the_site_by_any_path(app, client, world, login_as):
    from community.actions.tokens import issue_token
    from community.extensions import socketio
    from community.permissions import Guardian

    user_id = registered(app, client)
    login_as("admin").post(f"/admin/users/{user_id}/reject", data={"reason": "Unknown company."})
    with app.app_context():
        user = db.session.get(User, user_id)
        assert Guardian(user).why_not_use_site() == "Your registration was not accepted."
        secret = issue_token(user, "left over")
    refused = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert refused.status_code == 403 and "not accepted" in refused.get_json()["error"]["message"]
    assert not socketio.test_client(app, auth={"token": secret}).is_connected()
