"""Accounts: registration, approval, invitations, sign-in, suspension.

Sign-in reveals nothing about who has an account: an unknown email costs the same password
work (a dummy hash) and gets the same answer as a wrong password, and registering a taken
email answers like any registration while the owner gets an email instead. Sign-in counts
failed attempts per account and per address; registration and reset requests are limited
too (community/ratelimit.py, shared by every worker through Redis in a cluster).

A person's time zone is theirs to set (set_timezone); until they do, the zone their browser
reports when they register or sign in fills it in (adopt_device_zone), never blocking either.

Sessions live in actions.sessions, API tokens in actions.tokens (issue_token and
user_for_token are re-exported here for callers that know them as accounts.*), passwords
(change and reset) in actions.passwords.
"""
from __future__ import annotations

import re
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import events, notices, ratelimit
from ..dates import zone_name
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..events import action
from ..extensions import db
from ..i18n import LANGUAGES, recipient_locale
from ..mail import queue_account_email, site_url
from ..models import Invitation, Organisation, User, utcnow
from ..models.organisation import ORG_KINDS
from ..models.user import ROLES, hash_token
from ..passwords import MAX_LENGTH, burn_dummy_verify, hash_password, strength_problem, verify_password
from ..permissions import Guardian
from . import names, sessions, validate
from .audit import audit
from .notifications import notify
from .tokens import issue_token, user_for_token  # noqa: F401  (accounts.issue_token, accounts.user_for_token)

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
SIGN_IN_REFUSED = _l("That email and password do not match an account.")


def valid_email(value) -> str:
    """An email address as typed in a form (lowercased), or Invalid."""
    email = validate.text(value, "email", label=_l("Email"), max_chars=254).lower()
    if not EMAIL_RE.match(email):
        raise Invalid(_("Enter a valid email address, such as name@company.com."), field="email")
    return email


def strong_password(value, field: str = "password", *, known: tuple = ()) -> str:
    """A new password, checked for length and strength (`known`: the person's own words)."""
    problem = strength_problem(value, known)
    if problem:
        raise Invalid(problem, field=field)
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


def _new_user(email: str, name: str, password: str, role, org: Organisation, state: str) -> User:
    """A user from checked input (email and name already validated, the password strong)."""
    role = validate.choice(role, "role", ROLES, _l("Role"))
    if user_by_email(email) is not None:
        raise Conflict(_("An account with this email already exists. Sign in, or ask for a password reset."))
    user = User(email=email, name=name, handle=unique_handle(name), role=role, state=state,
                organisation=org)
    user.set_password(password)
    db.session.add(user)
    return user


def user_by_email(email: str) -> User | None:
    """The account with this (checked, lowercased) email, if any."""
    return db.session.scalar(select(User).where(User.email == email))


def _name(value) -> str:
    return names.display_name(value, label=_l("Your name"))


# --- registration -----------------------------------------------------------------------------
@action
def register(*, email, name, password, organisation, org_kind, country="", address: str = "",
             timezone: str = "") -> User | None:
    """Self-registration: a pending user awaiting approval, or None when the email is taken.

    Both cases answer the same to the person registering ("check your email") and do the
    same password work; a taken email's owner is told by email instead of the applicant
    being told on the page. Administrators are notified of every new registration.
    """
    ratelimit.hit("register_address", address or "-")
    email = valid_email(email)
    ratelimit.hit("register_email", email)
    name = _name(name)
    org_name, org = names.organisation_name(organisation, label=_l("Organisation"))
    password = strong_password(password, known=(email, name, org_name))
    if org is None:
        validate.choice(org_kind, "org_kind", ORG_KINDS, _l("Organisation kind"))
        validate.text(country, "country", label=_l("Country"), max_chars=80, min_chars=0)
    elif org.removed:
        raise Forbidden(_("This organisation is no longer part of Roundtable."))
    owner = user_by_email(email)
    if owner is not None:
        hash_password(password)  # the same work as a real registration: timing tells nothing
        _tell_owner_of_taken_email(owner)
        return None
    org = org or find_or_create_organisation(org_name, org_kind, country)
    role = "member" if org.kind == "member" else "supplier"
    user = _new_user(email, name, password, role, org, "pending")
    adopt_device_zone(user, timezone)
    db.session.flush()
    queue_account_email(
        user, subject=_l("We received your registration"),
        paragraphs=[_l("Hello %(name)s,", name=user.name),
                    _l("Thank you for registering with Roundtable for %(organisation)s. An administrator checks "
                       "every new account; we will email you as soon as yours is approved.",
                       organisation=org.name),
                    _l("If you did not register, ignore this email: nothing happens without an approval.")])
    _tell_administrators(user)
    return user


