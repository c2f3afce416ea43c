"""Account pages: sign in and out, registration, password change, invitations.

Thin views: parse the form, call actions.accounts, render or redirect. Every
refusal re-renders the form with what the person typed (never the passwords)
and the action's message, with the error's HTTP status.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from markupsafe import Markup
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import CSRFError

from ..actions import accounts
from ..errors import DomainError, Invalid
from ..extensions import db, limiter
from ..models.organisation import ORG_KINDS
from .helpers import actor, bdi, form_bool

bp = Blueprint("accounts", __name__)

RATE_LIMITED_MESSAGE = _l("Too many sign-in attempts. Wait a minute and try again.")


# --- helpers -------------------------------------------------------------------------------
def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None (no open redirects)."""
    if not target or not isinstance(target, str) or len(target) > 2000:
        return None
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _home() -> str:
    return url_for("main.home")


def _login_key() -> str:
    """Rate-limit key: the client's address plus the email being tried.

    Keying on the email too means one busy office behind a single address does
    not lock everyone out, while guessing one account's password stays slow.
    """
    email = (request.form.get("email") or "").strip().lower()[:254]
    return f"{get_remote_address()}|{email}"


def _failed(template: str, err: DomainError, **context) -> tuple[str, int]:
    """Undo what a refused action left in the session, then re-render the form."""
    db.session.rollback()
    return render_template(template, error=err.message, error_field=err.field, **context), err.status


def _render_login(email: str = "", remember: bool = False, next_url: str | None = None,
                  error: str | None = None, status: int = 200) -> tuple[str, int]:
    return render_template("accounts/login.html", email=email, remember=remember,
                           next_url=next_url, error=error), status


# --- sign in / out -------------------------------------------------------------------------
@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"], key_func=_login_key)
def login() -> ResponseReturnValue:
    next_url = safe_next(request.values.get("next"))
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(next_url or _home())
        return _render_login(next_url=next_url)
    email = (request.form.get("email") or "").strip()
    remember = form_bool("remember")
    try:
        user = accounts.authenticate(email, request.form.get("password") or "")
    except DomainError as err:
        db.session.rollback()
        return _render_login(email, remember, next_url, err.message, err.status)
    login_user(user, remember=remember)
    flash(Markup(_("Welcome back, %(name)s.", name=bdi(user.name))), "success")
    return redirect(next_url or _home())


@bp.errorhandler(429)
def too_many_attempts(err) -> tuple[str, int]:
    """The login limit answers with the login page itself, the email kept."""
    if request.endpoint == "accounts.login":
        return _render_login(email=(request.form.get("email") or "").strip(),
                             remember=form_bool("remember"),
                             next_url=safe_next(request.values.get("next")),
                             error=RATE_LIMITED_MESSAGE, status=429)
    return render_template("error.html", status=429,
                           message=_("Too many attempts. Please wait a minute and try again.")), 429


@bp.errorhandler(CSRFError)
def form_expired(err: CSRFError) -> tuple[str, int]:
    """A sign-in form whose security token was lost (cookie cleared) is shown again, email kept."""
    if request.endpoint == "accounts.login":
        return _render_login(email=(request.form.get("email") or "").strip(),
                             next_url=safe_next(request.values.get("next")),
                             error=_("This form expired. Please sign in again."), status=400)
    return render_template("error.html", status=400,
                           message=_("This form expired. Go back, reload the page and try again.")), 400


@bp.route("/logout", methods=["GET", "POST"])
def logout() -> ResponseReturnValue:
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login"))
    if request.method == "GET":
        # Signing out changes state, so it takes a POST; GET only asks.
        return render_template("accounts/logout.html")
    user_id = current_user.id
    logout_user()
    # Cut this user's live sockets; other devices reconnect with their own cookie.
    from ..realtime import disconnect_user

    disconnect_user(user_id, _("You signed out."))
    flash(_("You have signed out."), "info")
    return redirect(url_for("accounts.login"))


# --- registration ------------------------------------------------------------------------
REGISTER_FIELDS = ("name", "email", "organisation", "org_kind", "country")


@bp.route("/register", methods=["GET", "POST"])
def register() -> ResponseReturnValue:
    if current_user.is_authenticated:
        flash(_("You already have an account and are signed in."), "info")
        return redirect(_home())
    form = {key: (request.form.get(key) or "").strip() for key in REGISTER_FIELDS}
    if request.method == "GET":
        return render_template("accounts/register.html", form=form, org_kinds=ORG_KINDS)
    try:
        if (request.form.get("password") or "") != (request.form.get("confirm") or ""):
            raise Invalid(_("The two passwords do not match."), field="confirm")
        accounts.register(email=form["email"], name=form["name"], password=request.form.get("password"),
                          organisation=form["organisation"], org_kind=form["org_kind"],
                          country=form["country"])
    except DomainError as err:
        return _failed("accounts/register.html", err, form=form, org_kinds=ORG_KINDS)
    # Post/redirect/get: a reload of the thanks page must not register twice.
    return redirect(url_for("accounts.registered"))


@bp.route("/register/thanks")
def registered() -> ResponseReturnValue:
    return render_template("accounts/registered.html")


# --- password ------------------------------------------------------------------------------
@bp.route("/password", methods=["GET", "POST"])
@login_required
def password() -> ResponseReturnValue:
    if request.method == "POST":
        form = request.form
        try:
            accounts.change_password(actor(), form.get("current"), form.get("new"), form.get("confirm"))
        except DomainError as err:
            return _failed("accounts/password.html", err)
        flash(_("Your password was changed."), "success")
        return redirect(url_for("accounts.password"))
    return render_template("accounts/password.html")


# --- invitations ---------------------------------------------------------------------------
@bp.route("/invite/<token>", methods=["GET", "POST"])
def invitation(token: str) -> ResponseReturnValue:
    try:
        invite = accounts.find_invitation(token)
    except DomainError as err:
        return render_template("accounts/invitation_invalid.html", message=err.message,
                               status=err.status), err.status
    if request.method == "GET":
        return render_template("accounts/invitation.html", invite=invite, name=invite.name or "")
    name = (request.form.get("name") or "").strip()
    try:
        if (request.form.get("password") or "") != (request.form.get("confirm") or ""):
            raise Invalid(_("The two passwords do not match."), field="confirm")
        user = accounts.accept_invitation(token, name=name, password=request.form.get("password"))
    except DomainError as err:
        db.session.rollback()
        try:
            invite = accounts.find_invitation(token)
        except DomainError as gone:  # used or expired meanwhile (another tab)
            return render_template("accounts/invitation_invalid.html", message=gone.message,
                                   status=gone.status), gone.status
        return render_template("accounts/invitation.html", invite=invite, name=name,
                               error=err.message, error_field=err.field), err.status
    if current_user.is_authenticated:
        logout_user()
    login_user(user)
    flash(Markup(_("Welcome to Roundtable, %(name)s.", name=bdi(user.name))), "success")
    return redirect(_home())
