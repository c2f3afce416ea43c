"""Accounts: registration, approval, invitations, passwords, tokens, suspension."""
from __future__ import annotations

import re
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import events
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..extensions import db
from ..models import ApiToken, Invitation, Organisation, User, utcnow
from ..models.organisation import ORG_KINDS
from ..models.user import ROLES, hash_token
from ..permissions import Guardian
from . import names, validate

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
MIN_PASSWORD = 10


def _email(value) -> str:
    email = validate.text(value, "email", label=_l("Email"), max_chars=254).lower()
    if not EMAIL_RE.match(email):
        raise Invalid(_("Enter a valid email address, such as name@company.com."), field="email")
    return email


def _password(value, field: str = "password") -> str:
    if not isinstance(value, str) or len(value) < MIN_PASSWORD:
        raise Invalid(_("The password must be at least %(min)s characters.", min=MIN_PASSWORD), field=field)
    if len(value) > 200:
        raise Invalid(_("The password is too long (200 characters at most)."), field=field)
    return value


def unique_handle(name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", ".", name.lower()).strip(".")[:30] or "user"
    handle, n = base, 1
    while db.session.scalar(select(User.id).where(User.handle == handle)) is not None:
        n += 1
        handle = f"{base}{n}"
    return handle


def find_or_create_organisation(name, kind, country: str = "") -> Organisation:
    name, org = names.organisation_name(name, label=_l("Organisation"))
    if org is None:
        kind = validate.choice(kind, "org_kind", ORG_KINDS, _l("Organisation kind"))
        org = Organisation(name=name, kind=kind,
                           country=validate.text(country, "country", label=_l("Country"), max_chars=80, min_chars=0))
        db.session.add(org)
        db.session.flush()
    return org


def _new_user(email, name, password, role, org: Organisation, state: str) -> User:
    email = _email(email)
    role = validate.choice(role, "role", ROLES, _l("Role"))
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(_("An account with this email already exists. Sign in, or ask for a password reset."))
    name = names.display_name(name, label=_l("Your name"))
    user = User(email=email, name=name, handle=unique_handle(name), role=role, state=state,
                organisation=org)
    user.set_password(_password(password))
    db.session.add(user)
    return user


def register(*, email, name, password, organisation, org_kind, country="") -> User:
    """Self-registration: a pending user, tied to an organisation, awaiting approval."""
    org = find_or_create_organisation(organisation, org_kind, country)
    if org.removed:
        raise Forbidden(_("This organisation is no longer part of Roundtable."))
    role = "member" if org.kind == "member" else "supplier"
    user = _new_user(email, name, password, role, org, "pending")
    events.commit()
    return user


def create_user(*, email, name, password, role, organisation, org_kind=None) -> User:
    """An active user, from the CLI or an administrator."""
    org = find_or_create_organisation(organisation, org_kind or ("member" if role != "supplier" else "supplier"))
    user = _new_user(email, name, password, role, org, "active")
    user.approved_at = utcnow()
    events.commit()
    return user


def approve_user(actor, user: User) -> User:
    Guardian(actor).ensure_admin()
    if user.state != "pending":
        raise Conflict(_("%(name)s is already suspended.", name=user.name) if user.state == "suspended"
                       else _("%(name)s is already active.", name=user.name))
    user.state = "active"
    user.approved_at = utcnow()
    from .moderation import audit
    audit(actor, "approve_user", "user", user.id, target_user=user)
    events.commit()
    return user


def set_suspended(actor, user: User, suspended: bool, reason: str = "") -> User:
    Guardian(actor).ensure_admin()
    if user.id == actor.id:
        raise Invalid(_("You cannot suspend yourself."))
    if suspended and user.state == "suspended":
        raise Conflict(_("%(name)s is already suspended.", name=user.name))
    if not suspended and user.state != "suspended":
        # Lifting a suspension must never activate a pending account behind the approval step.
        raise Conflict(_("%(name)s is not suspended (the account is awaiting approval).", name=user.name)
                       if user.state == "pending" else
                       _("%(name)s is not suspended (the account is active).", name=user.name))
    user.state = "suspended" if suspended else "active"
    user.session_version += 1  # ends every session of this user
    from .moderation import audit
    audit(actor, "suspend_user" if suspended else "unsuspend_user", "user", user.id,
          target_user=user, reason=reason)
    events.commit()
    if suspended:
        from ..i18n import recipient_locale
        from ..realtime import disconnect_user

        with recipient_locale(user):  # said to the suspended user, in their language
            farewell = _("Your account was suspended.")
        disconnect_user(user.id, farewell)
    return user


def authenticate(email, password) -> User:
    """The user for these credentials, or Invalid/Forbidden with a clear reason."""
    if not isinstance(email, str) or not isinstance(password, str) or not email or not password:
        raise Invalid(_("Enter your email and password."))
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.check_password(password):
        raise Invalid(_("That email and password do not match an account."))
    if user.state == "pending":
        raise Forbidden(_("Your account is awaiting approval by an administrator. "
                          "You will be able to sign in once it is approved."))
    if user.state == "suspended":
        raise Forbidden(_("Your account is suspended. Contact an administrator."))
    if user.organisation.removed:
        raise Forbidden(_("Your organisation is no longer part of Roundtable."))
    return user


def change_password(user: User, current, new, confirm) -> None:
    if not user.check_password(current or ""):
        raise Invalid(_("Your current password is not right."), field="current")
    _password(new, "new")
    if new != confirm:
        raise Invalid(_("The two new passwords do not match."), field="confirm")
    user.set_password(new)
    events.commit()


def create_invitation(actor, *, email, name="", role, organisation, org_kind=None) -> tuple[Invitation, str]:
    Guardian(actor).ensure_admin()
    email = _email(email)
    role = validate.choice(role, "role", ROLES, _l("Role"))
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(_("An account with this email already exists."))
    org = find_or_create_organisation(organisation, org_kind or ("supplier" if role == "supplier" else "member"))
    secret = secrets.token_urlsafe(24)
    invitation = Invitation(
        email=email, name=names.display_name(name, label=_l("Name")) if (name or "").strip() else "",
        role=role, organisation=org, token_hash=hash_token(secret), created_by_id=actor.id,
        expires_at=utcnow() + timedelta(days=current_app.config["INVITATION_DAYS"]),
    )
    db.session.add(invitation)
    events.commit()
    return invitation, secret


def find_invitation(secret: str) -> Invitation:
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == hash_token(secret or "")))
    if invitation is None:
        raise NotFound(_("This invitation link is not valid. Ask an administrator for a new one."))
    if invitation.used_at is not None:
        raise Conflict(_("This invitation has already been used. Sign in with the account it created."))
    if not invitation.is_usable(utcnow()):
        raise Invalid(_("This invitation has expired. Ask an administrator for a new one."))
    return invitation


def accept_invitation(secret: str, *, name, password) -> User:
    invitation = find_invitation(secret)
    user = _new_user(invitation.email, name, password, invitation.role, invitation.organisation, "active")
    user.approved_at = utcnow()
    invitation.used_at = utcnow()
    events.commit()
    return user


def issue_token(user: User, name: str = "") -> str:
    secret = ApiToken.new_secret()
    db.session.add(ApiToken(user_id=user.id, token_hash=hash_token(secret), name=name[:80]))
    events.commit()
    return secret


def user_for_token(secret: str) -> User | None:
    if not secret:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    if token is None:
        return None
    return token.user


def set_locale(user: User, lang: str) -> None:
    """The user's interface language (one of i18n.LANGUAGES)."""
    from ..i18n import LANGUAGES

    user.locale = validate.choice(lang, "lang", list(LANGUAGES), _l("The language"))
    events.commit()
