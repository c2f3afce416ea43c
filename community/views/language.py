"""Comfort: the language picker (remembers the choice in a cookie and, when signed in, on the
user), the colour mode (light, dark, or the system's: a cookie, so the page comes in that mode
with no script; static/js/theme.js follows the system and switches without a reload) and the
keyboard shortcuts' help page (static/js/shortcuts.js)."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request
from flask_login import current_user

from ..actions.accounts import set_locale
from ..i18n import COOKIE, LANGUAGES
from .accounts import safe_next

bp = Blueprint("language", __name__)


@bp.post("/language")
def choose():
    lang = request.form.get("lang", "")
    response = redirect(safe_next(request.form.get("next")) or "/")
    if lang not in LANGUAGES:
        return response
    response.set_cookie(COOKIE, lang, max_age=365 * 86400, samesite="Lax", httponly=True,
                        secure=request.is_secure)
    if current_user.is_authenticated and current_user.locale != lang:

        set_locale(current_user._get_current_object(), lang)
    return response


THEME_COOKIE = "theme"
THEMES = ("auto", "light", "dark")


@bp.post("/theme")
def theme():
    choice = request.form.get("theme", "")
    response = redirect(safe_next(request.form.get("next")) or "/")
    if choice in THEMES:
        # Read by the page's script too (js/theme.js keeps it when the switch is used): not httponly.
        response.set_cookie(THEME_COOKIE, choice, max_age=365 * 86400, samesite="Lax", secure=request.is_secure)
    return response


@bp.app_template_global("theme_choice")
def theme_choice() -> str:
    choice = request.cookies.get(THEME_COOKIE, "auto")
    return choice if choice in THEMES else "auto"


@bp.get("/help/shortcuts")
def shortcuts():
    return render_template("help/shortcuts.html")