def _tell_owner_of_taken_email(owner: User) -> None:
    queue_account_email(
        owner, subject=_l("Someone tried to register with your email address"),
        paragraphs=[_l("Hello %(name)s,", name=owner.name),
                    _l("Someone asked to register a new Roundtable account with this email address, which "
                       "already has an account. No new account was made."),
                    _l("If it was you, sign in with your account. If you forgot your password, ask for a new "
                       "one from the sign-in page. If it was not you, you can ignore this email.")],
        link=site_url("/password/forgot"), link_text=_l("Choose a new password"))


def _tell_administrators(user: User) -> None:
    admins = db.session.scalars(select(User).where(User.role == "admin", User.state == "active")).all()
    for admin in admins:
        if not Guardian(admin).can_use_site():
            continue
        text = _l("%(name)s (%(organisation)s) registered and is waiting for your approval.",
                  name=user.name, organisation=user.organisation.name)
        notify(admin, verb="registration", url="/admin#pending",
               data={"actors": [notices.actor(user)], "organisation": {"name": user.organisation.name}})
        queue_account_email(
            admin, subject=_l("New registration: %(name)s", name=user.name),
            paragraphs=[text, _l("Email: %(email)s. Organisation: %(organisation)s (%(kind)s).",
                                 email=user.email, organisation=user.organisation.name,
                                 kind=user.organisation.kind),
                        _l("Approve or reject it from the list of pending accounts.")],
            link=site_url("/admin#pending"), link_text=_l("Review pending accounts"))


@action
def create_user(*, email, name, password, role, organisation, org_kind=None, check_strength: bool = True) -> User:
    """An active user, from the CLI or an administrator.

    `check_strength=False` only for the demo data, whose documented password is shared.
    """
    email = valid_email(email)
    if user_by_email(email) is not None:  # before the name: "that email exists" is the useful answer
        raise Conflict(_("An account with this email already exists. Sign in, or ask for a password reset."))
    name = _name(name)
    if check_strength:
        password = strong_password(password, known=(email, name, str(organisation or "")))
    elif not isinstance(password, str) or not password or len(password) > MAX_LENGTH:
        raise Invalid(_("Enter a password."), field="password")
    org = find_or_create_organisation(organisation, org_kind or ("member" if role != "supplier" else "supplier"))
    user = _new_user(email, name, password, role, org, "active")
    user.approved_at = utcnow()
    return user


@action
def approve_user(actor, user: User) -> User:
    Guardian(actor).ensure_admin()
    _ensure_pending(user)
    user.state = "active"
    user.approved_at = utcnow()
    audit(actor, "approve_user", "user", user.id, target_user=user)
    queue_account_email(
        user, subject=_l("Your Roundtable account is approved"),
        paragraphs=[_l("Hello %(name)s,", name=user.name),
                    _l("An administrator approved your account. You can now sign in with the email and "
                       "password you chose when you registered.")],
        link=site_url("/login"), link_text=_l("Sign in"))
    return user


@action
def reject_user(actor, user: User, reason) -> User:
    """Decline a registration, with a reason the applicant is told (and the audit log keeps)."""
    Guardian(actor).ensure_admin()
    _ensure_pending(user)
    reason = validate.text(reason, "reason", label=_l("The reason"), max_chars=500, min_chars=1)
    user.state = "rejected"
    audit(actor, "reject_user", "user", user.id, target_user=user, reason=reason)
    queue_account_email(
        user, subject=_l("Your Roundtable registration was not accepted"),
        paragraphs=[_l("Hello %(name)s,", name=user.name),
                    _l("An administrator looked at your registration and did not accept it. The reason "
                       "given: %(reason)s", reason=reason),
                    _l("If you think this is a mistake, reply to the person in your organisation who "
                       "told you about Roundtable, or ask for an invitation.")])
    return user


def _ensure_pending(user: User) -> None:
    if user.state != "pending":
        raise Conflict({"suspended": _("%(name)s is already suspended.", name=user.name),
                        "rejected": _("The registration of %(name)s was already rejected.", name=user.name)}
                       .get(user.state, _("%(name)s is already active.", name=user.name)))


@action
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
    audit(actor, "suspend_user" if suspended else "unsuspend_user", "user", user.id,
          target_user=user, reason=reason)
    if suspended:
        with recipient_locale(user):  # said to the suspended user, in their language
            farewell = _("Your account was suspended.")
        end_access(user, farewell)
    return user


def end_access(user: User, reason: str) -> None:
    """End every session of `user` and cut all their sockets (token ones too), after commit."""
    sessions.end_all(user, reason=reason)
    events.queue_control("disconnect_user", user_id=user.id, reason=str(reason))


