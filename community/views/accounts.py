"""Account pages: sign in and out, registration, passwords (change, forgot, reset), invitations,
the newcomer's welcome, and "Your sessions".

Thin views: parse the form, call actions.accounts / actions.sessions, render or redirect.
Every refusal re-renders the form with what the person typed (never the passwords) and the
action's message, with the error's HTTP status (429 with Retry-After when over a limit).
"""
from __future__ import annotations

from urllib.parse import unquote, urlsplit

from flask import Blueprint, flash, make_response, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError
from markupsafe import Markup

from ..actions import accounts, passwords, sessions, tokens
from ..auth import signed_in
from ..errors import DomainError, Invalid
from ..extensions import db
from ..models import utcnow
from ..models.organisation import ORG_KINDS
from .helpers import actor, bdi, form_bool, guardian

bp = Blueprint("accounts", __name__)


# --- helpers -------------------------------------------------------------------------------
def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None (no open redirects).

    Browsers read "//host", "/\\host", "https:host" and tab- or newline-split forms of them as
    another site, and some proxies decode %2F and %5C before the browser sees the path: so the
    target is checked as given and after each round of percent-decoding.
    """
    if not target or not isinstance(target, str) or len(target) > 2000:
        return None
    candidate = target
    for _round in range(3):
        if not _is_local_path(candidate):
            return None
        decoded = unquote(candidate)
        if decoded == candidate:
            return target
        candidate = decoded
    return None  # still changing after three decodings: nobody needs that


def _is_local_path(target: str) -> bool:
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    if any(ord(ch) < 32 or ord(ch) == 127 or ch.isspace() for ch in target[:2]) \
            or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def _home() -> str:
    return url_for("main.home")


def _address() -> str:
    return request.remote_addr or ""


def _page(template: str, err: DomainError | None = None, **context):
    """Render a form page; with `err`, its message and status (and Retry-After when limited)."""
    if err is None:
        return render_template(template, **context)
    response = make_response(render_template(template, error=err.message, error_field=err.field, **context),
                             err.status)
    if getattr(err, "retry_after", None) is not None:
        response.headers["Retry-After"] = str(err.retry_after)
    return response


def _device_zone() -> str:
    """The browser's time zone, from the hidden field static/js/device_zone.js fills ("" without
    script): the actions keep it only while the person has none, and ignore a name they do not know."""
    return request.form.get("timezone") or ""


def _render_login(email: str = "", remember: bool = False, next_url: str | None = None,
                  err: DomainError | None = None):
    return _page("accounts/login.html", err, email=email, remember=remember, next_url=next_url)


def _sign_in_browser(user, *, remember: bool) -> bool:
    """A new server-side session for `user` in this browser; True on their very first sign-in."""
    token, first = accounts.sign_in(user, remember=remember, user_agent=request.headers.get("User-Agent", ""),
                                    address=_address(), timezone=_device_zone())
    _forget_this_browser()  # a fresh cookie session: the CSRF token of the signed-out visit is not kept
    login_user(user, remember=remember)
    return first


# --- sign in / out -------------------------------------------------------------------------
@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    next_url = safe_next(request.values.get("next"))
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(next_url or _home())
        return _render_login(next_url=next_url)
    email = (request.form.get("email") or "").strip()
    remember = form_bool("remember")
    try:
        user = accounts.authenticate(email, request.form.get("password") or "", address=_address())
    except DomainError as err:
        return _render_login(email, remember, next_url, err)
    if _sign_in_browser(user, remember=remember):
        flash(Markup(_("Welcome to Roundtable, %(name)s. Here are the topics you can take part in, and their rules.",
                       name=bdi(user.name))), "success")
        return redirect(next_url or url_for("accounts.welcome"))
    flash(Markup(_("Welcome back, %(name)s.", name=bdi(user.name))), "success")
    return redirect(next_url or _home())


@bp.errorhandler(CSRFError)
def form_expired(err: CSRFError):
    """A sign-in form whose security token was lost (cookie cleared) is shown again, email kept."""
    if request.endpoint == "accounts.login":
        return _render_login(email=(request.form.get("email") or "").strip(),
                             next_url=safe_next(request.values.get("next")),
                             err=Invalid(_("This form expired. Please sign in again.")))
    return render_template("error.html", status=400,
                           message=_("This form expired. Go back, reload the page and try again.")), 400


@bp.route("/logout", methods=["GET", "POST"])
def logout() -> ResponseReturnValue:
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login"))
    if request.method == "GET":
        # Signing out changes state, so it takes a POST; GET only asks.
        return render_template("accounts/logout.html")
    user = actor()
    if user.session_id is not None:
        # The server forgets this session: copies of the cookie stop working, its sockets are cut.
        sessions.end(user, user.session_id, _("You signed out."))
    _forget_this_browser()
    flash(_("You have signed out."), "info")
    response = redirect(url_for("accounts.login"))
    # Pages are kept by the browser for revalidation (views/revalidation.py): none outlives the session.
    response.headers["Clear-Site-Data"] = '"cache"'
    return response


def _forget_this_browser() -> None:
    """Sign this browser out and start its cookie session afresh (a new CSRF token)."""
    logout_user()
    session.clear()
    # Any remember-me cookie of an earlier sign-in goes too (Flask-Login deletes it on "clear").
    session["_remember"] = "clear"


# --- the newcomer's welcome ----------------------------------------------------------------------
@bp.get("/welcome")
@signed_in(None)
def welcome() -> ResponseReturnValue:
    return render_template("accounts/welcome.html", topics=db.session.scalars(guardian().readable_topics()).all())


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
        # None when the email already has an account: its owner gets an email, and this
        # answer is the same, so the form tells nobody who is registered.
        accounts.register(email=form["email"], name=form["name"], password=request.form.get("password"),
                          organisation=form["organisation"], org_kind=form["org_kind"],
                          country=form["country"], address=_address(), timezone=_device_zone())
    except DomainError as err:
        return _page("accounts/register.html", err, form=form, org_kinds=ORG_KINDS)
    # Post/redirect/get: a reload of the thanks page must not register twice.
    return redirect(url_for("accounts.registered"))


@bp.route("/register/thanks")
def registered() -> ResponseReturnValue:
    return render_template("accounts/registered.html")


# --- password: change, forgot, reset -------------------------------------------------------------
@bp.route("/password", methods=["GET", "POST"])
@signed_in(None)
def password() -> ResponseReturnValue:
    revoke_tokens = True
    if request.method == "POST":
        form = request.form
        revoke_tokens = form_bool("revoke_tokens")
        try:
            ended, revoked = passwords.change_password(
                actor(), form.get("current"), form.get("new"), form.get("confirm"),
                keep_session=actor().session_id, revoke_tokens=revoke_tokens)
        except DomainError as err:
            return _page("accounts/password.html", err, revoke_tokens=revoke_tokens)
        flash(" ".join([_("Your password was changed."),
                        ngettext("%(num)d other session was signed out.", "%(num)d other sessions were signed out.",
                                 ended),
                        ngettext("%(num)d API token was revoked.", "%(num)d API tokens were revoked.", revoked)
                        if revoke_tokens else _("Your API tokens still work.")]), "success")
        return redirect(url_for("accounts.password"))
    return render_template("accounts/password.html", revoke_tokens=revoke_tokens)


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password() -> ResponseReturnValue:
    email = (request.form.get("email") or request.args.get("email") or "").strip()[:254]
    if request.method == "GET":
        return render_template("accounts/forgot.html", email=email)
    try:
        passwords.request_password_reset(email, address=_address())
    except DomainError as err:
        return _page("accounts/forgot.html", err, email=email)
    # The same page whether or not an account uses that address.
    return redirect(url_for("accounts.reset_sent"))


@bp.get("/password/forgot/sent")
def reset_sent() -> ResponseReturnValue:
    return render_template("accounts/reset_sent.html")


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> ResponseReturnValue:
    # A GET changes nothing (mail scanners open links); the POST sets the password.
    try:
        user = passwords.user_for_reset(token)
    except DomainError as err:
        return _page("accounts/reset_invalid.html", err, status=err.status)
    if request.method == "GET":
        return render_template("accounts/reset.html", email=user.email, revoke_tokens=True)
    revoke_tokens = form_bool("revoke_tokens")
    try:
        passwords.reset_password(token, request.form.get("new"), request.form.get("confirm"),
                                revoke_tokens=revoke_tokens)
    except DomainError as err:
        return _page("accounts/reset.html", err, email=user.email, revoke_tokens=revoke_tokens)
    if current_user.is_authenticated:
        _forget_this_browser()
    flash(_("Your password was changed and you were signed out everywhere. Sign in with your new password."),
          "success")
    return redirect(url_for("accounts.login"))


# --- your sessions -------------------------------------------------------------------------------
@bp.get("/settings/sessions")
@signed_in(None)
def sessions_page() -> ResponseReturnValue:
    return render_template("accounts/sessions.html", sessions=sessions.list_for(actor()),
                           current_id=actor().session_id)


@bp.post("/settings/sessions/<int:session_id>/end")
@signed_in(None)
def end_session(session_id: int) -> ResponseReturnValue:
    user = actor()
    this_one = session_id == user.session_id
    sessions.end(user, session_id, _("This session was signed out from another device.") if not this_one else
                 _("You signed out."))
    if this_one:
        _forget_this_browser()
        flash(_("You have signed out."), "info")
        return redirect(url_for("accounts.login"))
    flash(_("That session is signed out."), "success")
    return redirect(url_for("accounts.sessions_page"))


@bp.post("/settings/sessions/end-others")
@signed_in(None)
def end_other_sessions() -> ResponseReturnValue:
    count = sessions.sign_out_everywhere(actor(), keep=actor().session_id)
    flash(ngettext("%(num)d other session was signed out.", "%(num)d other sessions were signed out.", count),
          "success")
    return redirect(url_for("accounts.sessions_page"))


@bp.post("/settings/sessions/end-all")
@signed_in(None)
def end_all_sessions() -> ResponseReturnValue:
    sessions.sign_out_everywhere(actor())
    _forget_this_browser()
    flash(_("You were signed out everywhere, this device included."), "info")
    return redirect(url_for("accounts.login"))


# --- API tokens ----------------------------------------------------------------------------------
TOKEN_EXPIRY_CHOICES = ("30", "90", "365", "never", "7")


@bp.route("/settings/tokens", methods=["GET", "POST"])
@signed_in(None)
def tokens_page() -> ResponseReturnValue:
    form = {"name": (request.form.get("name") or "").strip(), "expires_days": request.form.get("expires_days") or "90"}
    if request.method == "GET":
        return _tokens_page(form)
    try:
        token, secret = tokens.issue(actor(), form["name"], form["expires_days"])
    except DomainError as err:
        return _tokens_page(form, err)
    # Shown this once: only its hash is kept.
    return _tokens_page({"name": "", "expires_days": "90"}, created=token, secret=secret, status=201)


def _tokens_page(form: dict, err: DomainError | None = None, status: int = 200, **extra):
    response = _page("accounts/tokens.html", err, tokens=tokens.list_for(actor()), form=form,
                     choices=TOKEN_EXPIRY_CHOICES, now=utcnow(), **extra)
    return response if err is not None else (response, status)


@bp.post("/settings/tokens/<int:token_id>/revoke")
@signed_in(None)
def revoke_token(token_id: int) -> ResponseReturnValue:
    tokens.revoke(actor(), token_id)
    flash(_("The token is revoked: it no longer works, and connections made with it were closed."), "success")
    return redirect(url_for("accounts.tokens_page"))


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
        user = accounts.accept_invitation(token, name=name, password=request.form.get("password"),
                                          timezone=_device_zone())
    except DomainError as err:
        try:
            invite = accounts.find_invitation(token)
        except DomainError as gone:  # used or expired meanwhile (another tab)
            return render_template("accounts/invitation_invalid.html", message=gone.message,
                                   status=gone.status), gone.status
        return _page("accounts/invitation.html", err, invite=invite, name=name)
    _sign_in_browser(user, remember=False)
    flash(Markup(_("Welcome to Roundtable, %(name)s. Here are the topics you can take part in, and their rules.",
                   name=bdi(user.name))), "success")
    return redirect(url_for("accounts.welcome"))
