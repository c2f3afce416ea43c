"""actions.accounts: registration, approval, suspension, sign-in, passwords, invitations, tokens."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from community.actions import accounts
from community.actions.accounts import (
    accept_invitation,
    approve_user,
    authenticate,
    create_invitation,
    create_user,
    find_invitation,
    issue_token,
    register,
    set_suspended,
    user_for_token,
)
from community.actions.passwords import change_password
from community.errors import Conflict, Forbidden, Invalid, NotFound
from community.extensions import db, login_manager
from community.models import ApiToken, Invitation, ModerationAction, Organisation, User, utcnow
from tests.conftest import PASSWORD

NEW_PASSWORD = "another-long-passphrase"


def _register(**overrides) -> User:
    data = dict(email="New.Person@Example.com", name="New Person", password=PASSWORD,
                organisation="Cotton Mills", org_kind="supplier", country="BD")
    data.update(overrides)
    return register(**data)


# --- registration and approval ----------------------------------------------------------------
def test_register_creates_a_pending_user_and_their_organisation(world):
    user = _register()
    assert (user.email, user.state, user.role, user.handle) == (
        "new.person@example.com", "pending", "supplier", "new.person")
    assert user.organisation.name == "Cotton Mills" and user.organisation.kind == "supplier"
    assert user.check_password(PASSWORD) and user.password_hash != PASSWORD
    # an existing organisation is reused (case-insensitively), and its kind decides the role
    other = _register(email="b@example.com", name="Bea", organisation="brand co", org_kind="supplier")
    assert other.organisation.name == "Brand Co" and other.role == "member"
    assert db.session.scalar(select(db.func.count(Organisation.id))) == 6


@pytest.mark.parametrize("overrides, field", [
    ({"email": "not-an-email"}, "email"),
    ({"email": ""}, "email"),
    ({"password": "short"}, "password"),
    ({"name": ""}, "name"),
    ({"org_kind": "government"}, "org_kind"),
    ({"organisation": "X"}, "organisation"),
])
def test_register_rejects_bad_input(world, overrides, field):
    with pytest.raises(Invalid) as err:
        _register(**overrides)
    assert err.value.field == field
    db.session.rollback()
    assert db.session.scalar(select(User).where(User.email == "new.person@example.com")) is None


def test_register_refuses_duplicates_and_removed_organisations(world):
    from community.models import OutboxEmail

    # A taken email makes no account and answers like a registration; its owner is emailed.
    assert _register(email="SUPPLIER@example.com") is None
    assert db.session.scalar(select(db.func.count(User.id)).where(User.email == "supplier@example.com")) == 1
    (email,) = db.session.scalars(select(OutboxEmail)).all()
    assert (email.to_address, email.category) == ("supplier@example.com", "account")
    assert "already has an account" in email.body_text
    org = db.session.scalar(select(Organisation).where(Organisation.name == "Rubber Works"))
    org.removed = True
    db.session.commit()
    with pytest.raises(Forbidden):
        _register(organisation="Rubber Works")


def test_approve_user(world):
    user = _register()
    admin = world.user("admin")
    with pytest.raises(Forbidden):
        approve_user(world.user("moderator"), user)
    approve_user(admin, user)
    assert user.state == "active" and user.approved_at is not None
    (row,) = db.session.scalars(select(ModerationAction)).all()
    assert (row.action, row.target_type, row.target_id, row.actor_id) == ("approve_user", "user", user.id, admin.id)
    with pytest.raises(Conflict):
        approve_user(admin, user)
    assert authenticate("new.person@example.com", PASSWORD).id == user.id


# --- suspension ------------------------------------------------------------------------------
def test_suspend_ends_every_session_and_disconnects(app, world, monkeypatch):
    from community.actions.sessions import start
    from community.realtime import control

    cut = []
    monkeypatch.setattr(control, "_apply_control", cut.append)
    supplier, admin = world.user("supplier"), world.user("admin")
    old_session = start(supplier, remember=True)
    db.session.commit()
    with app.test_request_context():
        assert login_manager._user_callback(old_session).id == supplier.id
    set_suspended(admin, supplier, True, reason="spamming")
    assert supplier.state == "suspended"
    assert {"op": "disconnect_user", "user_id": supplier.id, "reason": "Your account was suspended."} in cut
    # every existing session of that user stops working
    with app.test_request_context():
        assert login_manager._user_callback(old_session) is None
    row = db.session.scalars(select(ModerationAction)).one()
    assert (row.action, row.target_user_id, row.reason) == ("suspend_user", supplier.id, "spamming")
    with pytest.raises(Forbidden):
        authenticate("supplier@example.com", PASSWORD)
    with pytest.raises(Conflict):
        set_suspended(admin, supplier, True)
    set_suspended(admin, supplier, False)
    assert supplier.state == "active"
    assert len(cut) == 2  # unsuspending cuts nobody off
    assert authenticate("supplier@example.com", PASSWORD).id == supplier.id


def test_suspension_rules(world):
    admin = world.user("admin")
    with pytest.raises(Forbidden):
        set_suspended(world.user("moderator"), world.user("supplier"), True)
    with pytest.raises(Invalid):
        set_suspended(admin, admin, True)
    # "unsuspending" a pending account must not skip the approval
    with pytest.raises(Conflict):
        set_suspended(admin, world.user("pending"), False)
    assert world.user("pending").state == "pending"


# --- signing in and passwords ---------------------------------------------------------------
@pytest.mark.parametrize("email, password, error, words", [
    ("supplier@example.com", "wrong-password!", Invalid, "do not match"),
    ("nobody@example.com", PASSWORD, Invalid, "do not match"),
    ("", PASSWORD, Invalid, "Enter your email"),
    ("supplier@example.com", None, Invalid, "Enter your email"),
    ("pending@example.com", PASSWORD, Forbidden, "awaiting approval"),
    ("suspended@example.com", PASSWORD, Forbidden, "suspended"),
])
def test_authenticate_explains_refusals(world, email, password, error, words):
    with pytest.raises(error) as err:
        authenticate(email, password)
    assert words in err.value.message


def test_authenticate_trims_and_ignores_case(world):
    assert authenticate("  Supplier@Example.COM ", PASSWORD).id == world.user("supplier").id


def test_authenticate_refuses_a_removed_organisation(world):
    world.user("supplier").organisation.removed = True
    db.session.commit()
    with pytest.raises(Forbidden) as err:
        authenticate("supplier@example.com", PASSWORD)
    assert "no longer" in err.value.message


def test_a_wrong_password_does_not_reveal_the_account_state(world):
    with pytest.raises(Invalid):
        authenticate("pending@example.com", "not-the-password")


def test_change_password(world):
    user = world.user("member")
    with pytest.raises(Invalid) as err:
        change_password(user, "wrong", NEW_PASSWORD, NEW_PASSWORD)
    assert err.value.field == "current"
    with pytest.raises(Invalid) as err:
        change_password(user, PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x")
    assert err.value.field == "confirm"
    with pytest.raises(Invalid) as err:
        change_password(user, PASSWORD, "short", "short")
    assert err.value.field == "new"
    change_password(user, PASSWORD, NEW_PASSWORD, NEW_PASSWORD)
    assert authenticate("member@example.com", NEW_PASSWORD).id == user.id
    with pytest.raises(Invalid):
        authenticate("member@example.com", PASSWORD)


# --- invitations -------------------------------------------------------------------------------
def test_invitation_round_trip(world):
    admin = world.user("admin")
    invitation, secret = create_invitation(admin, email="Guest@Example.com", name="Guest", role="supplier",
                                           organisation="Leather Co", org_kind="supplier")
    assert invitation.token_hash != secret and secret not in invitation.token_hash
    assert invitation.expires_at > utcnow() + timedelta(days=13)
    assert find_invitation(secret).id == invitation.id
    user = accept_invitation(secret, name="Guest Person", password=PASSWORD)
    assert (user.email, user.state, user.role, user.organisation.name) == (
        "guest@example.com", "active", "supplier", "Leather Co")
    assert invitation.used_at is not None
    with pytest.raises(Conflict):
        find_invitation(secret)
    with pytest.raises(Conflict):
        accept_invitation(secret, name="Again", password=PASSWORD)


def test_invitation_refusals(world):
    admin = world.user("admin")
    with pytest.raises(Forbidden):
        create_invitation(world.user("member"), email="x@example.com", role="supplier", organisation="Org X")
    with pytest.raises(Conflict):
        create_invitation(admin, email="supplier@example.com", role="supplier", organisation="Textiles Ltd")
    with pytest.raises(Invalid):
        create_invitation(admin, email="x@example.com", role="emperor", organisation="Org X")
    with pytest.raises(NotFound):
        find_invitation("made-up")
    with pytest.raises(NotFound):
        find_invitation("")
    invitation, secret = create_invitation(admin, email="late@example.com", role="member",
                                           organisation="Brand Co")
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(Invalid) as err:
        find_invitation(secret)
    assert "expired" in err.value.message
    with pytest.raises(Invalid):
        accept_invitation(secret, name="Too Late", password=PASSWORD)
    assert db.session.scalar(select(User).where(User.email == "late@example.com")) is None


# --- tokens and users from the CLI ---------------------------------------------------------------
def test_tokens(world):
    supplier = world.user("supplier")
    secret = issue_token(supplier, "laptop")
    assert secret.startswith("rt_")
    stored = db.session.scalars(select(ApiToken)).one()
    assert stored.token_hash != secret and stored.name == "laptop"
    assert user_for_token(secret).id == supplier.id
    assert issue_token(supplier) != secret  # a new secret every time
    for bad in ("", None, "rt_nope", secret + "x"):
        assert user_for_token(bad) is None


def test_create_user_is_active_with_its_organisation(world):
    user = create_user(email="ops@example.com", name="Ops Person", password=PASSWORD, role="admin",
                       organisation="Consortium Secretariat")
    assert (user.state, user.role, user.organisation.name) == ("active", "admin", "Consortium Secretariat")
    assert user.approved_at is not None
    created = create_user(email="s@example.com", name="Sam Supplier", password=PASSWORD, role="supplier",
                          organisation="Brand New Supplier")
    assert created.organisation.kind == "supplier"
    assert accounts.unique_handle("Sam Supplier") == "sam.supplier2"
    assert db.session.scalar(select(db.func.count(Invitation.id))) == 0
