"""Who is asking, for pages, the API and sockets alike; the one sign-in guard; the one
Guardian of a request.

Flask-Login loads the user once per request (and per socket event) from either:
- a personal API token, `Authorization: Bearer <token>` (its request_loader). An explicit
  token wins over any cookie, so a script never acts as the browser's user; a bad token
  leaves nobody signed in, and says why (`refusal()`);
- the browser's sign-in session cookie (its user_loader; the cookie names a server-side
  session, community/actions/sessions.py).

`guard()` is the sign-in check of every blueprint that needs one (`protect(bp)`) and of
single routes (`@signed_in()`): pages send the visitor to the sign-in page, the API answers
401 with WWW-Authenticate; a signed-in user the Guardian does not admit is told why (403).
`current_guardian()` is the request's Guardian (g.guardian), built in this one place.
"""
from __future__ import annotations

import functools
from collections.abc import Callable

from flask import Blueprint, Flask, current_app, g, jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from .actions import sessions, tokens
from .errors import Invalid, Unauthorized
from .extensions import login_manager
from .models import User
from .permissions import Guardian
from .request_limits import clean_json


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.user_loader(_load_from_session)
    login_manager.request_loader(_load_from_request)


# --- loading the user ------------------------------------------------------------------
def _load_from_session(session_token: str):
    # The cookie names a server-side session: ended (signed out) or expired, nobody is loaded.
    if "Authorization" in request.headers:
        return _token_user()  # an explicit token wins over the cookie
    return sessions.resolve(session_token, address=request.remote_addr or "")


def _load_from_request(_request):
    return _token_user() if "Authorization" in request.headers else None


def _token_user():
    """The user of the request's bearer token, or None (the reason is kept for `refusal()`).
    Asked at most once per request, whichever loader asks."""
    if "bearer_user" in g:
        return g.bearer_user
    user = None
    scheme, _space, secret = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        g.auth_refusal = _("Send your personal API token as: Authorization: Bearer <token>.")
    else:
        try:
            user = token_user(secret.strip())
        except Unauthorized as err:  # unknown, revoked or expired
            g.auth_refusal = err.message
    g.bearer_user = user
    return user


def token_user(secret) -> User:
    """The user of personal API token `secret`, from a request's bearer header or a socket's
    auth={"token": ...}; Unauthorized says why not (unknown, revoked, expired)."""
    try:
        clean_json(secret)  # lone surrogates and the like: not text a token could be
    except Invalid:
        raise Unauthorized(_("That API token is not valid: it may have been revoked.")) from None
    return tokens.authenticate(secret)


def by_token() -> bool:
    """Was this request signed in with an API token (rather than the browser's cookie)?"""
    return getattr(current_user, "api_token_id", None) is not None


def refusal() -> str:
    """Why nobody is signed in: a bad token's reason, else "sign in"."""
    return g.get("auth_refusal") or _("Sign in, or send a personal API token as: Authorization: Bearer <token>.")


# --- the Guardian of the request ---------------------------------------------------------
def current_guardian() -> Guardian:
    """The Guardian of whoever this request is signed in as (nobody: a Guardian that refuses
    everything, saying "Please sign in.")."""
    user = current_user._get_current_object() if current_user else None
    user = user if user is not None and user.is_authenticated else None
    # Built once per request; a socket event may run in a context that outlived another user's.
    if "guardian" not in g or g.guardian.user is not user:
        g.guardian = Guardian(user)
    return g.guardian


# --- the guard ---------------------------------------------------------------------------
def guard(rule: str | None = "use_site") -> ResponseReturnValue | None:
    """None when the request may go on; else the answer (sign in) or an exception (403).

    `rule`: "use_site" (an active account in the consortium), "admin", or None (signed in is
    enough: signing out, one's own sessions and tokens)."""
    if not current_user.is_authenticated:
        if by_token() and request.blueprint == "api":
            # A pending or suspended account's token: say why, rather than "sign in" (the
            # Guardian keeps such a user, to give the reason).
            Guardian(current_user._get_current_object()).ensure_use_site()
        return _unauthorized()
    if rule == "admin":
        current_guardian().ensure_admin()
    elif rule == "use_site":
        current_guardian().ensure_use_site()
    return None


def _unauthorized() -> ResponseReturnValue:
    if request.blueprint == "api":
        response = jsonify(Unauthorized(refusal()).as_dict())
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="roundtable"'
        return response
    return current_app.login_manager.unauthorized()  # the sign-in page, back here after


def protect(bp: Blueprint, rule: str | None = "use_site") -> None:
    """Every route of `bp` needs a signed-in user the Guardian admits by `rule`."""
    bp.before_request(functools.partial(guard, rule))


def signed_in(rule: str | None = "use_site") -> Callable:
    """The guard for one route of a blueprint whose other routes are open."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            if (answer := guard(rule)) is not None:
                return answer
            return view(*args, **kwargs)

        return guarded

    return decorate