# --- sign-in ------------------------------------------------------------------------------------
def authenticate(email, password, *, address: str = "") -> User:
    """The user for these credentials, or Invalid/Forbidden/RateLimited with a clear reason.

    Unknown emails and wrong passwords cost the same and answer the same. Failed attempts
    count per account and per address; when either is used up, nothing is tried.
    """
    if not isinstance(email, str) or not isinstance(password, str) or not email or not password:
        raise Invalid(_("Enter your email and password."))
    email = email.strip().lower()[:254]
    password = password[:MAX_LENGTH * 2]
    ratelimit.check("login_address", address or "-")
    ratelimit.check("login_account", email)
    user = user_by_email(email)
    if user is None:
        burn_dummy_verify(password)
        matches = needs_rehash = False
    else:
        matches, needs_rehash = verify_password(user.password_hash, password)
    if not matches:
        ratelimit.hit("login_address", address or "-")
        ratelimit.hit("login_account", email)
        raise Invalid(str(SIGN_IN_REFUSED))
    if needs_rehash:  # older settings or algorithm: replaced now, saved with the sign-in
        user.password_hash = hash_password(password)
    if user.state == "pending":
        raise Forbidden(_("Your account is awaiting approval by an administrator. "
                          "You will be able to sign in once it is approved."))
    if user.state == "rejected":
        raise Forbidden(_("Your registration was not accepted. We sent you an email with the reason."))
    if user.state == "suspended":
        raise Forbidden(_("Your account is suspended. Contact an administrator."))
    if user.organisation.removed:
        raise Forbidden(_("Your organisation is no longer part of Roundtable."))
    return user


@action
def sign_in(user: User, *, remember: bool, user_agent: str = "", address: str = "",
            timezone: str = "") -> tuple[str, bool]:
    """Start a session for an authenticated user: (its token, whether this is their first sign-in).
    `timezone`: the browser's, kept if the person has given none yet."""
    adopt_device_zone(user, timezone)
    token = sessions.start(user, remember=remember, user_agent=user_agent, address=address)
    first = user.last_sign_in_at is None
    user.last_sign_in_at = utcnow()
    return token, first


# --- passwords ------------------------------------------------------------------------------------


# --- invitations --------------------------------------------------------------------------------
@action
def create_invitation(actor, *, email, name="", role, organisation, org_kind=None) -> tuple[Invitation, str]:
    Guardian(actor).ensure_admin()
    email = valid_email(email)
    role = validate.choice(role, "role", ROLES, _l("Role"))
    if user_by_email(email) is not None:
        raise Conflict(_("An account with this email already exists."))
    org = find_or_create_organisation(organisation, org_kind or ("supplier" if role == "supplier" else "member"))
    secret = secrets.token_urlsafe(24)
    invitation = Invitation(
        email=email, name=names.display_name(name, label=_l("Name")) if (name or "").strip() else "",
        role=role, organisation=org, token_hash=hash_token(secret), created_by_id=actor.id,
        expires_at=utcnow() + timedelta(days=current_app.config["INVITATION_DAYS"]),
    )
    db.session.add(invitation)
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


@action
def accept_invitation(secret: str, *, name, password, timezone: str = "") -> User:
    invitation = find_invitation(secret)
    name = _name(name)
    password = strong_password(password, known=(invitation.email, name, invitation.organisation.name))
    user = _new_user(invitation.email, name, password, invitation.role, invitation.organisation, "active")
    user.approved_at = utcnow()
    invitation.used_at = utcnow()
    adopt_device_zone(user, timezone)
    return user


@action
def set_locale(user: User, lang: str, field: str = "lang") -> None:
    """The user's interface language (one of i18n.LANGUAGES)."""
    user.locale = validate.choice(lang, field, list(LANGUAGES), _l("The language"))


# --- time zone ------------------------------------------------------------------------------------
@action
def set_timezone(user: User, name) -> str:
    """One's own time zone (an IANA name such as "Asia/Tokyo", or "UTC"): the dates of every
    page, email and .ics they get. Any of UTC's names is stored as "UTC"."""
    Guardian(user).ensure_use_site()
    zone = zone_name(name)
    if zone is None:
        raise Invalid(_("Choose a time zone from the list, such as Europe/Paris or Asia/Tokyo."), field="timezone")
    user.timezone, user.timezone_chosen = zone, True
    return zone


def adopt_device_zone(user: User, name) -> None:
    """The zone a browser reported (registration, sign-in), kept when the person has given none
    yet. Silently ignored otherwise: an unknown name, and UTC, which a device says little by."""
    zone = zone_name(name)
    if zone is not None and zone != "UTC" and not user.timezone_chosen:
        user.timezone, user.timezone_chosen = zone, True
